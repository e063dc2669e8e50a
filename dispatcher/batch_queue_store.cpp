#include "dispatcher/batch_queue_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/json_writer.hpp"
#include "common/rfc3339.hpp"
#include "dispatcher/model/message_content.hpp"
#include "dispatcher/pg_array.hpp"

namespace disparo::dispatch {
namespace {

using Action = AfterAttempt::Action;

std::string outcome_detail(const SendOutcome& outcome) {
  JsonWriter json;
  json.begin_object().field("outcome", to_string(outcome.outcome));
  if (outcome.http_status != 0) json.field("http_status", outcome.http_status);
  if (!outcome.error_code.empty()) json.field("error_code", outcome.error_code);
  if (!outcome.provider_message_id.empty()) json.field("provider_message_id", outcome.provider_message_id);
  json.end_object();
  return std::move(json).str();
}

// Parallel arrays of one batch, bound as text-format array parameters.
struct Columns {
  PgArrayBuilder ids, statuses, reasons, details, delays, refunds, provider_ids, wa_ids;
  std::size_t count = 0;
};

// provider_id / wa_id: what the provider answered a send with ("" for none).
void add_transition(Columns& columns, std::int64_t id, std::string_view status, std::string_view reason,
                    const std::string& detail, long long delay_ms, int refund,
                    std::string_view provider_id = "", std::string_view wa_id = "") {
  columns.ids.add(std::to_string(id));
  provider_id.empty() ? columns.provider_ids.add_null() : columns.provider_ids.add(provider_id);
  wa_id.empty() ? columns.wa_ids.add_null() : columns.wa_ids.add(wa_id);
  columns.statuses.add(status);
  if (reason.empty()) {
    columns.reasons.add_null();
  } else {
    columns.reasons.add(reason);
  }
  columns.details.add(detail);
  columns.delays.add(std::to_string(delay_ms));
  columns.refunds.add(std::to_string(refund));
  ++columns.count;
}

// Moves messages still in "sending" to their new status and appends one event each, storing the
// provider's ids of the sent ones in the same row update. A message that already left "sending"
// (a status report overtook this answer) only gets the ids it lacks: its status never moves back.
//
// "Still sending" is compared with a column of the input (`from_status`), not with a literal, so
// that no plan can answer it from the messages_in_flight partial index. Statistics taken while
// nothing was in flight make that index look empty, and the planner then hashed every in-flight
// message to join a batch against them: 15-20 ms per batch with 10,000 sessions sending
// (auto_explain in the benchmark), instead of one primary-key lookup per row.
Expected<void> apply_transitions(pg::Connection& tx, Columns& columns) {
  if (columns.count == 0) return {};
  auto done = tx.exec_prepared(R"SQL(
WITH input AS MATERIALIZED (
  SELECT i.*, 'sending'::text AS from_status
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[],
              $7::text[], $8::text[])
    AS i(id, status, reason, detail, delay_ms, refund, provider_id, wa_id)
), overtaken AS (
  UPDATE messages m SET provider_message_id = COALESCE(m.provider_message_id, i.provider_id),
         wa_id = COALESCE(m.wa_id, i.wa_id), updated_at = now()
  FROM input i WHERE m.id = i.id AND m.status <> 'sending'
    AND (i.provider_id IS NOT NULL OR i.wa_id IS NOT NULL)
    AND (m.provider_message_id IS NULL OR m.wa_id IS NULL)
), moved AS (
  UPDATE messages m SET status = i.status, status_reason = i.reason, updated_at = now(),
         send_at = CASE WHEN i.status = 'queued' THEN now() + make_interval(secs => i.delay_ms / 1000.0)
                        ELSE m.send_at END,
         attempts = m.attempts - i.refund,
         provider_message_id = COALESCE(m.provider_message_id, i.provider_id),
         wa_id = COALESCE(m.wa_id, i.wa_id)
  FROM input i WHERE m.id = i.id AND m.status = i.from_status
  RETURNING m.id, i.status, i.reason, i.detail)
INSERT INTO message_events (message_id, status, reason, detail)
SELECT id, status, reason, detail::jsonb FROM moved)SQL",
                      {std::move(columns.ids).finish(), std::move(columns.statuses).finish(),
                       std::move(columns.reasons).finish(), std::move(columns.details).finish(),
                       std::move(columns.delays).finish(), std::move(columns.refunds).finish(),
                       std::move(columns.provider_ids).finish(), std::move(columns.wa_ids).finish()});
  if (!done) return done.error();
  return {};
}

}  // namespace

