#include "dispatcher/message_store.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/phone.hpp"
#include "common/rfc3339.hpp"
#include "dispatcher/pg_array.hpp"

namespace disparo::dispatch {
namespace {

std::string int_array(const std::vector<std::int64_t>& values) {
  PgArrayBuilder array;
  for (auto v : values) array.add(std::to_string(v));
  return std::move(array).finish();
}

// The INSERT shared by both halves of the accept statement, up to its filter on the key.
constexpr std::string_view kInsertFromInput = R"SQL(
  INSERT INTO messages (id, tenant_id, session_id, client_id, recipient, kind, content, priority,
                        status, status_reason, idempotency_key, metadata, callback_url, send_at, expires_at,
                        group_id, group_interval_ms)
  OVERRIDING SYSTEM VALUE
  SELECT new_id, $1, session_id, client_id, recipient, kind, content, priority,
         CASE WHEN suppressed IS NULL THEN 'queued' ELSE 'cancelled' END, suppressed,
         idempotency_key, metadata, callback_url, send_at, expires_at, group_id, group_interval_ms
  FROM input WHERE idempotency_key IS )SQL";

// One statement does it all: ids are drawn first so results map back to request order,
// ON CONFLICT skips idempotent replays, and the events of inserted rows go in with them.
// Rows without an idempotency key are inserted without ON CONFLICT: with it, PostgreSQL makes
// every row a speculative insertion (a lock taken and released and an extra WAL record per row)
// even when the row can never conflict. Built once from constant pieces.
const std::string& insert_sql() {
  static const std::string sql = std::string(R"SQL(
WITH input AS (
  SELECT t.*, nextval(pg_get_serial_sequence('messages', 'id')) AS new_id
  FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::smallint[],
              $8::text[], $9::jsonb[], $10::text[], $11::timestamptz[], $12::timestamptz[],
              $13::text[], $14::int[], $15::text[])
       WITH ORDINALITY AS t(session_id, client_id, recipient, kind, content, priority,
                            idempotency_key, metadata, callback_url, send_at, expires_at,
                            group_id, group_interval_ms, suppressed, ord)
), keyed AS ()SQL") + std::string(kInsertFromInput) + R"SQL(NOT NULL ORDER BY ord
  ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id, status, status_reason
), unkeyed AS ()SQL" + std::string(kInsertFromInput) + R"SQL(NULL ORDER BY ord
  RETURNING id, status, status_reason
), inserted AS (
  SELECT * FROM keyed UNION ALL SELECT * FROM unkeyed
), events AS (
  -- A suppressed message (recipient opted out of marketing) is accepted and cancelled at once.
  INSERT INTO message_events (message_id, status, reason)
  SELECT inserted.id, s.status, CASE WHEN s.status = 'cancelled' THEN inserted.status_reason END
  FROM inserted CROSS JOIN LATERAL (VALUES (1, 'accepted'), (2, inserted.status)) AS s(step, status)
  ORDER BY inserted.id, s.step
)
SELECT input.ord, inserted.id IS NOT NULL AS fresh,
       COALESCE(inserted.id, existing.id), COALESCE(existing.session_id, input.session_id),
       CASE WHEN inserted.id IS NOT NULL THEN inserted.status ELSE existing.status END
FROM input
LEFT JOIN inserted ON inserted.id = input.new_id
LEFT JOIN messages existing
       ON inserted.id IS NULL AND existing.tenant_id = $1 AND existing.idempotency_key = input.idempotency_key
ORDER BY input.ord
)SQL";
  return sql;
}

}  // namespace

Expected<TenantRouting> load_routing(pg::Connection& conn, std::int64_t tenant_id,
                                     const std::vector<SendRequest>& requests) {
  TenantRouting routing;
  auto sessions = conn.exec_prepared(
      "SELECT id, is_default FROM whatsapp_sessions WHERE tenant_id = $1", {std::to_string(tenant_id)});
  if (!sessions) return sessions.error();
  for (int r = 0; r < sessions->size(); ++r) {
    const auto id = sessions->int64(r, 0);
    routing.sessions.insert(id);
    if (sessions->boolean(r, 1)) routing.default_session = id;
  }
  std::vector<std::int64_t> servers, clients;
  for (const auto& request : requests) {
    if (request.server_id) servers.push_back(*request.server_id);
    if (request.client_id) clients.push_back(*request.client_id);
  }
  if (!servers.empty()) {
    auto rows = conn.exec_prepared("SELECT id, session_id FROM servers WHERE tenant_id = $1 AND id = ANY($2::bigint[])",
                          {std::to_string(tenant_id), int_array(servers)});
    if (!rows) return rows.error();
    for (int r = 0; r < rows->size(); ++r) {
      routing.server_sessions[rows->int64(r, 0)] =
          rows->is_null(r, 1) ? std::nullopt : std::optional<std::int64_t>(rows->int64(r, 1));
    }
  }
  if (!clients.empty()) {
    auto rows = conn.exec_prepared("SELECT id FROM clients WHERE tenant_id = $1 AND id = ANY($2::bigint[])",
                          {std::to_string(tenant_id), int_array(clients)});
    if (!rows) return rows.error();
    for (int r = 0; r < rows->size(); ++r) routing.clients_checked.insert(rows->int64(r, 0));
  }
  return routing;
}

