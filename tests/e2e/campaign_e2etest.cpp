// End to end, a campaign's manual run: requested in the database (as the admin's "run now"
// does), expanded by the dispatcher's scheduler, and its messages reach the sandbox provider
// with the campaign's interval between clients on the session, then the run completes.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/e2e/e2e_environment.hpp"
#include "tests/e2e/sandbox_sends.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::test {
namespace {

// Three tagged clients of the demo tenant, a template, a campaign over that tag with 1 s between
// clients, and a manual run requested now. The session itself allows a send every 100 ms, so any
// wider spacing is the campaign's.
constexpr const char* kPrepare = R"SQL(
UPDATE whatsapp_sessions SET min_interval_ms = 100, jitter_ms = 0, burst = 5, daily_cap = 1000 WHERE name = 'principal';
INSERT INTO clients (tenant_id, name, phone)
  SELECT t.id, c.name, c.phone FROM tenants t,
         (VALUES ('Ana Campanha', '+5511987650101'), ('Bruno Campanha', '+5511987650102'),
                 ('Carla Campanha', '+5511987650103')) AS c(name, phone)
  WHERE t.slug = 'demo';
INSERT INTO client_tags (client_id, tag) SELECT id, 'e2e-campaign' FROM clients WHERE name LIKE '% Campanha';
INSERT INTO message_templates (tenant_id, name, kind, body)
  SELECT id, 'e2e', 'text', 'Oi {nome}, lembrete da {empresa}.' FROM tenants WHERE slug = 'demo';
INSERT INTO campaigns (tenant_id, name, kind, template_id, tags, interval_seconds)
  SELECT t.id, 'e2e', 'billing', m.id, ARRAY['e2e-campaign'], 1
  FROM tenants t JOIN message_templates m ON m.tenant_id = t.id AND m.name = 'e2e' WHERE t.slug = 'demo';
INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, requested_by)
  SELECT k.tenant_id, k.id, 'manual', now(), (now() AT TIME ZONE t.time_zone)::date, 'requested', 'e2e'
  FROM campaigns k JOIN tenants t ON t.id = k.tenant_id WHERE k.name = 'e2e';
)SQL";

constexpr std::int64_t kTransportJitterUs = 25'000;

TEST(Campaign, ManualRunIsExpandedAndPacedByTheCampaignInterval) {
  E2eEnvironment env(kPrepare);
  ASSERT_TRUE(eventually([&] { return sandbox_sends(env).size() >= 3; }, std::chrono::seconds(30))) << env.logs();
  EXPECT_FALSE(eventually([&] { return sandbox_sends(env).size() > 3; }, std::chrono::milliseconds(1500)))
      << "only the three tagged clients are in the audience";
  const auto times = sandbox_sends(env);
  ASSERT_EQ(times.size(), 3u);
  for (std::size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], 1'000'000 - kTransportJitterUs) << "sends " << i - 1 << " and " << i;
  }

  auto conn = env.database().connect();
  auto messages = conn.exec(
      "SELECT m.origin, m.group_interval_ms, m.content->>'body', m.recipient FROM messages m "
      "JOIN campaign_runs r ON r.id = m.campaign_run_id ORDER BY m.id");
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages->size(), 3);
  EXPECT_EQ(messages->text(0, 0), "campaign");
  EXPECT_EQ(messages->int64(0, 1), 1000);
  EXPECT_EQ(messages->text(0, 2).substr(0, 16), "Oi Ana Campanha,");
  EXPECT_EQ(messages->text(0, 3), "+5511987650101");
  // Once every message is final the scheduler completes the run.
  EXPECT_TRUE(eventually([&] {
    auto state = conn.exec("SELECT state FROM campaign_runs");
    return state && state->size() == 1 && state->text(0, 0) == "completed";
  }, std::chrono::seconds(20))) << env.logs();
  const auto metrics = http_get(env.dispatcher_port(), "/metrics");
  EXPECT_NE(metrics.body.find("disparo_campaign_recipients_total{kind=\"billing\""), std::string::npos);
  EXPECT_NE(metrics.body.find("result=\"completed\""), std::string::npos);
  EXPECT_EQ(env.dispatcher().terminate(), 0) << env.logs();
}

}  // namespace
}  // namespace disparo::test