Expected<std::vector<ClaimResult>> claim_batch(pg::Connection& conn, const std::string& owner,
                                               const std::vector<ClaimRequest>& requests) {
  std::vector<ClaimResult> results(requests.size());
  if (requests.empty()) return results;
  // One array element per session. Each session's blocked recipients and groups travel as one
  // element holding an array literal, cast back per row: the statement never joins one list
  // against another, so no plan can compare every session with every blocked pair.
  PgArrayBuilder sessions, aheads, blocked_recipients, blocked_groups;
  std::map<std::int64_t, std::size_t> index_of;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    index_of[request.session_id] = i;
    sessions.add(std::to_string(request.session_id));
    aheads.add(std::to_string(std::max<long long>(0, request.ahead.count())));
    PgArrayBuilder recipients, groups;
    for (const auto& r : request.blocked_recipients) recipients.add(r);
    for (const auto& g : request.blocked_groups) groups.add(g);
    blocked_recipients.add(std::move(recipients).finish());
    blocked_groups.add(std::move(groups).finish());
  }
  // A held lease row is key-share-locked: a takeover (which locks it FOR UPDATE first) waits for
  // the claims in flight, and only the owner of a live lease claims. Lease renewals and holds are
  // plain UPDATEs of non-key columns, which a key-share lock does not block (a share lock did:
  // renewing 1,000 leases queued behind the claims in flight and every claim behind it).
  // Every per-session step is a LATERAL lookup by key, whatever the planner guesses of the input
  // size: joined as sets, a 500-session claim was planned as a nested loop over a sequential scan
  // of all sessions or over the aggregated blocked lists, 100-170 ms instead of ~40 (auto_explain
  // in the 10,000-session benchmark).
  // Expired messages are never claimed (expires_at > now()); expire_overdue() marks them.
  auto rows = conn.exec_prepared(R"SQL(
WITH req AS (
  SELECT r.session_id, now() + make_interval(secs => r.ahead_ms / 1000.0) AS horizon,
         r.recipients::text[] AS blocked_recipients, r.groups::text[] AS blocked_groups
  FROM unnest($1::bigint[], $3::bigint[], $4::text[], $5::text[]) AS r(session_id, ahead_ms, recipients, groups)
), lease AS (
  SELECT r.*, held.id IS NOT NULL AS held
  FROM req r LEFT JOIN LATERAL (
    SELECT s.id FROM whatsapp_sessions s
    WHERE s.id = r.session_id AND s.state = 'active' AND s.lease_owner = $2 AND s.lease_until > now()
    FOR KEY SHARE) held ON true
), next AS (
  SELECT pick.id FROM lease l CROSS JOIN LATERAL (
    SELECT m.id FROM messages m
    WHERE m.session_id = l.session_id AND m.status = 'queued' AND m.send_at <= l.horizon
      AND m.expires_at > GREATEST(now(), m.send_at)
      AND m.recipient <> ALL (l.blocked_recipients)
      AND (m.group_id IS NULL OR m.group_id <> ALL (l.blocked_groups))
    ORDER BY m.priority, m.send_at, m.id LIMIT 1 FOR UPDATE OF m SKIP LOCKED) pick
  WHERE l.held
), claimed AS (
  UPDATE messages m SET status = 'sending', status_reason = NULL, attempts = m.attempts + 1, updated_at = now()
  FROM next WHERE m.id = next.id
  RETURNING m.id, m.session_id, m.recipient, m.kind, m.content::text, m.attempts,
            extract(epoch FROM m.created_at)::float8 AS accepted_at, m.group_id, m.group_interval_ms,
            GREATEST(now(), m.send_at) AS due
), events AS (
  INSERT INTO message_events (message_id, status, detail)
  SELECT id, 'sending', json_build_object('attempt', attempts)::jsonb FROM claimed
), ledger AS (
  -- The instant the send starts: its send_at when it was claimed ahead.
  INSERT INTO session_sends (session_id, message_id, recipient, group_id, started_at)
  SELECT session_id, id, recipient, group_id, due FROM claimed)
SELECT session_id, id, recipient, kind, content, attempts, accepted_at, group_id, group_interval_ms,
       disparo_rfc3339(due), true AS lease_held FROM claimed
UNION ALL
SELECT l.session_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT disparo_rfc3339(min(q.send_at)) FROM messages q
        WHERE q.session_id = l.session_id AND q.status = 'queued' AND q.send_at > l.horizon),
       l.held
