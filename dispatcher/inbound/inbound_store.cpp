#include "dispatcher/inbound/inbound_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "common/json_writer.hpp"
#include "common/phone.hpp"
#include "dispatcher/inbound/opt_out.hpp"
#include "dispatcher/pg_array.hpp"

namespace disparo::dispatch {
namespace {

pg::Param optional_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
}

// Order on the way to the furthest status; failed sits between delivered and read so that, in
// one batch, "read" wins over a "failed" (read is final) and "failed" over "delivered".
int rank_of(const std::string& status) {
  if (status == "sent") return 3;
  if (status == "delivered") return 4;
  if (status == "failed") return 5;
  if (status == "read") return 6;
  return 0;
}

std::vector<std::string> parse_text_array(std::string_view literal) {
  // PostgreSQL text[] output: {A,B,"C D"}. Keywords are simple words; quotes are unwrapped.
  std::vector<std::string> out;
  if (literal.size() < 2) return out;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\\' && i + 2 < literal.size()) {
      current.push_back(literal[++i]);
    } else if (c == ',' && !quoted) {
      out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  out.push_back(std::move(current));
  return out;
}

std::string contact_key_of(const std::string& wa_id) {
  auto e164 = phone::e164_from_wa_id(wa_id);
  if (!e164) return {};
  return phone::digits_without_ninth(*e164);
}

}  // namespace

// ---------------------------------------------------------------- inbox

Expected<std::int64_t> store_webhook(pg::Connection& conn, std::string_view provider,
                                     std::optional<std::int64_t> session_id, std::string_view body) {
  auto rows = conn.exec_prepared("INSERT INTO provider_webhook_inbox (provider, session_id, body) VALUES ($1, $2::bigint, $3) RETURNING id",
                        {std::string(provider), session_id ? pg::Param(std::to_string(*session_id)) : std::nullopt,
                         std::string(body)});
  if (!rows) return rows.error();
  return rows->int64(0, 0);
}

Expected<std::vector<InboxItem>> lock_inbox_items(pg::Connection& conn, const std::vector<std::int64_t>& ids) {
  PgArrayBuilder wanted;
  for (const auto id : ids) wanted.add(std::to_string(id));
  auto rows = conn.exec_prepared(R"SQL(
SELECT id, provider, session_id, body FROM provider_webhook_inbox
WHERE id = ANY($1::bigint[]) AND processed_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED)SQL",
                        {std::move(wanted).finish()});
  if (!rows) return rows.error();
  std::vector<InboxItem> items;
  items.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) {
    InboxItem item;
    item.id = rows->int64(r, 0);
    item.provider = std::string(rows->text(r, 1));
    if (!rows->is_null(r, 2)) item.session_id = rows->int64(r, 2);
    item.body = std::string(rows->text(r, 3));
    items.push_back(std::move(item));
  }
  return items;
}

Expected<std::vector<std::int64_t>> pending_inbox(pg::Connection& conn, int older_than_seconds, int limit) {
  auto rows = conn.exec_prepared(R"SQL(
SELECT id FROM provider_webhook_inbox
WHERE processed_at IS NULL AND received_at < now() - make_interval(secs => $1::int)
ORDER BY id LIMIT $2::int)SQL",
                        {std::to_string(older_than_seconds), std::to_string(limit)});
  if (!rows) return rows.error();
  std::vector<std::int64_t> ids;
  for (int r = 0; r < rows->size(); ++r) ids.push_back(rows->int64(r, 0));
  return ids;
}

Expected<void> finish_inbox_items(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                  const std::vector<std::string>& errors) {
  if (ids.empty()) return {};
  PgArrayBuilder done_ids, done_errors;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    done_ids.add(std::to_string(ids[i]));
    done_errors.add_optional(optional_text(errors.at(i)));
  }
  auto done = conn.exec_prepared(R"SQL(
UPDATE provider_webhook_inbox i SET processed_at = now(), error = d.error, attempts = i.attempts + 1
FROM unnest($1::bigint[], $2::text[]) AS d(id, error) WHERE i.id = d.id)SQL",
                                 {std::move(done_ids).finish(), std::move(done_errors).finish()});
  if (!done) return done.error();
  return {};
}

// ---------------------------------------------------------------- statuses

