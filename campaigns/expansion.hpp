// Expansion of a campaign run: its audience (campaigns/audience.hpp) rendered for each client
// (campaigns/message_template.hpp) and written as durable queued messages, in ONE transaction.
//
// Exactly once: the run row is locked FOR UPDATE SKIP LOCKED and must still be `requested`, so
// several dispatchers never expand the same run; every message also carries the idempotency key
// campaign:<campaign_id>:<slot epoch seconds>:<client_id>, so even a second expansion of the same
// slot could not enqueue a client twice. A crash or a lost connection before COMMIT leaves the
// run `requested` with nothing written; the next attempt starts afresh.
// Messages: origin 'campaign', priority 1 (marketing), campaign_run_id, group_id
// "campaign-run:<run_id>" and group_interval_ms = interval_seconds * 1000, so the dispatcher's
// group pacing spaces the clients of each session by the campaign's interval.
// Blocking libpq calls: worker threads only. Stateless.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"

namespace disparo::campaigns {

struct ExpansionSettings {
  // A requested run whose slot is older than this is recorded `skipped`, not expanded.
  std::chrono::minutes catch_up{60};
  // Messages stay valid this long after the paced send time of the last client of a session.
  std::chrono::hours validity{24};
};

// Fault injection for tests (STYLE.md rule 2): runs inside the transaction, after every row is
// written and before COMMIT. An error rolls the expansion back.
struct ExpansionHooks {
  std::function<Expected<void>(pg::Connection&)> before_commit;
};

enum class RunResult { expanded, skipped, failed };
const char* to_string(RunResult result) noexcept;

struct ExpansionOutcome {
  std::int64_t run_id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t campaign_id = 0;
  std::string campaign_kind;  // billing | recovery | referral | post_sale | custom
  std::string trigger;        // schedule | manual
  RunResult result = RunResult::expanded;
  std::string reason;         // why skipped or failed (campaign_runs.state_reason)
  std::int64_t recipients = 0;
  std::int64_t excluded = 0;
  std::vector<std::pair<std::string, std::int64_t>> excluded_by_reason;  // reasons with count > 0
  std::vector<std::int64_t> session_ids;  // sessions that got messages (to wake their queues)
};

// Claims the oldest `requested` run nobody else is expanding and expands (or skips, or fails) it.
// nullopt when there is none. Database errors roll back and leave the run requested.
Expected<std::optional<ExpansionOutcome>> expand_next_run(pg::Connection& conn, SysTime now,
                                                          const ExpansionSettings& settings,
                                                          const ExpansionHooks& hooks = {});

// The same for one run; nullopt when it is not requested any more or locked by another expander.
Expected<std::optional<ExpansionOutcome>> expand_run(pg::Connection& conn, std::int64_t run_id,
                                                     SysTime now, const ExpansionSettings& settings,
                                                     const ExpansionHooks& hooks = {});

// The idempotency key of one client's message of a slot.
std::string campaign_message_key(std::int64_t campaign_id, SysTime slot_at, std::int64_t client_id);

}  // namespace disparo::campaigns