FROM lease l WHERE NOT EXISTS (SELECT 1 FROM claimed c WHERE c.session_id = l.session_id))SQL",
                        {std::move(sessions).finish(), owner, std::move(aheads).finish(),
                         std::move(blocked_recipients).finish(), std::move(blocked_groups).finish()});
  if (!rows) return rows.error();
  for (int r = 0; r < rows->size(); ++r) {
    auto found = index_of.find(rows->int64(r, 0));
    if (found == index_of.end()) continue;
    ClaimResult& result = results[found->second];
    result.lease_held = rows->boolean(r, 10);
    if (rows->is_null(r, 1)) {
      if (!rows->is_null(r, 9)) result.next_due = parse_rfc3339(rows->text(r, 9));
      continue;
    }
    auto content = content_from_json(rows->text(r, 3), rows->text(r, 4));
    if (!content) return content.error();
    ClaimedMessage claimed;
    claimed.message.id = rows->int64(r, 1);
    claimed.message.recipient = std::string(rows->text(r, 2));
    claimed.message.content = std::move(*content);
    claimed.attempts = static_cast<int>(rows->int64(r, 5));
    claimed.accepted_at_epoch = std::stod(std::string(rows->text(r, 6)));
    claimed.group_id = std::string(rows->text(r, 7));
    claimed.group_interval = std::chrono::milliseconds(rows->int64(r, 8));
    claimed.due = parse_rfc3339(rows->text(r, 9)).value_or(SysTime{});
    result.claimed = std::move(claimed);
  }
  return results;
}

Expected<std::vector<bool>> record_attempts(pg::Connection& conn, const std::vector<AttemptRecord>& records) {
  std::vector<bool> results(records.size(), true);
  if (records.empty()) return results;
  auto done = pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<void> {
    Columns transitions;
    PgArrayBuilder waiting_ids, waiting_reasons, waiting_details;
    std::size_t waiting_count = 0;
    std::map<std::int64_t, std::string> pauses;  // session -> reason
    // In message id order, the order a status batch locks its messages in, so the update that
    // moves messages out of "sending" and a status batch wait for each other instead of
    // deadlocking. The second pass (ids added to rows a status already moved) locks after it, so
    // one rare cycle remains: PostgreSQL breaks it and this batch is retried (retry_failed).
    std::vector<const AttemptRecord*> in_id_order;
    in_id_order.reserve(records.size());
    for (const auto& record : records) in_id_order.push_back(&record);
    std::sort(in_id_order.begin(), in_id_order.end(),
              [](const AttemptRecord* a, const AttemptRecord* b) { return a->message_id < b->message_id; });
    for (const AttemptRecord* sorted : in_id_order) {
      const AttemptRecord& record = *sorted;
      const std::string detail = outcome_detail(record.outcome);
      const auto& decision = record.decision;
      switch (decision.action) {
        case Action::mark_sent:
          add_transition(transitions, record.message_id, "sent", "", detail, 0, 0,
                         record.outcome.provider_message_id, record.outcome.wa_id);
          break;
        case Action::requeue:
          add_transition(transitions, record.message_id, "queued", decision.reason, detail,
                         decision.delay.count(), decision.refund_attempt ? 1 : 0);
          break;
        case Action::fail:
          add_transition(transitions, record.message_id, "failed", decision.reason, detail, 0, 0);
          break;
        case Action::pause_session:
          pauses.emplace(record.session_id, decision.reason);
          add_transition(transitions, record.message_id, "queued", "session paused: " + decision.reason, detail, 0, 1);
          break;
        case Action::await_webhook:
          waiting_ids.add(std::to_string(record.message_id));
          waiting_reasons.add("outcome unknown, waiting for the provider's status: " + decision.reason);
          waiting_details.add(detail);
          ++waiting_count;
          break;
      }
    }
    for (const auto& [session_id, reason] : pauses) {
      auto paused = tx.exec_prepared(R"SQL(
WITH paused AS (
  UPDATE whatsapp_sessions SET state = 'paused', paused_reason = $2, paused_at = now()
  WHERE id = $1 AND state = 'active' RETURNING id)
INSERT INTO session_events (session_id, state, reason) SELECT id, 'paused', $2 FROM paused)SQL",
                            {std::to_string(session_id), reason});
      if (!paused) return paused.error();
    }
    if (auto moved = apply_transitions(tx, transitions); !moved) return moved.error();
    if (waiting_count > 0) {
      auto waiting = tx.exec_prepared(R"SQL(
WITH input AS MATERIALIZED (  -- from_status: see apply_transitions
  SELECT i.*, 'sending'::text AS from_status
  FROM unnest($1::bigint[], $2::text[], $3::text[]) AS i(id, reason, detail)
), marked AS (
  UPDATE messages m SET status_reason = i.reason, updated_at = now()
  FROM input i WHERE m.id = i.id AND m.status = i.from_status RETURNING m.id, i.reason, i.detail)
INSERT INTO message_events (message_id, status, reason, detail)
SELECT id, 'sending', reason, detail::jsonb FROM marked)SQL",
                             {std::move(waiting_ids).finish(), std::move(waiting_reasons).finish(),
                              std::move(waiting_details).finish()});
      if (!waiting) return waiting.error();
    }
    return {};
  });
  if (!done) return done.error();
  return results;
}

