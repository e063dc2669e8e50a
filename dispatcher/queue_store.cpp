#include "dispatcher/queue_store.hpp"

#include "common/json_writer.hpp"
#include "dispatcher/pg_array.hpp"
#include "dispatcher/status.hpp"

namespace disparo::dispatch {
namespace {

using Action = AfterAttempt::Action;

pg::Param optional_text(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string outcome_detail(const SendOutcome& outcome) {
  JsonWriter json;
  json.begin_object().field("outcome", to_string(outcome.outcome));
  if (outcome.http_status != 0) json.field("http_status", outcome.http_status);
  if (!outcome.error_code.empty()) json.field("error_code", outcome.error_code);
  if (!outcome.provider_message_id.empty()) json.field("provider_message_id", outcome.provider_message_id);
  json.end_object();
  return std::move(json).str();
}

// Moves a message from "sending" to `status` and appends the event, in one statement.
Expected<void> transition_from_sending(pg::Connection& tx, std::int64_t id, std::string_view status,
                                       const std::string& reason, const std::string& detail,
                                       long long delay_ms, int refund) {
  auto done = tx.exec(R"SQL(
WITH moved AS (
  UPDATE messages SET status = $2, status_reason = $3, updated_at = now(),
         send_at = CASE WHEN $2 = 'queued' THEN now() + make_interval(secs => $5::bigint / 1000.0) ELSE send_at END,
         attempts = attempts - $6::int
  WHERE id = $1 AND status = 'sending' RETURNING id)
INSERT INTO message_events (message_id, status, reason, detail)
SELECT id, $2, $3, $4::jsonb FROM moved)SQL",
                      {std::to_string(id), std::string(status), optional_text(reason), detail,
                       std::to_string(delay_ms), std::to_string(refund)});
  if (!done) return done.error();
  return {};
}

}  // namespace

Expected<std::vector<SessionRow>> load_active_sessions(pg::Connection& conn) {
  auto rows = conn.exec(
      "SELECT id, tenant_id, provider, base_url, COALESCE(phone_number_id, ''), access_token, "
      "min_interval_ms, jitter_ms FROM whatsapp_sessions WHERE state = 'active' ORDER BY id");
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
    row.min_interval = std::chrono::milliseconds(rows->int64(r, 6));
    row.jitter = std::chrono::milliseconds(rows->int64(r, 7));
    sessions.push_back(std::move(row));
  }
  return sessions;
}

Expected<std::optional<ClaimedMessage>> claim_next(pg::Connection& conn, std::int64_t session_id) {
  const std::string session = std::to_string(session_id);
  auto expired = conn.exec(R"SQL(
WITH expired AS (
  UPDATE messages SET status = 'expired', status_reason = 'validity ended before it could be sent',
         updated_at = now()
  WHERE session_id = $1 AND status = 'queued' AND expires_at <= now() RETURNING id)
INSERT INTO message_events (message_id, status, reason)
SELECT id, 'expired', 'validity ended before it could be sent' FROM expired)SQL",
                           {session});
  if (!expired) return expired.error();

  auto rows = conn.exec(R"SQL(
WITH next AS (
  SELECT id FROM messages
  WHERE session_id = $1 AND status = 'queued' AND send_at <= now()
  ORDER BY priority, send_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE messages m SET status = 'sending', status_reason = NULL, attempts = m.attempts + 1, updated_at = now()
  FROM next WHERE m.id = next.id
  RETURNING m.id, m.recipient, m.kind, m.content::text, m.attempts, extract(epoch FROM m.created_at)::float8 AS accepted_at
), events AS (
  INSERT INTO message_events (message_id, status, detail)
  SELECT id, 'sending', json_build_object('attempt', attempts)::jsonb FROM claimed)
SELECT id, recipient, kind, content, attempts, accepted_at FROM claimed)SQL",
                        {session});
  if (!rows) return rows.error();
  if (rows->size() == 0) return std::optional<ClaimedMessage>{};
  auto content = content_from_json(rows->text(0, 2), rows->text(0, 3));
  if (!content) return content.error();
  ClaimedMessage claimed;
  claimed.message.id = rows->int64(0, 0);
  claimed.message.recipient = std::string(rows->text(0, 1));
  claimed.message.content = std::move(*content);
  claimed.attempts = static_cast<int>(rows->int64(0, 4));
  claimed.accepted_at_epoch = std::stod(std::string(rows->text(0, 5)));
  return std::optional<ClaimedMessage>(std::move(claimed));
}

Expected<void> record_attempt(pg::Connection& conn, std::int64_t message_id, std::int64_t session_id,
                              const SendOutcome& outcome, const AfterAttempt& decision) {
  const std::string detail = outcome_detail(outcome);
  const std::string id = std::to_string(message_id);
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<void> {
    switch (decision.action) {
      case Action::mark_sent: {
        // A status webhook may have overtaken this answer: keep the ids, never move backwards.
        auto ids = tx.exec(
            "UPDATE messages SET provider_message_id = COALESCE(provider_message_id, $2), "
            "wa_id = COALESCE(wa_id, $3), updated_at = now() WHERE id = $1",
            {id, optional_text(outcome.provider_message_id), optional_text(outcome.wa_id)});
        if (!ids) return ids.error();
        return transition_from_sending(tx, message_id, "sent", "", detail, 0, 0);
      }
      case Action::requeue:
        return transition_from_sending(tx, message_id, "queued", decision.reason, detail,
                                       decision.delay.count(), decision.refund_attempt ? 1 : 0);
      case Action::fail:
        return transition_from_sending(tx, message_id, "failed", decision.reason, detail, 0, 0);
      case Action::pause_session: {
        auto paused = tx.exec(
            "UPDATE whatsapp_sessions SET state = 'paused', paused_reason = $2 WHERE id = $1",
            {std::to_string(session_id), decision.reason});
        if (!paused) return paused.error();
        return transition_from_sending(tx, message_id, "queued", "session paused: " + decision.reason,
                                       detail, 0, 1);
      }
      case Action::await_webhook: {
        auto waiting = tx.exec(R"SQL(
WITH marked AS (
  UPDATE messages SET status_reason = $2, updated_at = now()
  WHERE id = $1 AND status = 'sending' RETURNING id)
INSERT INTO message_events (message_id, status, reason, detail)
SELECT id, 'sending', $2, $3::jsonb FROM marked)SQL",
                               {id, "outcome unknown, waiting for the provider's status: " + decision.reason, detail});
        if (!waiting) return waiting.error();
        return {};
      }
    }
    return {};
  });
}

Expected<std::int64_t> requeue_interrupted(pg::Connection& conn) {
  // status_reason IS NULL: claimed and never answered (an await_webhook message has a reason).
  auto rows = conn.exec(R"SQL(
WITH requeued AS (
  UPDATE messages SET status = 'queued', updated_at = now(),
         status_reason = 'requeued after restart: the interrupted attempt had no answer'
  WHERE status = 'sending' AND provider_message_id IS NULL AND status_reason IS NULL
  RETURNING id),
events AS (
  INSERT INTO message_events (message_id, status, reason)
  SELECT id, 'queued', 'requeued after restart: the interrupted attempt had no answer' FROM requeued)
SELECT count(*) FROM requeued)SQL");
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
  auto rows = conn.exec(R"SQL(
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