std::vector<FieldError> route_requests(const TenantRouting& routing,
                                       const std::vector<SendRequest>& requests, bool is_batch,
                                       std::vector<std::int64_t>& sessions) {
  std::vector<FieldError> errors;
  sessions.clear();
  sessions.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    const std::string prefix = is_batch ? "messages[" + std::to_string(i) + "]." : "";
    std::optional<std::int64_t> session;
    if (request.session_id) {
      if (routing.sessions.contains(*request.session_id)) {
        session = request.session_id;
      } else {
        errors.push_back({prefix + "session", "no such session for this tenant"});
        continue;
      }
    } else if (request.server_id) {
      auto found = routing.server_sessions.find(*request.server_id);
      if (found == routing.server_sessions.end()) {
        errors.push_back({prefix + "server", "no such server for this tenant"});
        continue;
      }
      session = found->second ? found->second : routing.default_session;
    } else {
      session = routing.default_session;
    }
    if (request.client_id && !routing.clients_checked.contains(*request.client_id)) {
      errors.push_back({prefix + "client_id", "no such client for this tenant"});
      continue;
    }
    if (!session) {
      errors.push_back({prefix + "session",
                        "no session given and the tenant has no default session (or the server has none)"});
      continue;
    }
    sessions.push_back(*session);
  }
  return errors;
}