Expected<std::vector<bool>> publish_holds(pg::Connection& conn, const std::vector<HoldUpdate>& holds) {
  std::vector<bool> results(holds.size(), true);
  if (holds.empty()) return results;
  // The last word per session wins (a batch may hold several changes of one session).
  std::map<std::int64_t, const HoldUpdate*> last;
  for (const auto& hold : holds) last[hold.session_id] = &hold;
  PgArrayBuilder ids, reasons, next;
  for (const auto& [id, hold] : last) {
    ids.add(std::to_string(id));
    reasons.add_optional(hold->reason);
    if (hold->next_send_at) {
      next.add(format_rfc3339(*hold->next_send_at));
    } else {
      next.add_null();
    }
  }
  auto done = conn.exec_prepared(R"SQL(
UPDATE whatsapp_sessions s SET hold_reason = i.reason, next_send_at = i.next_send_at
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS i(id, reason, next_send_at)
WHERE s.id = i.id AND (s.hold_reason IS DISTINCT FROM i.reason OR s.next_send_at IS DISTINCT FROM i.next_send_at))SQL",
                        {std::move(ids).finish(), std::move(reasons).finish(), std::move(next).finish()});
  if (!done) return done.error();
  return results;
}

Expected<std::vector<TakeoverResult>> take_over_sessions(pg::Connection& conn, const std::string& owner,
                                                          std::chrono::milliseconds ttl,
                                                          const std::vector<TakeoverRequest>& requests) {
  std::vector<TakeoverResult> results(requests.size());
  if (requests.empty()) return results;
  std::map<std::int64_t, std::size_t> index_of;
  PgArrayBuilder ids;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    index_of[requests[i].session_id] = i;
    ids.add(std::to_string(requests[i].session_id));
  }
  const std::string id_array = std::move(ids).finish();
  auto done = pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<void> {
    // FOR UPDATE conflicts with the claims' key-share locks: wait until the claims in flight
    // (of a holder whose lease ran out) are committed, so the requeue below sees what they took.
    auto locked = tx.exec_prepared(
        "SELECT id FROM whatsapp_sessions WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", {id_array});
    if (!locked) return locked.error();
    auto acquired = tx.exec_prepared(R"SQL(
UPDATE whatsapp_sessions SET lease_owner = $2, lease_until = now() + make_interval(secs => $3::bigint / 1000.0)
WHERE id = ANY($1::bigint[]) AND state = 'active'
  AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until IS NULL OR lease_until < now())
RETURNING id)SQL",
                            {id_array, owner, std::to_string(ttl.count())});
    if (!acquired) return acquired.error();
    if (acquired->size() == 0) return {};
    PgArrayBuilder held, held_for_ledger, since;
    for (int r = 0; r < acquired->size(); ++r) {
      const auto id = acquired->int64(r, 0);
      auto found = index_of.find(id);
      if (found == index_of.end()) continue;
      results[found->second].acquired = true;
      held.add(std::to_string(id));
      held_for_ledger.add(std::to_string(id));
      since.add(format_rfc3339(requests[found->second].ledger_since));
    }
    // status_reason IS NULL: claimed and never answered (an await_webhook message has a reason).
    auto requeued = tx.exec_prepared(R"SQL(
WITH requeued AS (
  UPDATE messages SET status = 'queued', updated_at = now(),
         status_reason = 'requeued after restart: the interrupted attempt had no answer'
  WHERE status = 'sending' AND provider_message_id IS NULL AND status_reason IS NULL
    AND session_id = ANY($1::bigint[])
  RETURNING id, session_id),
events AS (
  INSERT INTO message_events (message_id, status, reason)
  SELECT id, 'queued', 'requeued after restart: the interrupted attempt had no answer' FROM requeued)
SELECT session_id, count(*) FROM requeued GROUP BY session_id)SQL",
                            {std::move(held).finish()});
    if (!requeued) return requeued.error();
    for (int r = 0; r < requeued->size(); ++r) {
      if (auto found = index_of.find(requeued->int64(r, 0)); found != index_of.end()) {
        results[found->second].requeued = requeued->int64(r, 1);
      }
    }
    auto ledger = tx.exec_prepared(R"SQL(
SELECT l.session_id, disparo_rfc3339(l.started_at), l.recipient, COALESCE(l.group_id, ''),
       COALESCE(m.group_interval_ms, 0)
FROM unnest($1::bigint[], $2::timestamptz[]) AS i(session_id, since)
JOIN session_sends l ON l.session_id = i.session_id AND l.started_at >= i.since
JOIN messages m ON m.id = l.message_id
ORDER BY l.session_id, l.started_at, l.id)SQL",
                          {std::move(held_for_ledger).finish(), std::move(since).finish()});
    if (!ledger) return ledger.error();
    for (int r = 0; r < ledger->size(); ++r) {
      auto found = index_of.find(ledger->int64(r, 0));
      if (found == index_of.end()) continue;
      auto at = parse_rfc3339(ledger->text(r, 1));
      if (!at) return make_error(ErrorKind::internal, "ledger time not RFC 3339");
      results[found->second].ledger.push_back({*at, std::string(ledger->text(r, 2)), std::string(ledger->text(r, 3)),
                                               std::chrono::milliseconds(ledger->int64(r, 4))});
    }
    return {};
  });
  if (!done) return done.error();
  return results;
}