StatusInput status_input_of(const ProviderStatusReport& report) {
  StatusInput in;
  in.provider_message_id = report.provider_message_id;
  in.callback_data = report.callback_data;
  in.phone_number_id = report.phone_number_id;
  in.recipient = report.recipient_id;
  in.recipient_e164 = phone::e164_from_wa_id(report.recipient_id).value_or("");
  in.status = report.status;
  in.timestamp = report.timestamp;
  in.error_code = report.error_code;
  in.error_detail = report.error_detail;
  return in;
}

StatusInput status_input_of(const EvolutionStatus& status, std::int64_t session_id) {
  StatusInput in;
  in.provider_message_id = status.key_id;
  in.session_id = session_id;
  in.recipient = status.remote_jid;
  in.recipient_e164 = phone::e164_from_wa_id(status.remote_jid).value_or("");
  in.status = status.status;
  if (status.status == "failed") in.error_detail = "Evolution reported " + status.raw_status;
  return in;
}

Expected<std::vector<StatusApplied>> apply_status_batch(pg::Connection& conn, const std::vector<StatusInput>& reports) {
  std::vector<StatusApplied> results(reports.size());
  PgArrayBuilder ids, callbacks, pnids, sessions, recipients, e164s, statuses, ranks, stamps, codes, reasons;
  std::size_t used = 0;
  for (const auto& r : reports) {
    const int rank = rank_of(r.status);
    ids.add(r.provider_message_id);
    all_digits(r.callback_data) ? callbacks.add(r.callback_data) : callbacks.add_null();
    pnids.add_optional(optional_text(r.phone_number_id));
    r.session_id ? sessions.add(std::to_string(*r.session_id)) : sessions.add_null();
    recipients.add_optional(optional_text(r.recipient));
    e164s.add_optional(optional_text(r.recipient_e164));
    statuses.add(r.status);
    ranks.add(std::to_string(rank));
    r.timestamp > 0 ? stamps.add(std::to_string(r.timestamp)) : stamps.add_null();
    codes.add_optional(optional_text(r.error_code));
    std::string reason;
    if (r.status == "failed") {
      reason = "provider reported failure";
      if (!r.error_code.empty()) reason += ": code " + r.error_code;
      if (!r.error_detail.empty()) reason += " (" + r.error_detail + ")";
    }
    reasons.add_optional(optional_text(reason));
    if (rank > 0) ++used;
  }
  if (used == 0) return results;
  // One statement for the whole batch: unnest the reports, find each one's message, keep those
  // that move it forward, update each message once to the furthest, store an event per step.
  auto rows = conn.exec_prepared(R"SQL(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                       $7::text[], $8::int[], $9::bigint[], $10::text[], $11::text[])
    WITH ORDINALITY AS r(provider_id, callback_id, pnid, session_id, recipient, e164, status, rank, ts, code, reason, ord)
  WHERE rank > 0
), matched AS (
  SELECT i.*, t.id AS message_id FROM input i CROSS JOIN LATERAL (
    (SELECT m.id FROM messages m WHERE m.provider_message_id = i.provider_id
     UNION ALL
     SELECT m.id FROM messages m JOIN whatsapp_sessions s ON s.id = m.session_id
     WHERE i.callback_id IS NOT NULL AND m.id = i.callback_id AND m.provider_message_id IS NULL
       AND s.phone_number_id = i.pnid
     UNION ALL
     (SELECT m.id FROM messages m
      WHERE i.session_id IS NOT NULL AND i.e164 IS NOT NULL AND m.session_id = i.session_id
        AND m.recipient = i.e164 AND m.provider_message_id IS NULL AND m.status = 'sending'
      ORDER BY m.id LIMIT 1))
    LIMIT 1) t
), current AS (
  -- Locked in id order, as the outcome records lock theirs: two transactions that both lock a
  -- set of messages this way wait for each other but never deadlock.
  SELECT m.id, m.status FROM messages m WHERE m.id IN (SELECT message_id FROM matched)
  ORDER BY m.id FOR UPDATE
), applicable AS (
  SELECT x.*, row_number() OVER (PARTITION BY x.message_id ORDER BY x.rank DESC, x.ord) AS pick
  FROM matched x JOIN current c ON c.id = x.message_id
  WHERE c.status IN ('sending', 'sent', 'delivered')
    AND (x.status = 'failed' OR x.rank > CASE c.status WHEN 'sending' THEN 2 WHEN 'sent' THEN 3 ELSE 4 END)
), steps AS (
  SELECT DISTINCT ON (message_id, status) * FROM applicable
  WHERE status <> 'failed' OR pick = 1 ORDER BY message_id, status, ord
), moved AS (
  UPDATE messages m SET status = a.status, status_reason = a.reason, updated_at = now(),
         provider_message_id = COALESCE(m.provider_message_id, a.provider_id),
         wa_id = COALESCE(m.wa_id, a.recipient)
  FROM applicable a WHERE a.pick = 1 AND m.id = a.message_id
  RETURNING m.id
), events AS (
  INSERT INTO message_events (message_id, status, reason, detail, occurred_at)
  SELECT s.message_id, s.status, s.reason,
         json_build_object('provider_message_id', s.provider_id, 'error_code', s.code)::jsonb,
         COALESCE(to_timestamp(s.ts), now())
  FROM steps s ORDER BY s.message_id, s.rank
), matched_per_report AS (
  SELECT ord, count(*) AS n FROM matched GROUP BY ord
), steps_per_report AS (
  -- sent -> delivered (the events inserted above are not visible here: only earlier ones)
  SELECT s.ord, count(*) AS n,
         max(CASE WHEN s.status = 'delivered' THEN
               extract(epoch FROM COALESCE(to_timestamp(s.ts), now()) -
                 (SELECT min(e.occurred_at) FROM message_events e
                  WHERE e.message_id = s.message_id AND e.status = 'sent'))::float8 END) AS to_delivered
  FROM steps s GROUP BY s.ord
)
-- Counted per report and returned as two lists, never joined back to the input: a subquery or a
-- nested loop per report rescans a whole list for every report, quadratic in the batch (Meta
-- puts up to 1,000 statuses in one POST: ~1 s of this statement under load).
SELECT 'matched', ord, n, NULL::float8 FROM matched_per_report
UNION ALL
SELECT 'advanced', ord, n, to_delivered FROM steps_per_report)SQL",
                        {std::move(ids).finish(), std::move(callbacks).finish(), std::move(pnids).finish(),
                         std::move(sessions).finish(), std::move(recipients).finish(), std::move(e164s).finish(),
                         std::move(statuses).finish(), std::move(ranks).finish(), std::move(stamps).finish(),
                         std::move(codes).finish(), std::move(reasons).finish()});
  if (!rows) return rows.error();
  for (int r = 0; r < rows->size(); ++r) {
    const auto ord = static_cast<std::size_t>(rows->int64(r, 1));
    if (ord < 1 || ord > results.size()) continue;
    StatusApplied& result = results[ord - 1];
    if (rows->text(r, 0) == "matched") {
      result.matched = rows->int64(r, 2) > 0;
      continue;
    }
    result.advanced = rows->int64(r, 2) > 0;
    if (!rows->is_null(r, 3)) {
      result.sent_to_delivered_seconds = std::strtod(std::string(rows->text(r, 3)).c_str(), nullptr);
    }
  }
  return results;
}

