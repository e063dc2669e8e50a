// QueueStore: the statements behind the send queues: which sessions run, claiming the next
// message, recording each attempt, pausing sessions, and crash recovery.
//
// Blocking (libpq); call through Database::run. Claims use FOR UPDATE SKIP LOCKED so several
// workers never take the same message.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"
#include "dispatcher/cloud_api_webhook.hpp"
#include "dispatcher/model/provider.hpp"
#include "dispatcher/pacing/pacing_policy.hpp"
#include "dispatcher/retry_policy.hpp"

namespace disparo::dispatch {

struct SessionRow {
  SessionEndpoint endpoint;
  std::int64_t tenant_id = 0;
  std::string time_zone;  // the tenant's IANA zone
  PacingPolicy policy;
};

Expected<std::vector<SessionRow>> load_active_sessions(pg::Connection& conn);

struct ClaimedMessage {
  OutboundMessage message;
  int attempts = 0;  // including this one
  double accepted_at_epoch = 0;  // unix seconds, for accept -> sent latency
  std::string group_id;
  std::chrono::milliseconds group_interval{0};
  // Its send_at; later than the claim when it was claimed ahead. Never sent before this instant.
  SysTime due{};
};

struct ClaimResult {
  bool lease_held = true;  // false: another instance owns the session now
  std::optional<ClaimedMessage> claimed;
  std::optional<SysTime> next_due;  // when nothing was claimed: the earliest queued send_at still in the future
};

// Claims the next due message of the session (priority, send_at, id), skipping recipients and
// groups the pacer blocks, moves it to "sending" with an event and writes the send ledger row,
// all in one statement.
// `owner` must hold the session's lease (see acquire_lease); the claim renews it.
Expected<ClaimResult> claim_next(pg::Connection& conn, std::int64_t session_id, const std::string& owner,
                                 const std::vector<std::string>& blocked_recipients,
                                 const std::vector<std::string>& blocked_groups);

// Takes or renews the session's lease for `owner` when it is free, expired or already ours.
// Returns whether `owner` holds it now.
Expected<bool> acquire_lease(pg::Connection& conn, std::int64_t session_id, const std::string& owner,
                             std::chrono::milliseconds ttl);
// Gives the lease up (queue stopped): another instance may take the session at once.
Expected<void> release_lease(pg::Connection& conn, std::int64_t session_id, const std::string& owner);

// Messages left waiting for a provider status ("outcome unknown") longer than `after` end
// failed: we never resend what the provider may have accepted. Returns how many.
Expected<std::int64_t> fail_unknown_outcomes(pg::Connection& conn, std::chrono::seconds after);

struct SessionStats {
  std::int64_t session_id = 0;
  std::int64_t tenant_id = 0;
  bool paused = false;
  std::int64_t queued_transactional = 0;  // queued, due or scheduled
  std::int64_t queued_marketing = 0;
  double oldest_due_age_seconds = 0;  // now - send_at of the oldest due queued message; 0 if none
};
// Every session with its queue figures, for the per-session gauges (one aggregate query).
Expected<std::vector<SessionStats>> load_session_stats(pg::Connection& conn);

// Queued messages whose validity ended become "expired" (all sessions). Returns how many.
Expected<std::int64_t> expire_overdue(pg::Connection& conn);

struct PastSend {
  SysTime at;
  std::string recipient;
  std::string group_id;
  std::chrono::milliseconds group_interval{0};
};
// The session's ledger since `since`, oldest first: replayed into SessionPace after a restart.
Expected<std::vector<PastSend>> load_ledger(pg::Connection& conn, std::int64_t session_id, SysTime since);

// What the session waits for (nullopt reason: nothing), shown by the session state API.
Expected<void> publish_hold(pg::Connection& conn, std::int64_t session_id,
                            std::optional<std::string> reason, std::optional<SysTime> next_send_at);

// Stores what happened to an attempt; a transition never moves a message backwards.
Expected<void> record_attempt(pg::Connection& conn, std::int64_t message_id, std::int64_t session_id,
                              const SendOutcome& outcome, const AfterAttempt& decision);

// Messages of the session left in "sending" without a provider answer by a process that died
// (called by the new lease holder before it claims). At-least-once: they go back to the queue
// (see docs/delivery-semantics.md). Returns how many.
Expected<std::int64_t> requeue_interrupted(pg::Connection& conn, std::int64_t session_id);

struct ReportResult {
  bool matched = false;   // the message exists
  bool advanced = false;  // its status moved forward
};

// Applies one provider status report, found by wamid, else by our id in callback_data for a
// session with that phone_number_id. Monotonic and idempotent.
Expected<ReportResult> apply_status_report(pg::Connection& conn, const ProviderStatusReport& report);

}  // namespace disparo::dispatch
