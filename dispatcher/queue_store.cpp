#include "dispatcher/queue_store.hpp"

#include <cstdio>

#include "common/rfc3339.hpp"
#include "dispatcher/batch_queue_store.hpp"
#include "dispatcher/pg_array.hpp"
#include "dispatcher/status.hpp"

namespace disparo::dispatch {
namespace {


pg::Param optional_text(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Expected<std::vector<SessionRow>> load_active_sessions(pg::Connection& conn) {
  auto rows = conn.exec_prepared(R"SQL(
SELECT s.id, s.tenant_id, s.provider, s.base_url,
       COALESCE(CASE WHEN s.provider = 'evolution' THEN s.instance_name END, s.phone_number_id, ''), s.access_token,
       s.min_interval_ms, s.jitter_ms, s.burst, s.daily_cap,
       extract(epoch FROM s.window_start)::bigint / 60, extract(epoch FROM s.window_end)::bigint / 60,
       s.warmup_start_cap, s.warmup_days, s.warmup_started_on::text, t.time_zone
FROM whatsapp_sessions s JOIN tenants t ON t.id = s.tenant_id
WHERE s.state = 'active' ORDER BY s.id)SQL");
  if (!rows) return rows.error();
  std::vector<SessionRow> sessions;
  sessions.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) {
    SessionRow row;
    row.endpoint.session_id = rows->int64(r, 0);
    row.tenant_id = rows->int64(r, 1);
    row.endpoint.provider = std::string(rows->text(r, 2));
    row.endpoint.base_url = std::string(rows->text(r, 3));
    row.endpoint.phone_number_id = std::string(rows->text(r, 4));
    row.endpoint.access_token = std::string(rows->text(r, 5));
    PacingPolicy& policy = row.policy;
    policy.min_interval = std::chrono::milliseconds(rows->int64(r, 6));
    policy.jitter = std::chrono::milliseconds(rows->int64(r, 7));
    policy.burst = static_cast<int>(rows->int64(r, 8));
    policy.daily_cap = static_cast<int>(rows->int64(r, 9));
    if (!rows->is_null(r, 10) && !rows->is_null(r, 11)) {
      policy.window = SendingWindow{std::chrono::minutes(rows->int64(r, 10)), std::chrono::minutes(rows->int64(r, 11))};
    }
    if (!rows->is_null(r, 12) && !rows->is_null(r, 13) && !rows->is_null(r, 14)) {
      int year = 0;
      unsigned month = 0, day = 0;
      const std::string text(rows->text(r, 14));  // "YYYY-MM-DD" from date::text
      if (std::sscanf(text.c_str(), "%d-%u-%u", &year, &month, &day) == 3) {
        const date::year_month_day started{date::year{year}, date::month{month}, date::day{day}};
        policy.warm_up = WarmUp{static_cast<int>(rows->int64(r, 12)), static_cast<int>(rows->int64(r, 13)),
                                date::local_days{started}};
      }
    }
    row.time_zone = std::string(rows->text(r, 15));
    sessions.push_back(std::move(row));
  }
  return sessions;
}

Expected<std::int64_t> expire_overdue(pg::Connection& conn) {
  auto rows = conn.exec_prepared(R"SQL(
WITH expired AS (
  UPDATE messages SET status = 'expired', status_reason = 'validity ended before it could be sent',
         updated_at = now()
  WHERE status = 'queued' AND expires_at <= now() RETURNING id),
events AS (
  INSERT INTO message_events (message_id, status, reason)
  SELECT id, 'expired', 'validity ended before it could be sent' FROM expired)
SELECT count(*) FROM expired)SQL");
  if (!rows) return rows.error();
  return rows->int64(0, 0);
}

Expected<std::int64_t> fail_unknown_outcomes(pg::Connection& conn, std::chrono::seconds after) {
  auto rows = conn.exec_prepared(R"SQL(
WITH failed AS (
  UPDATE messages SET status = 'failed', updated_at = now(),
         status_reason = 'outcome unknown: the provider neither answered nor reported a status; not resent to avoid a duplicate'
  WHERE status = 'sending' AND status_reason LIKE 'outcome unknown%'
    AND updated_at < now() - make_interval(secs => $1::bigint)
  RETURNING id, status_reason),
events AS (
  INSERT INTO message_events (message_id, status, reason) SELECT id, 'failed', status_reason FROM failed)
SELECT count(*) FROM failed)SQL",
                        {std::to_string(after.count())});
  if (!rows) return rows.error();
  return rows->int64(0, 0);
}

Expected<std::vector<SessionStats>> load_session_stats(pg::Connection& conn) {
  auto rows = conn.exec_prepared(R"SQL(
SELECT s.id, s.tenant_id, s.state = 'paused', COALESCE(q.transactional, 0), COALESCE(q.marketing, 0),
       COALESCE(q.oldest_due_age, 0)::text
FROM whatsapp_sessions s LEFT JOIN (
  SELECT session_id, count(*) FILTER (WHERE priority = 0) AS transactional,
         count(*) FILTER (WHERE priority = 1) AS marketing,
         extract(epoch FROM now() - min(send_at) FILTER (WHERE send_at <= now()))::float8 AS oldest_due_age
  FROM messages WHERE status = 'queued' GROUP BY session_id) q ON q.session_id = s.id
ORDER BY s.id)SQL");
  if (!rows) return rows.error();
  std::vector<SessionStats> stats;
  stats.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) {
    stats.push_back({rows->int64(r, 0), rows->int64(r, 1), rows->boolean(r, 2), rows->int64(r, 3),
                     rows->int64(r, 4), std::stod(std::string(rows->text(r, 5)))});
  }
  return stats;
}

