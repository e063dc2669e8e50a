// CallbackStore: the statements behind status callbacks: claiming due deliveries from the
// outbox (filled by the messages_status_callback trigger, migration 0002) and recording each
// attempt with its result.
//
// Blocking (libpq); call through Database::run. A claim takes a lease: it moves next_attempt_at
// forward by `lease` and counts the attempt, so a process that dies mid-attempt loses nothing
// (the delivery is due again when the lease ends) and several dispatchers never take the same
// delivery (FOR UPDATE SKIP LOCKED). Deliveries of one message go out in order: a delivery is
// not claimed while an earlier one of the same message is still pending.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"
#include "dispatcher/callbacks/callback_policy.hpp"

namespace disparo::dispatch {

struct DueCallback {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t message_id = 0;
  std::string url;
  std::string event_type;  // "message.sent", ...
  std::string body;        // the payload as JSON text: what is sent and signed
  int attempts = 0;        // including the one this claim is for
  std::string secret;      // the tenant's callback_secret (never log it)
};

// Claims up to `limit` due pending deliveries, oldest due first, and leases them for `lease`.
Expected<std::vector<DueCallback>> claim_due_callbacks(pg::Connection& conn, int limit,
                                                       std::chrono::milliseconds lease);

// Appends the attempt (http_status, error, duration) to callback_attempts and applies the
// decision: delivered, retry at now + delay, or failed. The state moves only while the delivery
// is pending and (for retry/fail) still under this claim; returns whether it moved. The attempt
// row is written either way.
Expected<bool> record_callback_attempt(pg::Connection& conn, const DueCallback& delivery,
                                       const CallbackAttemptOutcome& outcome,
                                       const CallbackDecision& decision);

// What fits in callback_attempts.error: printable ASCII only (a receiver's body may be any
// bytes, PostgreSQL text must be valid UTF-8), at most `limit` characters.
std::string printable_excerpt(std::string_view text, std::size_t limit = 300);

}  // namespace disparo::dispatch
