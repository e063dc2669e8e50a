#include "dispatcher/session_store.hpp"

#include "common/json_writer.hpp"
#include "common/rfc3339.hpp"
#include "dispatcher/pacing/local_calendar.hpp"
#include "dispatcher/pacing/pacing_policy.hpp"

namespace disparo::dispatch {
namespace {

std::optional<std::string> text_or_null(const pg::Rows& rows, int col) {
  if (rows.is_null(0, col)) return std::nullopt;
  return std::string(rows.text(0, col));
}

void field_or_null(JsonWriter& json, std::string_view key, const std::optional<std::string>& value) {
  value ? json.field(key, *value) : json.field_null(key);
}

}  // namespace

Expected<std::string> session_state_json(pg::Connection& conn, std::int64_t tenant_id, std::int64_t session_id) {
  auto rows = conn.exec(R"SQL(
SELECT s.name, s.provider, s.state, s.paused_reason, disparo_rfc3339(s.paused_at), s.hold_reason,
       disparo_rfc3339(s.next_send_at), s.min_interval_ms, s.jitter_ms, s.burst, s.daily_cap,
       to_char(s.window_start, 'HH24:MI'), to_char(s.window_end, 'HH24:MI'),
       s.warmup_start_cap, s.warmup_days, s.warmup_started_on::text, t.time_zone,
       (SELECT count(*) FROM messages m WHERE m.session_id = s.id AND m.status = 'queued' AND m.priority = 0),
       (SELECT count(*) FROM messages m WHERE m.session_id = s.id AND m.status = 'queued' AND m.priority = 1),
       (SELECT disparo_rfc3339(min(m.created_at)) FROM messages m WHERE m.session_id = s.id AND m.status = 'queued'),
       (SELECT count(*) FROM messages m WHERE m.session_id = s.id AND m.status = 'sending'),
       (SELECT count(*) FROM session_sends l
         WHERE l.session_id = s.id
           AND l.started_at >= (date_trunc('day', now() AT TIME ZONE t.time_zone) AT TIME ZONE t.time_zone))
FROM whatsapp_sessions s JOIN tenants t ON t.id = s.tenant_id
WHERE s.id = $1 AND s.tenant_id = $2)SQL",
                        {std::to_string(session_id), std::to_string(tenant_id)});
  if (!rows) return rows.error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "no such session");

  // Today's cap (warm-up applied) with the engine's own rule, in the tenant's calendar.
  PacingPolicy policy;
  policy.daily_cap = static_cast<int>(rows->int64(0, 10));
  int year = 0;
  unsigned month = 0, day = 0;
  const std::string started(rows->text(0, 15));
  if (!rows->is_null(0, 13) && !rows->is_null(0, 14) &&
      std::sscanf(started.c_str(), "%d-%u-%u", &year, &month, &day) == 3) {
    policy.warm_up = WarmUp{static_cast<int>(rows->int64(0, 13)), static_cast<int>(rows->int64(0, 14)),
                            date::local_days{date::year_month_day{date::year{year}, date::month{month}, date::day{day}}}};
  }
  auto calendar = LocalCalendar::for_zone(rows->text(0, 16));
  if (!calendar) calendar = LocalCalendar::for_zone("America/Sao_Paulo");
  const int cap_today = cap_for_day(policy, calendar->day_of(SystemClock{}.now()));

  JsonWriter json;
  json.begin_object();
  json.field("session", std::to_string(session_id));
  json.field("name", rows->text(0, 0));
  json.field("provider", rows->text(0, 1));
  json.field("state", rows->text(0, 2));
  field_or_null(json, "paused_reason", text_or_null(*rows, 3));
  field_or_null(json, "paused_at", text_or_null(*rows, 4));
  field_or_null(json, "waiting_for", text_or_null(*rows, 5));
  field_or_null(json, "next_send_at", text_or_null(*rows, 6));
  json.key("queue").begin_object();
  json.field("transactional", rows->int64(0, 17));
  json.field("marketing", rows->int64(0, 18));
  json.end_object();
  field_or_null(json, "oldest_queued_at", text_or_null(*rows, 19));
  json.field("in_flight", rows->int64(0, 20));
  json.field("sent_today", rows->int64(0, 21));
  json.field("daily_cap_today", cap_today);
  json.field("time_zone", rows->text(0, 16));
  json.key("policy").begin_object();
  json.field("min_interval_ms", rows->int64(0, 7));
  json.field("jitter_ms", rows->int64(0, 8));
  json.field("burst", rows->int64(0, 9));
  json.field("daily_cap", rows->int64(0, 10));
  field_or_null(json, "window_start", text_or_null(*rows, 11));
  field_or_null(json, "window_end", text_or_null(*rows, 12));
  json.end_object();
  json.end_object();
  return std::move(json).str();
}

Expected<void> set_session_state(pg::Connection& conn, std::int64_t tenant_id, std::int64_t session_id,
                                 bool paused, const std::string& reason) {
  const std::string from = paused ? "active" : "paused";
  const std::string to = paused ? "paused" : "active";
  auto rows = conn.exec(R"SQL(
WITH changed AS (
  UPDATE whatsapp_sessions
  SET state = $3, paused_reason = CASE WHEN $3 = 'paused' THEN $5 END,
      paused_at = CASE WHEN $3 = 'paused' THEN now() END
  WHERE id = $1 AND tenant_id = $2 AND state = $4 RETURNING id),
events AS (
  INSERT INTO session_events (session_id, state, reason) SELECT id, $3, $5 FROM changed)
SELECT (SELECT count(*) FROM changed),
       (SELECT state FROM whatsapp_sessions WHERE id = $1 AND tenant_id = $2))SQL",
                        {std::to_string(session_id), std::to_string(tenant_id), to, from, reason});
  if (!rows) return rows.error();
  if (rows->int64(0, 0) == 1) return {};
  if (rows->is_null(0, 1)) return make_error(ErrorKind::not_found, "no such session");
  return make_error(ErrorKind::conflict, "the session is already " + to);
}

Expected<void> cancel_message(pg::Connection& conn, std::int64_t tenant_id, std::int64_t message_id) {
  auto rows = conn.exec(R"SQL(
WITH cancelled AS (
  UPDATE messages SET status = 'cancelled', status_reason = 'cancelled by API', updated_at = now()
  WHERE id = $1 AND tenant_id = $2 AND status IN ('accepted', 'queued') RETURNING id),
events AS (
  INSERT INTO message_events (message_id, status, reason) SELECT id, 'cancelled', 'cancelled by API' FROM cancelled)
SELECT (SELECT count(*) FROM cancelled),
       (SELECT status FROM messages WHERE id = $1 AND tenant_id = $2))SQL",
                        {std::to_string(message_id), std::to_string(tenant_id)});
  if (!rows) return rows.error();
  if (rows->int64(0, 0) == 1) return {};
  if (rows->is_null(0, 1)) return make_error(ErrorKind::not_found, "no such message");
  return make_error(ErrorKind::conflict,
                    "the message is " + std::string(rows->text(0, 1)) + "; only queued messages can be cancelled");
}

}  // namespace disparo::dispatch