Expected<bool> acquire_lease(pg::Connection& conn, std::int64_t session_id, const std::string& owner,
                             std::chrono::milliseconds ttl) {
  auto rows = conn.exec_prepared(R"SQL(
UPDATE whatsapp_sessions SET lease_owner = $2, lease_until = now() + make_interval(secs => $3::bigint / 1000.0)
WHERE id = $1 AND state = 'active'
  AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until IS NULL OR lease_until < now())
RETURNING id)SQL",
                        {std::to_string(session_id), owner, std::to_string(ttl.count())});
  if (!rows) return rows.error();
  return rows->size() == 1;
}

Expected<void> release_lease(pg::Connection& conn, std::int64_t session_id, const std::string& owner) {
  auto done = conn.exec_prepared(
      "UPDATE whatsapp_sessions SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
      {std::to_string(session_id), owner});
  if (!done) return done.error();
  return {};
}

Expected<ClaimResult> claim_next(pg::Connection& conn, std::int64_t session_id, const std::string& owner,
                                 const std::vector<std::string>& blocked_recipients,
                                 const std::vector<std::string>& blocked_groups) {
  std::vector<ClaimRequest> one{ClaimRequest{session_id, blocked_recipients, blocked_groups}};
  auto results = claim_batch(conn, owner, one);
  if (!results) return results.error();
  return std::move(results->front());
}

Expected<std::vector<PastSend>> load_ledger(pg::Connection& conn, std::int64_t session_id, SysTime since) {
  auto rows = conn.exec_prepared(R"SQL(
SELECT disparo_rfc3339(l.started_at), l.recipient, COALESCE(l.group_id, ''), COALESCE(m.group_interval_ms, 0)
FROM session_sends l JOIN messages m ON m.id = l.message_id
WHERE l.session_id = $1 AND l.started_at >= $2::timestamptz ORDER BY l.started_at, l.id)SQL",
                        {std::to_string(session_id), format_rfc3339(since)});
  if (!rows) return rows.error();
  std::vector<PastSend> sends;
  sends.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) {
    auto at = parse_rfc3339(rows->text(r, 0));
    if (!at) return make_error(ErrorKind::internal, "ledger time not RFC 3339");
    sends.push_back({*at, std::string(rows->text(r, 1)), std::string(rows->text(r, 2)),
                     std::chrono::milliseconds(rows->int64(r, 3))});
  }
  return sends;
}