// ---------------------------------------------------------------- inbound messages

Expected<InboundApplied> apply_inbound(pg::Connection& conn, const std::vector<InboundMessage>& messages,
                                       std::optional<std::int64_t> session_id) {
  InboundApplied applied;
  if (messages.empty()) return applied;
  PgArrayBuilder pnids;
  for (const auto& m : messages) pnids.add(m.phone_number_id);
  auto sessions = conn.exec_prepared(R"SQL(
SELECT s.id, s.tenant_id, COALESCE(s.phone_number_id, ''), t.opt_out_keywords::text, t.opt_in_keywords::text
FROM whatsapp_sessions s JOIN tenants t ON t.id = s.tenant_id
WHERE s.id = $1::bigint OR (s.provider <> 'evolution' AND s.phone_number_id = ANY($2::text[])))SQL",
                            {session_id ? pg::Param(std::to_string(*session_id)) : std::nullopt,
                             std::move(pnids).finish()});
  if (!sessions) return sessions.error();
  struct Known {
    std::int64_t id, tenant;
    std::vector<std::string> opt_out, opt_in;
  };
  std::map<std::string, Known> by_pnid;
  std::optional<Known> fixed;
  for (int r = 0; r < sessions->size(); ++r) {
    Known known{sessions->int64(r, 0), sessions->int64(r, 1), parse_text_array(sessions->text(r, 3)),
                parse_text_array(sessions->text(r, 4))};
    if (session_id && known.id == *session_id) fixed = known;
    if (!sessions->text(r, 2).empty()) by_pnid.emplace(std::string(sessions->text(r, 2)), known);
  }
  // Last word per (tenant, person) in timestamp order: SAIR then VOLTAR in one batch = opted in.
  PgArrayBuilder w_sessions, w_keys, w_times;
  std::map<std::pair<std::int64_t, std::string>, std::pair<KeywordMatch, std::pair<std::int64_t, std::int64_t>>> last;
  std::map<std::string, std::string> e164_of;  // contact key -> canonical E.164
  std::vector<const InboundMessage*> ordered;
  for (const auto& m : messages) ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->timestamp < b->timestamp; });
  for (const auto* m : ordered) {
    const Known* known = nullptr;
    if (session_id) {
      if (fixed) known = &*fixed;
    } else if (auto found = by_pnid.find(m->phone_number_id); found != by_pnid.end()) {
      known = &found->second;
    }
    const std::string key = contact_key_of(m->from);
    if (known == nullptr || key.empty()) {
      ++applied.unmatched;
      continue;
    }
    w_sessions.add(std::to_string(known->id));
    w_keys.add(key);
    m->timestamp > 0 ? w_times.add(std::to_string(m->timestamp)) : w_times.add_null();
    ++applied.windows;
    auto match = match_keyword(m->text, known->opt_out, known->opt_in);
    if (match.action != KeywordAction::none) {
      last[{known->tenant, key}] = {match, {known->id, m->timestamp}};
      e164_of[key] = phone::e164_from_wa_id(m->from).value_or("");
    }
  }
  if (applied.windows > 0) {
    // A window only moves forward (a late duplicate never shortens it).
    auto done = conn.exec_prepared(R"SQL(
INSERT INTO customer_windows (session_id, contact_key, last_inbound_at)
SELECT session_id, contact_key, max(COALESCE(to_timestamp(ts), now()))
FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS w(session_id, contact_key, ts)
GROUP BY session_id, contact_key
ON CONFLICT (session_id, contact_key) DO UPDATE
SET last_inbound_at = GREATEST(customer_windows.last_inbound_at, EXCLUDED.last_inbound_at))SQL",
                          {std::move(w_sessions).finish(), std::move(w_keys).finish(), std::move(w_times).finish()});
    if (!done) return done.error();
  }
  PgArrayBuilder o_tenants, o_keys, o_words, o_sessions, o_times, i_tenants, i_keys, c_tenants, c_e164s, c_words;
  for (const auto& [who, what] : last) {
    if (what.first.action == KeywordAction::opt_out) {
      o_tenants.add(std::to_string(who.first));
      o_keys.add(who.second);
      o_words.add(what.first.keyword);
      o_sessions.add(std::to_string(what.second.first));
      what.second.second > 0 ? o_times.add(std::to_string(what.second.second)) : o_times.add_null();
      c_tenants.add(std::to_string(who.first));
      c_e164s.add(e164_of[who.second]);
      c_words.add(what.first.keyword);
      ++applied.opt_outs;
    } else {
      i_tenants.add(std::to_string(who.first));
      i_keys.add(who.second);
      ++applied.opt_ins;
    }
  }
  if (applied.opt_outs > 0) {
    auto done = conn.exec_prepared(R"SQL(
INSERT INTO opt_outs (tenant_id, contact_key, keyword, session_id, opted_out_at)
SELECT t, k, w, s, COALESCE(to_timestamp(ts), now())
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS o(t, k, w, s, ts)
ON CONFLICT (tenant_id, contact_key) DO UPDATE
SET keyword = EXCLUDED.keyword, session_id = EXCLUDED.session_id, opted_out_at = EXCLUDED.opted_out_at)SQL",
                          {std::move(o_tenants).finish(), std::move(o_keys).finish(), std::move(o_words).finish(),
                           std::move(o_sessions).finish(), std::move(o_times).finish()});
    if (!done) return done.error();
    // Marketing already waiting for that person is not sent either.
    auto cancelled = conn.exec_prepared(R"SQL(
WITH cancelled AS (
  UPDATE messages m SET status = 'cancelled', updated_at = now(),
         status_reason = 'recipient opted out of marketing (' || o.w || ')'
  FROM unnest($1::bigint[], $2::text[], $3::text[]) AS o(t, e164, w)
  WHERE m.tenant_id = o.t AND m.recipient = o.e164 AND m.priority = 1 AND m.status IN ('accepted', 'queued')
  RETURNING m.id, m.status_reason)
INSERT INTO message_events (message_id, status, reason) SELECT id, 'cancelled', status_reason FROM cancelled)SQL",
                               {std::move(c_tenants).finish(), std::move(c_e164s).finish(), std::move(c_words).finish()});
    if (!cancelled) return cancelled.error();
  }
  if (applied.opt_ins > 0) {
    auto done = conn.exec_prepared(R"SQL(
DELETE FROM opt_outs o USING unnest($1::bigint[], $2::text[]) AS i(t, k)
WHERE o.tenant_id = i.t AND o.contact_key = i.k)SQL",
                          {std::move(i_tenants).finish(), std::move(i_keys).finish()});
    if (!done) return done.error();
  }
  return applied;
}

