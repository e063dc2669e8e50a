// One tick of the campaign scheduler, as plain blocking database work with `now` as a parameter
// (tests drive it with a fake clock; the dispatcher runs it on a worker thread). No Asio.
//
// A tick (docs/campaigns.md):
//  1. materialises the due slots of active scheduled campaigns: each campaign row is locked
//     FOR UPDATE SKIP LOCKED, its slots in (slots_done_until, now] become runs (requested when
//     within the catch-up window, skipped when older; at most max_skipped_rows skipped rows per
//     campaign and tick), inserted ON CONFLICT DO NOTHING, and slots_done_until moves to now;
//  2. expands requested runs, scheduled and manual, one transaction each (campaigns/expansion);
//  3. completes sending runs whose messages are all final.
// Several dispatchers may tick at once: the row locks and the unique slot key make every slot
// one run and every run one expansion. Thread-compatible: one connection per call.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "campaigns/expansion.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"

namespace disparo::dispatch {

struct CampaignTickSettings {
  std::chrono::minutes catch_up{60};   // [campaigns] catch_up_minutes
  std::size_t max_skipped_rows = 50;   // per campaign and tick; older missed slots go unrecorded
  std::size_t max_expansions = 20;     // runs expanded per tick (the rest wait for the next)
  std::size_t max_completions = 200;   // runs completed per tick
  campaigns::ExpansionSettings expansion{};
  campaigns::ExpansionHooks hooks{};   // tests only
};

// Slots of one campaign turned into runs by this tick.
struct MaterialisedSlots {
  std::int64_t tenant_id = 0;
  std::int64_t campaign_id = 0;
  std::string kind;
  std::int64_t requested = 0;
  std::int64_t skipped = 0;          // skipped rows inserted
  std::int64_t skipped_unrecorded = 0;  // missed slots beyond max_skipped_rows
};

struct CompletedRun {
  std::int64_t run_id = 0;
  std::int64_t tenant_id = 0;
  std::string kind;
  std::map<std::string, std::int64_t> statuses;  // final message statuses
};

struct TimedExpansion {
  campaigns::ExpansionOutcome outcome;
  double seconds = 0;
};

struct CampaignTickReport {
  std::vector<MaterialisedSlots> materialised;
  std::vector<TimedExpansion> expansions;
  std::vector<CompletedRun> completed;
  // Runs in state sending per tenant, for every tenant that has a campaign (0 included).
  std::map<std::int64_t, std::int64_t> active_runs;
  // (tenant, kind) of every campaign, so their series exist before the first run.
  std::vector<std::pair<std::int64_t, std::string>> campaign_kinds;
  // A failing step ends the tick (the steps before it stay committed); its error is here.
  std::optional<Error> error;
};

// Step 1. Errors of one campaign (an unknown zone) are skipped over, database errors returned.
Expected<std::vector<MaterialisedSlots>> materialise_slots(pg::Connection& conn, SysTime now,
                                                           const CampaignTickSettings& settings);
// Step 2.
Expected<std::vector<TimedExpansion>> expand_requested_runs(pg::Connection& conn, SysTime now,
                                                            const CampaignTickSettings& settings);
// Step 3.
Expected<std::vector<CompletedRun>> complete_finished_runs(pg::Connection& conn, SysTime now,
                                                           const CampaignTickSettings& settings);

// All three, then the gauges' figures.
CampaignTickReport run_campaign_tick(pg::Connection& conn, SysTime now,
                                               const CampaignTickSettings& settings);

}  // namespace disparo::dispatch