Expected<void> publish_hold(pg::Connection& conn, std::int64_t session_id, std::optional<std::string> reason,
                            std::optional<SysTime> next_send_at) {
  std::vector<HoldUpdate> one{HoldUpdate{session_id, std::move(reason), next_send_at}};
  auto done = publish_holds(conn, one);
  if (!done) return done.error();
  return {};
}

Expected<void> record_attempt(pg::Connection& conn, std::int64_t message_id, std::int64_t session_id,
                              const SendOutcome& outcome, const AfterAttempt& decision) {
  std::vector<AttemptRecord> one{AttemptRecord{message_id, session_id, outcome, decision}};
  auto done = record_attempts(conn, one);
  if (!done) return done.error();
  return {};
}

Expected<std::int64_t> requeue_interrupted(pg::Connection& conn, std::int64_t session_id) {
  // status_reason IS NULL: claimed and never answered (an await_webhook message has a reason).
  auto rows = conn.exec_prepared(R"SQL(
WITH requeued AS (
  UPDATE messages SET status = 'queued', updated_at = now(),
         status_reason = 'requeued after restart: the interrupted attempt had no answer'
  WHERE status = 'sending' AND provider_message_id IS NULL AND status_reason IS NULL
    AND session_id = $1
  RETURNING id),
events AS (
  INSERT INTO message_events (message_id, status, reason)
  SELECT id, 'queued', 'requeued after restart: the interrupted attempt had no answer' FROM requeued)
SELECT count(*) FROM requeued)SQL",
                        {std::to_string(session_id)});
  if (!rows) return rows.error();
  return rows->int64(0, 0);
}

Expected<ReportResult> apply_status_report(pg::Connection& conn, const ProviderStatusReport& report) {
  ReportResult result;
  const auto status = parse_status(report.status);
  // "played" (voice notes) and unknown statuses do not move the lifecycle.
  if (!status || (*status != Status::sent && *status != Status::delivered &&
                  *status != Status::read && *status != Status::failed)) {
    return result;
  }
  PgArrayBuilder allowed;
  for (auto from : predecessors_for_report(*status)) allowed.add(from);
  std::string reason;
  if (*status == Status::failed) {
    reason = "provider reported failure";
    if (!report.error_code.empty()) reason += ": code " + report.error_code;
    if (!report.error_detail.empty()) reason += " (" + report.error_detail + ")";
  }
  auto rows = conn.exec_prepared(R"SQL(
WITH target AS (
  (SELECT m.id FROM messages m WHERE m.provider_message_id = $1
   UNION ALL
   SELECT m.id FROM messages m JOIN whatsapp_sessions s ON s.id = m.session_id
   WHERE m.id = $2::bigint AND m.provider_message_id IS NULL AND s.phone_number_id = $3)
  LIMIT 1
), moved AS (
  UPDATE messages m SET status = $4, status_reason = $5, updated_at = now(),
         provider_message_id = COALESCE(m.provider_message_id, $1), wa_id = COALESCE(m.wa_id, $6)
  FROM target WHERE m.id = target.id AND m.status = ANY($7::text[])
  RETURNING m.id
), events AS (
  INSERT INTO message_events (message_id, status, reason, detail, occurred_at)
  SELECT id, $4, $5,
         json_build_object('provider_message_id', $1::text, 'error_code', $8::text)::jsonb,
         COALESCE(to_timestamp($9::bigint), now())
  FROM moved)
SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM moved))SQL",
                        {report.provider_message_id,
                         all_digits(report.callback_data) ? pg::Param(report.callback_data) : std::nullopt,
                         report.phone_number_id, std::string(to_string(*status)), optional_text(reason),
                         optional_text(report.recipient_id), std::move(allowed).finish(),
                         optional_text(report.error_code),
                         report.timestamp > 0 ? pg::Param(std::to_string(report.timestamp)) : std::nullopt});
  if (!rows) return rows.error();
  result.matched = rows->int64(0, 0) > 0;
  result.advanced = rows->int64(0, 1) > 0;
  return result;
}

}  // namespace disparo::dispatch