// ---------------------------------------------------------------- Cloud API account notifications

Expected<int> apply_template_updates(pg::Connection& conn, const std::vector<TemplateStatusUpdate>& updates) {
  if (updates.empty()) return 0;
  PgArrayBuilder wabas, names, languages, statuses, reasons, ids;
  for (const auto& u : updates) {
    wabas.add(u.waba_id);
    names.add(u.name);
    languages.add(u.language);
    statuses.add(u.event);
    reasons.add_optional(optional_text(u.reason));
    ids.add_optional(optional_text(u.template_id));
  }
  // Later updates of one template in the same POST win (DISTINCT ON keeps the last by position).
  auto done = conn.exec_prepared(R"SQL(
INSERT INTO provider_templates (waba_id, name, language, status, reason, template_id, updated_at)
SELECT DISTINCT ON (w, n, l) w, n, l, s, r, i, now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u(w, n, l, s, r, i, ord)
ORDER BY w, n, l, ord DESC
ON CONFLICT (waba_id, name, language) DO UPDATE
SET status = EXCLUDED.status, reason = EXCLUDED.reason,
    template_id = COALESCE(EXCLUDED.template_id, provider_templates.template_id), updated_at = now())SQL",
                        {std::move(wabas).finish(), std::move(names).finish(), std::move(languages).finish(),
                         std::move(statuses).finish(), std::move(reasons).finish(), std::move(ids).finish()});
  if (!done) return done.error();
  return static_cast<int>(done->affected());
}

