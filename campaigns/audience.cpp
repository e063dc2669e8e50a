#include "campaigns/audience.hpp"

#include <cstdio>

namespace disparo::campaigns {
namespace {

// Filters come from the campaign row (k); an empty array selects nothing, NULL means "any".
// The session rule is the dispatcher's and load_client_target's: the client's server's session
// when it belongs to the tenant, else the tenant's default session.
// Exclusions are checked in kExclusionReasons order; the first that applies is the reason.
constexpr const char* kAudienceSql = R"SQL(
WITH k AS (
  SELECT k.id, k.tenant_id, k.server_ids, k.audience_status, k.audience_anchor, k.day_offset,
         k.plan_ids, k.channel_ids, k.tags, t.provider_template IS NOT NULL AS has_mapping,
         tn.time_zone
  FROM campaigns k
  JOIN message_templates t ON t.id = k.template_id
  JOIN tenants tn ON tn.id = k.tenant_id
  WHERE k.tenant_id = $1 AND k.id = $2
), reached AS (
  SELECT DISTINCT m.client_id
  FROM campaign_runs r JOIN messages m ON m.campaign_run_id = r.id
  WHERE r.tenant_id = $1 AND r.campaign_id = $2 AND r.local_day = $3::date
    AND r.id IS DISTINCT FROM $4::bigint AND m.client_id IS NOT NULL
), def AS (
  SELECT w.id FROM whatsapp_sessions w WHERE w.tenant_id = $1 AND w.is_default
)
SELECT c.id, c.name, c.phone, coalesce(c.username, ''), coalesce(c.password, ''), c.server_id,
       coalesce(sv.name, ''), coalesce(p.name, ''),
       CASE WHEN c.amount_cents > 0 THEN c.amount_cents ELSE coalesce(p.price_cents, 0) END,
       c.due_date::text, ws.id, ws.name, ws.provider,
       CASE WHEN c.blocked THEN 'blocked'
            WHEN c.archived_at IS NOT NULL THEN 'archived'
            WHEN EXISTS (SELECT 1 FROM opt_outs o
                         WHERE o.tenant_id = $1 AND o.contact_key = disparo_contact_key(c.phone))
              THEN 'opted_out'
            WHEN ws.id IS NULL THEN 'no_session'
            WHEN ws.provider = 'cloud_api' AND NOT k.has_mapping THEN 'no_provider_template'
            WHEN rc.client_id IS NOT NULL THEN 'already_reached_today'
       END
FROM k
JOIN clients c ON c.tenant_id = k.tenant_id
LEFT JOIN servers sv ON sv.id = c.server_id AND sv.tenant_id = c.tenant_id
LEFT JOIN plans p ON p.id = c.plan_id AND p.tenant_id = c.tenant_id
LEFT JOIN whatsapp_sessions ss ON ss.id = sv.session_id AND ss.tenant_id = c.tenant_id
LEFT JOIN whatsapp_sessions ws ON ws.id = coalesce(ss.id, (SELECT def.id FROM def))
LEFT JOIN reached rc ON rc.client_id = c.id
WHERE (k.server_ids IS NULL OR c.server_id = ANY (k.server_ids))
  AND (k.plan_ids IS NULL OR c.plan_id = ANY (k.plan_ids))
  AND (k.channel_ids IS NULL OR c.channel_id = ANY (k.channel_ids))
  AND (k.tags IS NULL OR EXISTS (SELECT 1 FROM client_tags ct
                                 WHERE ct.client_id = c.id AND ct.tag = ANY (k.tags)))
  AND (k.audience_status = 'any'
       OR disparo_client_status(c.due_date, p.grace_days, c.blocked, c.archived_at, $3::date)
          = k.audience_status)
  AND (k.audience_anchor = 'none'
       OR (k.audience_anchor = 'due_date' AND c.due_date = $3::date - k.day_offset)
       OR (k.audience_anchor = 'created'
           AND (c.created_at AT TIME ZONE k.time_zone)::date = $3::date - k.day_offset))
ORDER BY c.id
)SQL";

}  // namespace

const std::string& audience_sql() {
  static const std::string sql(kAudienceSql);
  return sql;
}

pg::Params audience_params(const AudienceScope& scope) {
  return {std::to_string(scope.tenant_id), std::to_string(scope.campaign_id),
          format_local_date(scope.day),
          scope.run_id ? pg::Param(std::to_string(*scope.run_id)) : std::nullopt};
}

RenderContext context_from_row(const pg::Rows& rows, int row, const std::string& tenant_name,
                               date::local_days day, std::chrono::minutes local_minutes) {
  RenderContext c;
  c.nome = rows.text(row, kClientName);
  c.telefone = rows.text(row, kPhone);
  c.usuario = rows.text(row, kUsername);
  c.senha = rows.text(row, kPassword);
  c.servidor = rows.text(row, kServerName);
  c.plano = rows.text(row, kPlanName);
  c.valor_cents = rows.int64(row, kAmountCents);
  if (!rows.is_null(row, kDueDate)) {
    if (auto due = parse_local_date(rows.text(row, kDueDate))) {
      c.vencimento = date::sys_days{due->time_since_epoch()};
    }
  }
  c.empresa = tenant_name;
  c.today = day;
  c.now_local_minutes = local_minutes;
  return c;
}

std::optional<date::local_days> parse_local_date(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (iso[i] - '0');
    }
  }
  const date::year_month_day ymd{date::year{parts[0]}, date::month{static_cast<unsigned>(parts[1])},
                                 date::day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd};
}

std::string format_local_date(date::local_days day) {
  const date::year_month_day ymd{day};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

}  // namespace disparo::campaigns
