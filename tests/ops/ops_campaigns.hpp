// Campaign activity for the operations tests: two manual runs requested on the demo tenant while
// the services run, so the campaign metric families exist (golden files) and the Campaigns
// dashboard and DisparoCampaignRunFailed have data (Prometheus e2e). One run succeeds over two
// clients and excludes a blocked one; the other fails (its template was archived). Test thread.
#pragma once

#include <stdexcept>
#include <string>

#include "tests/ops/ops_environment.hpp"

namespace disparo::ops::test {

inline constexpr const char* kCampaignsSql = R"SQL(
INSERT INTO clients (tenant_id, name, phone, blocked)
  SELECT t.id, c.name, c.phone, c.blocked FROM tenants t,
         (VALUES ('Ops Ana', '+5511987650201', false), ('Ops Bruno', '+5511987650202', false),
                 ('Ops Bloqueado', '+5511987650203', true)) AS c(name, phone, blocked)
  WHERE t.slug = 'demo';
INSERT INTO client_tags (client_id, tag) SELECT id, 'ops-campaign' FROM clients WHERE name LIKE 'Ops %';
INSERT INTO message_templates (tenant_id, name, kind, body)
  SELECT t.id, v.name, 'text', 'Oi {nome}, lembrete da {empresa}.'
  FROM tenants t, (VALUES ('ops'), ('ops-broken')) AS v(name) WHERE t.slug = 'demo';
INSERT INTO campaigns (tenant_id, name, kind, template_id, tags)
  SELECT t.id, m.name, CASE m.name WHEN 'ops' THEN 'billing' ELSE 'recovery' END, m.id, ARRAY['ops-campaign']
  FROM tenants t JOIN message_templates m ON m.tenant_id = t.id AND m.name IN ('ops', 'ops-broken')
  WHERE t.slug = 'demo';
UPDATE message_templates SET archived_at = now() WHERE name = 'ops-broken';
)SQL";

inline constexpr const char* kCampaignRunsSql = R"SQL(
INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, requested_by)
  SELECT k.tenant_id, k.id, 'manual', now(), (now() AT TIME ZONE t.time_zone)::date, 'requested', 'ops'
  FROM campaigns k JOIN tenants t ON t.id = k.tenant_id WHERE k.name IN ('ops', 'ops-broken');
)SQL";

inline void exec_ops_sql(OpsEnvironment& ops, const char* sql) {
  auto conn = ops.e2e().database().connect();
  if (auto done = conn.exec_script(sql); !done) throw std::runtime_error("ops campaigns: " + done.error().message);
}

// The clients, templates and campaigns. The scheduler's next tick sees the campaigns and exports
// their run counters at 0: a counter first scraped at 1 has no increase() in Prometheus, so an
// alert test creates the campaigns, waits for the zeros, then requests the runs.
inline void create_campaigns(OpsEnvironment& ops) { exec_ops_sql(ops, kCampaignsSql); }

// Requests both runs; the dispatcher's scheduler expands them at its next tick.
inline void request_campaign_runs(OpsEnvironment& ops) { exec_ops_sql(ops, kCampaignRunsSql); }

// True once the good run completed (every message final) and the broken one failed.
inline bool campaign_runs_finished(OpsEnvironment& ops) {
  auto conn = ops.e2e().database().connect();
  auto rows = conn.exec(
      "SELECT count(*) FILTER (WHERE k.name = 'ops' AND r.state = 'completed') + "
      "       count(*) FILTER (WHERE k.name = 'ops-broken' AND r.state = 'failed') "
      "FROM campaign_runs r JOIN campaigns k ON k.id = r.campaign_id");
  if (!rows) throw std::runtime_error("campaign runs: " + rows.error().message);
  return rows->int64(0, 0) == 2;
}

}  // namespace disparo::ops::test
