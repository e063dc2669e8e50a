#include "campaigns/enqueue.hpp"

#include "common/rfc3339.hpp"

namespace disparo::campaigns {

Expected<std::optional<std::int64_t>> enqueue_message(pg::Connection& conn, const NewMessage& m) {
  pg::Param send_at;
  if (m.send_at) send_at = format_rfc3339(*m.send_at);
  pg::Param expires_at;
  if (m.expires_at) expires_at = format_rfc3339(*m.expires_at);
  pg::Param client;
  if (m.client_id) client = std::to_string(*m.client_id);
  pg::Param run;
  if (m.campaign_run_id) run = std::to_string(*m.campaign_run_id);
  // The events carry the same instant as the row, so a history read back is consistent.
  auto inserted = conn.exec(
      "WITH ins AS ("
      "  INSERT INTO messages (tenant_id, session_id, client_id, recipient, kind, content, priority, status, "
      "                        idempotency_key, send_at, expires_at, origin, campaign_run_id, metadata) "
      "  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::smallint, 'queued', $8, "
      "          coalesce($9::timestamptz, now()), "
      "          coalesce($10::timestamptz, coalesce($9::timestamptz, now()) + interval '24 hours'), "
      "          $11, $12, $13::jsonb) "
      "  ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
      "  RETURNING id), "
      "ev AS (INSERT INTO message_events (message_id, status) "
      "       SELECT ins.id, v.s FROM ins CROSS JOIN (VALUES ('accepted'), ('queued')) AS v(s)) "
      "SELECT id FROM ins",
      {std::to_string(m.tenant_id), std::to_string(m.session_id), client, m.recipient, m.kind, m.content_json,
       std::to_string(m.priority), m.idempotency_key, send_at, expires_at, m.origin, run, m.metadata_json});
  if (!inserted) return std::move(inserted).error();
  if (inserted->size() == 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(inserted->int64(0, 0));
}

}  // namespace disparo::campaigns