Expected<std::vector<std::int64_t>> renew_leases(pg::Connection& conn, const std::string& owner,
                                                 std::chrono::milliseconds ttl, const std::vector<std::int64_t>& ids) {
  std::vector<std::int64_t> held;
  if (ids.empty()) return held;
  PgArrayBuilder array;
  for (auto id : ids) array.add(std::to_string(id));
  auto rows = conn.exec_prepared(R"SQL(
UPDATE whatsapp_sessions SET lease_until = now() + make_interval(secs => $3::bigint / 1000.0)
WHERE id = ANY($1::bigint[]) AND lease_owner = $2 AND state = 'active'
RETURNING id)SQL",
                        {std::move(array).finish(), owner, std::to_string(ttl.count())});
  if (!rows) return rows.error();
  held.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) held.push_back(rows->int64(r, 0));
  return held;
}

Expected<void> release_leases(pg::Connection& conn, const std::string& owner, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  PgArrayBuilder array;
  for (auto id : ids) array.add(std::to_string(id));
  auto done = conn.exec_prepared(
      "UPDATE whatsapp_sessions SET lease_owner = NULL, lease_until = NULL WHERE id = ANY($1::bigint[]) AND lease_owner = $2",
      {std::move(array).finish(), owner});
  if (!done) return done.error();
  return {};
}

}  // namespace disparo::dispatch