Expected<int> apply_quality_updates(pg::Connection& conn, const std::vector<QualityUpdate>& updates) {
  int changed = 0;
  for (const auto& u : updates) {  // rare (a few a day): one statement each is fine
    auto done = conn.exec_prepared(R"SQL(
UPDATE whatsapp_sessions SET quality_rating = COALESCE($4, quality_rating),
       messaging_tier = COALESCE($5, messaging_tier), quality_updated_at = now()
WHERE provider <> 'evolution'
  AND (($1::text IS NOT NULL AND phone_number_id = $1) OR ($1::text IS NULL AND waba_id = $2)
       OR ($1::text IS NULL AND $3::text IS NOT NULL AND phone_number_id = $3)))SQL",
                          {optional_text(u.phone_number_id), optional_text(u.waba_id),
                           optional_text(u.display_phone_number), optional_text(u.quality), optional_text(u.tier)});
    if (!done) return done.error();
    changed += static_cast<int>(done->affected());
  }
  return changed;
}

// ---------------------------------------------------------------- Evolution session

Expected<std::optional<EvolutionSessionAuth>> evolution_session_auth(pg::Connection& conn, std::int64_t session_id) {
  auto rows = conn.exec_prepared("SELECT tenant_id, COALESCE(webhook_secret, '') FROM whatsapp_sessions WHERE id = $1 AND provider = 'evolution'",
                        {std::to_string(session_id)});
  if (!rows) return rows.error();
  if (rows->size() == 0) return std::optional<EvolutionSessionAuth>();
  return std::optional<EvolutionSessionAuth>(EvolutionSessionAuth{rows->int64(0, 0), std::string(rows->text(0, 1))});
}