Expected<std::vector<FieldError>> check_acceptance(pg::Connection& conn, std::int64_t tenant_id,
                                                   std::vector<SendRequest>& requests,
                                                   const std::vector<std::int64_t>& sessions, bool is_batch) {
  std::vector<FieldError> errors;
  if (requests.empty()) return errors;
  struct SessionRules {
    std::string provider, waba_id;
    bool window_check = false;
  };
  std::map<std::int64_t, SessionRules> rules;
  auto rows = conn.exec_prepared(R"SQL(
SELECT id, provider, COALESCE(waba_id, ''), COALESCE(customer_window_check, provider = 'cloud_api')
FROM whatsapp_sessions WHERE tenant_id = $1 AND id = ANY($2::bigint[]))SQL",
                        {std::to_string(tenant_id), int_array(sessions)});
  if (!rows) return rows.error();
  for (int r = 0; r < rows->size(); ++r) {
    rules[rows->int64(r, 0)] = {std::string(rows->text(r, 1)), std::string(rows->text(r, 2)), rows->boolean(r, 3)};
  }
  std::vector<std::string> keys(requests.size());
  PgArrayBuilder key_array, window_sessions, window_keys, wabas, names;
  bool need_windows = false, need_templates = false;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    keys[i] = phone::digits_without_ninth(requests[i].to);
    key_array.add(keys[i]);
    const auto& rule = rules[sessions[i]];
    const auto* tpl = std::get_if<TemplateContent>(&requests[i].content);
    if (tpl == nullptr && rule.window_check) {
      window_sessions.add(std::to_string(sessions[i]));
      window_keys.add(keys[i]);
      need_windows = true;
    }
    if (tpl != nullptr && !rule.waba_id.empty()) {
      wabas.add(rule.waba_id);
      names.add(tpl->name);
      need_templates = true;
    }
  }
  std::set<std::pair<std::int64_t, std::string>> open_windows;
  if (need_windows) {
    auto open = conn.exec_prepared(R"SQL(
SELECT w.session_id, w.contact_key FROM customer_windows w
JOIN unnest($1::bigint[], $2::text[]) AS q(session_id, contact_key)
  ON q.session_id = w.session_id AND q.contact_key = w.contact_key
WHERE w.last_inbound_at > now() - interval '24 hours')SQL",
                          {std::move(window_sessions).finish(), std::move(window_keys).finish()});
    if (!open) return open.error();
    for (int r = 0; r < open->size(); ++r) open_windows.emplace(open->int64(r, 0), std::string(open->text(r, 1)));
  }
  std::map<std::string, std::string> template_status;  // "waba|name|language" -> status
  if (need_templates) {
    auto known = conn.exec_prepared(R"SQL(
SELECT waba_id || '|' || name || '|' || language, status FROM provider_templates
WHERE waba_id = ANY($1::text[]) AND name = ANY($2::text[]))SQL",
                           {std::move(wabas).finish(), std::move(names).finish()});
    if (!known) return known.error();
    for (int r = 0; r < known->size(); ++r) template_status[std::string(known->text(r, 0))] = std::string(known->text(r, 1));
  }
  std::map<std::string, std::string> opted_out;  // contact key -> keyword
  auto outs = conn.exec_prepared("SELECT contact_key, keyword FROM opt_outs WHERE tenant_id = $1 AND contact_key = ANY($2::text[])",
                        {std::to_string(tenant_id), std::move(key_array).finish()});
  if (!outs) return outs.error();
  for (int r = 0; r < outs->size(); ++r) opted_out[std::string(outs->text(r, 0))] = std::string(outs->text(r, 1));

  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto& request = requests[i];
    const std::string prefix = is_batch ? "messages[" + std::to_string(i) + "]." : "";
    const auto& rule = rules[sessions[i]];
    const auto* tpl = std::get_if<TemplateContent>(&request.content);
    if (tpl != nullptr && rule.provider == "evolution") {
      errors.push_back({prefix + "template", "templates are sent only through Cloud API sessions; this session uses Evolution API"});
      continue;
    }
    if (tpl != nullptr && !rule.waba_id.empty()) {
      auto found = template_status.find(rule.waba_id + "|" + tpl->name + "|" + tpl->language);
      if (found != template_status.end() && found->second != "APPROVED" && found->second != "REINSTATED") {
        errors.push_back({prefix + "template.name", "template " + tpl->name + " (" + tpl->language + ") is " +
                                                        found->second + " at the provider; only approved templates can be sent"});
        continue;
      }
    }
    if (tpl == nullptr && rule.window_check && !open_windows.contains({sessions[i], keys[i]})) {
      errors.push_back({prefix + "to", "outside the 24-hour customer-service window: this person sent no message to "
                                       "the session in the last 24 hours, so only an approved template can be sent"});
      continue;
    }
    if (request.priority == Priority::marketing) {
      if (auto found = opted_out.find(keys[i]); found != opted_out.end()) {
        request.suppressed_reason = "recipient opted out of marketing (" + found->second + ")";
      }
    }
  }
  return errors;
}

