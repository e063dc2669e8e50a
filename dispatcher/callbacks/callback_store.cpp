#include "dispatcher/callbacks/callback_store.hpp"

namespace disparo::dispatch {

std::string printable_excerpt(std::string_view text, std::size_t limit) {
  std::string out;
  out.reserve(std::min(text.size(), limit));
  for (const char c : text) {
    if (out.size() >= limit) break;
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte >= 0x20 && byte < 0x7f ? c : (c == '\n' || c == '\t' ? ' ' : '?'));
  }
  return out;
}

Expected<std::vector<DueCallback>> claim_due_callbacks(pg::Connection& conn, int limit,
                                                       std::chrono::milliseconds lease) {
  // The NOT EXISTS keeps each message's callbacks in order: "delivered" never overtakes "sent",
  // even while "sent" is leased to an attempt in flight.
  auto rows = conn.exec_prepared(R"SQL(
WITH due AS (
  SELECT d.id FROM callback_deliveries d
  WHERE d.state = 'pending' AND d.next_attempt_at <= now()
    AND NOT EXISTS (SELECT 1 FROM callback_deliveries e
                    WHERE e.message_id = d.message_id AND e.state = 'pending' AND e.id < d.id)
  ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED
), claimed AS (
  UPDATE callback_deliveries d
  SET attempts = d.attempts + 1,
      next_attempt_at = now() + make_interval(secs => $2::bigint / 1000.0)
  FROM due WHERE d.id = due.id
  RETURNING d.id, d.tenant_id, d.message_id, d.url, d.event_type, d.payload::text AS body, d.attempts)
SELECT c.id, c.tenant_id, c.message_id, c.url, c.event_type, c.body, c.attempts, t.callback_secret
FROM claimed c JOIN tenants t ON t.id = c.tenant_id
ORDER BY c.id)SQL",
                        {std::to_string(limit), std::to_string(lease.count())});
  if (!rows) return rows.error();
  std::vector<DueCallback> due;
  due.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) {
    DueCallback d;
    d.id = rows->int64(r, 0);
    d.tenant_id = rows->int64(r, 1);
    d.message_id = rows->int64(r, 2);
    d.url = std::string(rows->text(r, 3));
    d.event_type = std::string(rows->text(r, 4));
    d.body = std::string(rows->text(r, 5));
    d.attempts = static_cast<int>(rows->int64(r, 6));
    d.secret = std::string(rows->text(r, 7));
    due.push_back(std::move(d));
  }
  return due;
}

Expected<bool> record_callback_attempt(pg::Connection& conn, const DueCallback& delivery,
                                       const CallbackAttemptOutcome& outcome,
                                       const CallbackDecision& decision) {
  using Action = CallbackDecision::Action;
  const char* state = decision.action == Action::delivered ? "delivered"
                      : decision.action == Action::fail    ? "failed"
                                                           : "pending";
  const bool answered = outcome.http_status != 0;
  // One statement: the attempt row and the state change commit together. A delivered answer is
  // a fact whoever holds the claim; retry and fail apply only to the current claim (attempts),
  // so a late answer after the lease ran out cannot undo a newer attempt's schedule.
  auto rows =
      conn.exec_prepared(R"SQL(
WITH attempt AS (
  INSERT INTO callback_attempts (delivery_id, http_status, error, duration_ms)
  VALUES ($1, $3::int, $4, $5::int) RETURNING delivery_id
), moved AS (
  UPDATE callback_deliveries d
  SET state = $6,
      next_attempt_at = CASE WHEN $6 = 'pending' THEN now() + make_interval(secs => $7::bigint / 1000.0)
                             ELSE d.next_attempt_at END,
      delivered_at = CASE WHEN $6 = 'delivered' THEN now() ELSE d.delivered_at END
  FROM attempt
  WHERE d.id = attempt.delivery_id AND d.state = 'pending' AND ($6 = 'delivered' OR d.attempts = $2::int)
  RETURNING d.id)
SELECT count(*) FROM moved)SQL",
                {std::to_string(delivery.id), std::to_string(delivery.attempts),
                 answered ? pg::Param(std::to_string(outcome.http_status)) : pg::Param(),
                 outcome.error.empty() ? pg::Param() : pg::Param(printable_excerpt(outcome.error)),
                 std::to_string(outcome.duration.count()), std::string(state),
                 std::to_string(decision.delay.count())});
  if (!rows) return rows.error();
  return rows->int64(0, 0) > 0;
}

}  // namespace disparo::dispatch