Expected<SessionChange> apply_connection(pg::Connection& conn, std::int64_t session_id,
                                         const EvolutionConnection& connection) {
  const bool down = connection.state == "close" || connection.state == "refused";
  const bool up = connection.state == "open";
  const std::string reason = "evolution: connection " + connection.state +
                             (connection.status_reason != 0 ? " (" + std::to_string(connection.status_reason) + ")" : "");
  auto rows = conn.exec_prepared(R"SQL(
WITH changed AS (
  UPDATE whatsapp_sessions s
  SET connection_state = $2, connection_reason = $3,
      state = CASE WHEN $4 AND s.state = 'active' THEN 'paused'
                   WHEN $5 AND s.state = 'paused' AND s.paused_by_provider THEN 'active' ELSE s.state END,
      paused_reason = CASE WHEN $4 AND s.state = 'active' THEN $3
                           WHEN $5 AND s.state = 'paused' AND s.paused_by_provider THEN NULL ELSE s.paused_reason END,
      paused_at = CASE WHEN $4 AND s.state = 'active' THEN now()
                       WHEN $5 AND s.state = 'paused' AND s.paused_by_provider THEN NULL ELSE s.paused_at END,
      paused_by_provider = CASE WHEN $4 AND s.state = 'active' THEN true
                                WHEN $5 AND s.state = 'paused' AND s.paused_by_provider THEN false
                                ELSE s.paused_by_provider END
  FROM whatsapp_sessions before
  WHERE s.id = $1 AND before.id = s.id
  RETURNING s.id, before.state AS old_state, s.state AS new_state
), events AS (
  INSERT INTO session_events (session_id, state, reason)
  SELECT id, new_state, $3 FROM changed WHERE old_state <> new_state
)
SELECT old_state, new_state FROM changed)SQL",
                        {std::to_string(session_id), connection.state, reason, down ? "true" : "false",
                         up ? "true" : "false"});
  if (!rows) return rows.error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "no such session");
  const auto old_state = rows->text(0, 0);
  const auto new_state = rows->text(0, 1);
  if (old_state == new_state) return SessionChange::none;
  return new_state == "paused" ? SessionChange::paused : SessionChange::resumed;
}

Expected<void> store_qrcode(pg::Connection& conn, std::int64_t session_id, const EvolutionQrCode& qr) {
  // The code and the pairing code are enough to reconnect (an operator's screen renders the
  // QR from the code); Evolution's PNG rendering is not kept.
  auto done = conn.exec_prepared("UPDATE whatsapp_sessions SET qr_code = $2, pairing_code = $3, qr_updated_at = now() WHERE id = $1",
                        {std::to_string(session_id), optional_text(qr.code), optional_text(qr.pairing_code)});
  if (!done) return done.error();
  return {};
}

Expected<std::string> qrcode_json(pg::Connection& conn, std::int64_t tenant_id, std::int64_t session_id) {
  auto rows = conn.exec_prepared(R"SQL(
SELECT provider, connection_state, qr_code, pairing_code, disparo_rfc3339(qr_updated_at), state, paused_reason
FROM whatsapp_sessions WHERE id = $1 AND tenant_id = $2)SQL",
                        {std::to_string(session_id), std::to_string(tenant_id)});
  if (!rows) return rows.error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "no such session");
  if (rows->is_null(0, 2) && rows->is_null(0, 3)) {
    return make_error(ErrorKind::not_found, "no QR code received for this session yet");
  }
  JsonWriter json;
  json.begin_object();
  json.field("session", std::to_string(session_id));
  json.field("provider", rows->text(0, 0));
  rows->is_null(0, 1) ? json.field_null("connection_state") : json.field("connection_state", rows->text(0, 1));
  rows->is_null(0, 2) ? json.field_null("qrcode") : json.field("qrcode", rows->text(0, 2));
  rows->is_null(0, 3) ? json.field_null("pairing_code") : json.field("pairing_code", rows->text(0, 3));
  json.field("updated_at", rows->text(0, 4));
  json.field("state", rows->text(0, 5));
  rows->is_null(0, 6) ? json.field_null("paused_reason") : json.field("paused_reason", rows->text(0, 6));
  json.end_object();
  return std::move(json).str();
}

}  // namespace disparo::dispatch