Expected<std::vector<AcceptedMessage>> insert_messages(pg::Connection& conn, std::int64_t tenant_id,
                                                       const std::vector<SendRequest>& requests,
                                                       const std::vector<std::int64_t>& sessions) {
  // The same key twice in one batch: the first one is inserted, the others replay it.
  std::map<std::string, std::size_t, std::less<>> first_with_key;
  std::vector<std::optional<std::size_t>> replay_of(requests.size());
  PgArrayBuilder session_ids, client_ids, recipients, kinds, contents, priorities, keys, metadata,
      callbacks, send_ats, expires_ats, group_ids, group_intervals, suppressed;
  std::vector<std::size_t> sent_index;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    if (!request.idempotency_key.empty()) {
      auto [it, inserted] = first_with_key.emplace(request.idempotency_key, i);
      if (!inserted) {
        replay_of[i] = it->second;
        continue;
      }
    }
    sent_index.push_back(i);
    session_ids.add(std::to_string(sessions[i]));
    request.client_id ? client_ids.add(std::to_string(*request.client_id)) : client_ids.add_null();
    recipients.add(request.to);
    kinds.add(kind_of(request.content));
    contents.add(content_to_json(request.content));
    priorities.add(std::to_string(static_cast<int>(request.priority)));
    request.idempotency_key.empty() ? keys.add_null() : keys.add(request.idempotency_key);
    request.metadata_json.empty() ? metadata.add_null() : metadata.add(request.metadata_json);
    request.callback_url.empty() ? callbacks.add_null() : callbacks.add(request.callback_url);
    send_ats.add(format_rfc3339(request.send_at));
    expires_ats.add(format_rfc3339(request.expires_at));
    request.group_id.empty() ? group_ids.add_null() : group_ids.add(request.group_id);
    request.group_id.empty() ? group_intervals.add_null()
                             : group_intervals.add(std::to_string(request.group_interval.count()));
    request.suppressed_reason.empty() ? suppressed.add_null() : suppressed.add(request.suppressed_reason);
  }
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<std::vector<AcceptedMessage>> {
    auto rows = tx.exec_prepared(insert_sql(),
                        {std::to_string(tenant_id), std::move(session_ids).finish(),
                         std::move(client_ids).finish(), std::move(recipients).finish(),
                         std::move(kinds).finish(), std::move(contents).finish(),
                         std::move(priorities).finish(), std::move(keys).finish(),
                         std::move(metadata).finish(), std::move(callbacks).finish(),
                         std::move(send_ats).finish(), std::move(expires_ats).finish(),
                         std::move(group_ids).finish(), std::move(group_intervals).finish(),
                         std::move(suppressed).finish()});
    if (!rows) return rows.error();
    std::vector<AcceptedMessage> results(requests.size());
    std::vector<std::size_t> unresolved;  // replays of a key committed concurrently
    for (int r = 0; r < rows->size(); ++r) {
      const auto original = sent_index[static_cast<std::size_t>(rows->int64(r, 0) - 1)];
      auto& result = results[original];
      result.replayed = !rows->boolean(r, 1);
      if (rows->is_null(r, 2)) {
        unresolved.push_back(original);
        continue;
      }
      result.id = rows->int64(r, 2);
      result.session_id = rows->int64(r, 3);
      result.status = std::string(rows->text(r, 4));
    }
    // A concurrent transaction committed the same key after our statement's snapshot: a new
    // statement sees it.
    for (auto index : unresolved) {
      auto row = tx.exec_prepared("SELECT id, session_id, status FROM messages WHERE tenant_id = $1 AND idempotency_key = $2",
                         {std::to_string(tenant_id), requests[index].idempotency_key});
      if (!row) return row.error();
      if (row->size() != 1) return make_error(ErrorKind::internal, "idempotent replay without original");
      results[index] = {row->int64(0, 0), row->int64(0, 1), std::string(row->text(0, 2)), true};
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (replay_of[i]) {
        results[i] = results[*replay_of[i]];
        results[i].replayed = true;
      }
    }
    return results;
  });
}

Expected<std::string> message_json(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec_prepared(R"SQL(
SELECT json_build_object(
  'id', m.id::text, 'status', m.status, 'status_reason', m.status_reason, 'to', m.recipient,
  'session', m.session_id::text, 'client_id', m.client_id::text, 'kind', m.kind, 'content', m.content,
  'priority', CASE m.priority WHEN 0 THEN 'transactional' ELSE 'marketing' END,
  'idempotency_key', m.idempotency_key, 'metadata', m.metadata, 'callback_url', m.callback_url,
  'send_at', disparo_rfc3339(m.send_at), 'expires_at', disparo_rfc3339(m.expires_at),
  'group', CASE WHEN m.group_id IS NULL THEN NULL
                ELSE json_build_object('id', m.group_id, 'interval_seconds', m.group_interval_ms / 1000.0) END,
  'waiting_for', CASE WHEN m.status = 'queued' THEN
                   COALESCE(CASE WHEN s.state = 'paused' THEN 'session paused: ' || COALESCE(s.paused_reason, '') END,
                            s.hold_reason) END,
  'attempts', m.attempts, 'provider_message_id', m.provider_message_id, 'wa_id', m.wa_id,
  'created_at', disparo_rfc3339(m.created_at), 'updated_at', disparo_rfc3339(m.updated_at),
  'events', COALESCE((SELECT json_agg(json_build_object(
                        'status', e.status, 'reason', e.reason, 'detail', e.detail,
                        'at', disparo_rfc3339(e.occurred_at), 'recorded_at', disparo_rfc3339(e.recorded_at))
                      ORDER BY e.id)
                      FROM message_events e WHERE e.message_id = m.id), '[]'::json))::text
FROM messages m JOIN whatsapp_sessions s ON s.id = m.session_id
WHERE m.id = $1 AND m.tenant_id = $2)SQL",
                        {std::to_string(id), std::to_string(tenant_id)});
  if (!rows) return rows.error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "no such message");
  return std::string(rows->text(0, 0));
}

}  // namespace disparo::dispatch
