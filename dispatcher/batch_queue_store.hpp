// Batched statements of the send queues: one statement (one commit) for many sessions.
//
// The Batchers of SessionDb feed these; the single-session functions of queue_store.hpp are
// batches of one. Blocking (libpq); call through Database::run.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"
#include "dispatcher/queue_store.hpp"

namespace disparo::dispatch {

struct ClaimRequest {
  std::int64_t session_id = 0;
  std::vector<std::string> blocked_recipients;  // pair spacing not over yet
  std::vector<std::string> blocked_groups;      // campaign interval not over yet
  // Claim-ahead: also claim a message whose send_at is at most this far in the future, so that
  // only the provider request is left to do at its send_at (the runner waits for it).
  std::chrono::milliseconds ahead{0};
};

// For each request (in order), claims the session's next due message like claim_next. A session
// whose lease `owner` does not hold gets lease_held = false. Sessions must be distinct.
Expected<std::vector<ClaimResult>> claim_batch(pg::Connection& conn, const std::string& owner,
                                               const std::vector<ClaimRequest>& requests);

struct AttemptRecord {
  std::int64_t message_id = 0;
  std::int64_t session_id = 0;
  SendOutcome outcome;
  AfterAttempt decision;
};

// Stores what happened to many attempts in one transaction (see record_attempt). Returns one
// (empty) result per record so it can feed a Batcher.
Expected<std::vector<bool>> record_attempts(pg::Connection& conn, const std::vector<AttemptRecord>& records);

struct HoldUpdate {
  std::int64_t session_id = 0;
  std::optional<std::string> reason;
  std::optional<SysTime> next_send_at;
};
Expected<std::vector<bool>> publish_holds(pg::Connection& conn, const std::vector<HoldUpdate>& holds);

struct TakeoverRequest {
  std::int64_t session_id = 0;
  SysTime ledger_since{};  // start of yesterday in the tenant's zone
};
struct TakeoverResult {
  bool acquired = false;
  std::int64_t requeued = 0;    // sends the previous holder left unanswered, back in the queue
  std::vector<PastSend> ledger;  // sends since ledger_since, oldest first
};
// Takes the leases of free sessions for `owner`, requeues what previous holders left in
// "sending" without an answer, and reads the send ledgers to rebuild each pace, in one transaction.
Expected<std::vector<TakeoverResult>> take_over_sessions(pg::Connection& conn, const std::string& owner,
                                                          std::chrono::milliseconds ttl,
                                                          const std::vector<TakeoverRequest>& requests);

// Extends the leases `owner` holds; returns the ids still held (the others were lost: paused,
// deleted or taken over after expiry).
Expected<std::vector<std::int64_t>> renew_leases(pg::Connection& conn, const std::string& owner,
                                                 std::chrono::milliseconds ttl, const std::vector<std::int64_t>& ids);

// Gives the leases up in one statement (shutdown).
Expected<void> release_leases(pg::Connection& conn, const std::string& owner, const std::vector<std::int64_t>& ids);

}  // namespace disparo::dispatch
