// The dispatcher's campaign scheduler tick (dispatcher/campaigns/campaign_tick.hpp) driven by a
// fake clock against PostgreSQL: slots across days, weekdays and tenant zones; missed slots
// within the catch-up window run and older ones are recorded as skipped; new campaigns never
// back-fill; two schedulers racing on two connections; a connection lost mid-expansion; runs
// complete when their messages are final; and the metrics they feed.
#include <barrier>
#include <thread>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/rfc3339.hpp"
#include "dispatcher/campaigns/campaign_metrics.hpp"
#include "dispatcher/campaigns/campaign_tick.hpp"
#include "tests/campaigns_engine/engine_fixture.hpp"

namespace disparo::campaigns::test {
namespace {

using namespace std::chrono_literals;
using dispatch::CampaignTickReport;
using dispatch::CampaignTickSettings;
using dispatch::run_campaign_tick;

// A scheduled campaign whose slots start at `from` (the fake clock's past).
std::int64_t scheduled_campaign(pg::Connection& conn, const TenantSeed& seed, int days, const std::string& time,
                                SysTime from, int interval_seconds = 0) {
  return add_campaign(conn, seed, "sched-" + unique_suffix(),
                      ", schedule_days, schedule_time, slots_done_until, interval_seconds",
                      ", " + std::to_string(days) + ", '" + time + "', '" + format_rfc3339(from) + "', " +
                          std::to_string(interval_seconds));
}

struct RunRow {
  std::string slot_at, local_day, state;
  std::int64_t recipients;
};

std::vector<RunRow> runs_of(pg::Connection& conn, std::int64_t campaign) {
  auto rows = exec(conn,
                   "SELECT disparo_rfc3339(slot_at), local_day::text, state, coalesce(recipients, -1) "
                   "FROM campaign_runs WHERE campaign_id = $1 ORDER BY slot_at",
                   {std::to_string(campaign)});
  std::vector<RunRow> out;
  for (int r = 0; r < rows.size(); ++r) {
    out.push_back({std::string(rows.text(r, 0)), std::string(rows.text(r, 1)), std::string(rows.text(r, 2)),
                   rows.int64(r, 3)});
  }
  return out;
}

CampaignTickReport tick(pg::Connection& conn, SysTime now, const CampaignTickSettings& settings = {}) {
  auto report = run_campaign_tick(conn, now, settings);
  if (report.error) throw std::runtime_error("tick failed: " + report.error->message);
  return report;
}

TEST(CampaignScheduler, SlotsFollowWeekdaysAndEachTenantsZoneAcrossDays) {
  auto conn = connect();
  const auto sp = seed_tenant(conn, "America/Sao_Paulo", true);
  const auto rb = seed_tenant(conn, "America/Rio_Branco", true);
  const auto no = seed_tenant(conn, "America/Noronha", true);
  for (const auto* seed : {&sp, &rb, &no}) add_client(conn, seed->tenant, {.name = "Cli"});
  // Monday and Wednesday at 09:00 local; the fake clock starts Sunday 2026-11-22 00:00 UTC.
  const SysTime start = at("2026-11-22T00:00:00Z");
  const auto c_sp = scheduled_campaign(conn, sp, 0b0000101, "09:00", start);
  const auto c_rb = scheduled_campaign(conn, rb, 0b0000101, "09:00", start);
  const auto c_no = scheduled_campaign(conn, no, 0b0000101, "09:00", start);
  // Ticks every 20 minutes for a week: each slot is materialised and expanded once, on time.
  for (SysTime now = start; now <= start + 7 * 24h; now += 20min) tick(conn, now);

  auto expect_runs = [&](std::int64_t campaign, std::vector<std::pair<std::string, std::string>> expected) {
    const auto runs = runs_of(conn, campaign);
    ASSERT_EQ(runs.size(), expected.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
      EXPECT_EQ(runs[i].slot_at, expected[i].first);
      EXPECT_EQ(runs[i].local_day, expected[i].second);
      EXPECT_EQ(runs[i].state, "sending");
      EXPECT_EQ(runs[i].recipients, 1);
    }
  };
  expect_runs(c_sp, {{"2026-11-23T12:00:00.000000Z", "2026-11-23"}, {"2026-11-25T12:00:00.000000Z", "2026-11-25"}});
  expect_runs(c_rb, {{"2026-11-23T14:00:00.000000Z", "2026-11-23"}, {"2026-11-25T14:00:00.000000Z", "2026-11-25"}});
  expect_runs(c_no, {{"2026-11-23T11:00:00.000000Z", "2026-11-23"}, {"2026-11-25T11:00:00.000000Z", "2026-11-25"}});
  // Expanded at the first tick after the slot (ticks every 20 min): started within 20 minutes.
  EXPECT_EQ(count(conn,
                  "SELECT count(*) FROM campaign_runs WHERE campaign_id = ANY ($1::bigint[]) "
                  "AND started_at - slot_at BETWEEN interval '0' AND interval '20 minutes'",
                  {"{" + std::to_string(c_sp) + "," + std::to_string(c_rb) + "," + std::to_string(c_no) + "}"}),
            6);
}

TEST(CampaignScheduler, MissedSlotsWithinTheCatchUpWindowRunAndOlderOnesAreSkipped) {
  auto conn = connect();
  const auto seed = seed_tenant(conn, "America/Sao_Paulo", true);
  add_client(conn, seed.tenant, {.name = "Cli"});
  // Daily at 09:00 local (12:00 UTC); the dispatcher was down from Monday 00:00 local until
  // Thursday 09:40 local: Thursday's slot is 40 minutes late (runs), Mon..Wed are skipped, and only
  // the two most recent of those are recorded (cap).
  const auto campaign = scheduled_campaign(conn, seed, 0x7f, "09:00", at("2026-11-23T03:00:00Z"));
  CampaignTickSettings settings;
  settings.catch_up = 60min;
  settings.max_skipped_rows = 2;
  const auto report = tick(conn, at("2026-11-26T12:40:00Z"), settings);
  ASSERT_EQ(report.materialised.size(), 1u);
  EXPECT_EQ(report.materialised[0].requested, 1);
  EXPECT_EQ(report.materialised[0].skipped, 2);
  EXPECT_EQ(report.materialised[0].skipped_unrecorded, 1);
  const auto runs = runs_of(conn, campaign);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].local_day, "2026-11-24");
  EXPECT_EQ(runs[0].state, "skipped");
  EXPECT_EQ(runs[1].local_day, "2026-11-25");
  EXPECT_EQ(runs[1].state, "skipped");
  EXPECT_EQ(runs[2].local_day, "2026-11-26");
  EXPECT_EQ(runs[2].state, "sending");
  EXPECT_EQ(runs[2].recipients, 1);
  EXPECT_EQ(count(conn,
                  "SELECT count(*) FROM campaign_runs WHERE campaign_id = $1 AND state = 'skipped' "
                  "AND state_reason LIKE 'missed:%' AND finished_at IS NOT NULL",
                  {std::to_string(campaign)}),
            2);
  EXPECT_EQ((exec(conn, "SELECT disparo_rfc3339(slots_done_until) FROM campaigns WHERE id = $1",
                  {std::to_string(campaign)}).text(0, 0)),
            "2026-11-26T12:40:00.000000Z");
  // The same instant again (a second instance, a retried tick): nothing new.
  const auto again = tick(conn, at("2026-11-26T12:40:00Z"), settings);
  EXPECT_TRUE(again.materialised.empty());
  EXPECT_EQ(runs_of(conn, campaign).size(), 3u);
}

TEST(CampaignScheduler, ANewOrReactivatedCampaignNeverBackFillsHistory) {
  auto conn = connect();
  const auto seed = seed_tenant(conn, "America/Sao_Paulo", true);
  // Created now (real clock) with every day at 00:00: nothing before its creation runs or is
  // recorded, even when the tick's clock is a day later.
  const auto campaign = add_campaign(conn, seed, "new-" + unique_suffix(), ", schedule_days, schedule_time", ", 127, '00:00'");
  const auto created = parse_rfc3339(exec(conn, "SELECT disparo_rfc3339(slots_done_until) FROM campaigns WHERE id = $1",
                                          {std::to_string(campaign)}).text(0, 0));
  ASSERT_TRUE(created);
  tick(conn, *created + 1s);
  EXPECT_TRUE(runs_of(conn, campaign).empty());
  // Deactivated, then activated again: slots restart at the activation.
  exec(conn, "UPDATE campaigns SET active = false WHERE id = $1", {std::to_string(campaign)});
  exec(conn, "UPDATE campaigns SET active = true WHERE id = $1", {std::to_string(campaign)});
  const auto reactivated = parse_rfc3339(exec(conn, "SELECT disparo_rfc3339(slots_done_until) FROM campaigns WHERE id = $1",
                                              {std::to_string(campaign)}).text(0, 0));
  ASSERT_TRUE(reactivated);
  EXPECT_GE(*reactivated, *created);
}

TEST(CampaignScheduler, TwoSchedulersRacingMakeOneRunPerSlotAndOneMessagePerClient) {
  auto setup = connect();
  const auto seed = seed_tenant(setup, "America/Sao_Paulo", true);
  for (int i = 0; i < 300; ++i) add_client(setup, seed.tenant, {.name = "Cli" + std::to_string(i)});
  const SysTime start = at("2026-11-22T00:00:00Z");
  const auto campaign = scheduled_campaign(setup, seed, 0x7f, "09:00", start);
  // Both instances tick at the same instants (15 minutes apart over three days), released
  // together at every step.
  std::vector<SysTime> instants;
  for (SysTime t = start; t <= start + 72h; t += 15min) instants.push_back(t);
  std::barrier step(2);
  std::atomic<int> errors{0};
  auto instance = [&] {
    auto conn = connect();
    for (const SysTime now : instants) {
      step.arrive_and_wait();
      if (run_campaign_tick(conn, now, {}).error) ++errors;
    }
  };
  std::thread a(instance), b(instance);
  a.join();
  b.join();
  EXPECT_EQ(errors.load(), 0);
  const auto runs = runs_of(setup, campaign);
  ASSERT_EQ(runs.size(), 3u);
  for (const auto& run : runs) {
    EXPECT_EQ(run.state, "sending");
    EXPECT_EQ(run.recipients, 300);
  }
  EXPECT_EQ(count(setup,
                  "SELECT count(*) FROM messages m JOIN campaign_runs r ON r.id = m.campaign_run_id "
                  "WHERE r.campaign_id = $1",
                  {std::to_string(campaign)}),
            900);
  EXPECT_EQ(count(setup,
                  "SELECT count(*) FROM (SELECT m.client_id, r.slot_at FROM messages m "
                  "JOIN campaign_runs r ON r.id = m.campaign_run_id WHERE r.campaign_id = $1 "
                  "GROUP BY 1, 2 HAVING count(*) > 1) d",
                  {std::to_string(campaign)}),
            0);
}

TEST(CampaignScheduler, ARestartMidExpansionLosesNothingAndDuplicatesNothing) {
  auto conn = connect();
  const auto seed = seed_tenant(conn, "America/Manaus", true);
  for (int i = 0; i < 120; ++i) add_client(conn, seed.tenant, {.name = "Cli" + std::to_string(i)});
  const auto campaign = scheduled_campaign(conn, seed, 0x7f, "10:00", at("2026-11-22T00:00:00Z"));
  auto killer = connect();
  CampaignTickSettings crashing;
  crashing.hooks.before_commit = [&killer](pg::Connection& c) -> Expected<void> {
    auto pid = c.exec("SELECT pg_backend_pid()");
    if (!pid) return std::move(pid).error();
    exec(killer, "SELECT pg_terminate_backend($1)", {std::string(pid->text(0, 0))});
    return {};
  };
  const SysTime now = at("2026-11-22T14:05:00Z");  // 10:05 in Manaus
  {
    auto dying = connect();
    const auto report = run_campaign_tick(dying, now, crashing);
    EXPECT_TRUE(report.error);  // the connection died before COMMIT
  }
  auto runs = runs_of(conn, campaign);
  ASSERT_EQ(runs.size(), 1u);  // the slot's run was committed by step 1
  EXPECT_EQ(runs[0].state, "requested");
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages m JOIN campaign_runs r ON r.id = m.campaign_run_id "
                        "WHERE r.campaign_id = $1", {std::to_string(campaign)}), 0);
  // The restarted instance picks it up at its next tick.
  auto restarted = connect();
  tick(restarted, now + 2s);
  runs = runs_of(conn, campaign);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, "sending");
  EXPECT_EQ(runs[0].recipients, 120);
  EXPECT_EQ(count(conn, "SELECT count(DISTINCT m.client_id) FROM messages m JOIN campaign_runs r ON r.id = m.campaign_run_id "
                        "WHERE r.campaign_id = $1", {std::to_string(campaign)}), 120);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages m JOIN campaign_runs r ON r.id = m.campaign_run_id "
                        "WHERE r.campaign_id = $1", {std::to_string(campaign)}), 120);
}

TEST(CampaignScheduler, RunsCompleteWhenTheirMessagesAreFinalAndFeedTheMetrics) {
  auto conn = connect();
  const auto seed = seed_tenant(conn, "America/Sao_Paulo", false);
  add_client(conn, seed.tenant, {.name = "A1", .server = seed.server_a});
  add_client(conn, seed.tenant, {.name = "A2", .server = seed.server_a});
  add_client(conn, seed.tenant, {.name = "Blocked", .server = seed.server_a, .blocked = true});
  const auto campaign = scheduled_campaign(conn, seed, 0x7f, "09:00", at("2026-11-22T00:00:00Z"));
  prometheus::Registry registry;
  dispatch::CampaignMetrics metrics(registry);
  metrics.record(tick(conn, at("2026-11-22T12:00:30Z")));
  const std::string c = std::to_string(campaign);
  exec(conn, "UPDATE messages SET status = 'sent' WHERE campaign_run_id IN (SELECT id FROM campaign_runs WHERE campaign_id = $1)", {c});
  metrics.record(tick(conn, at("2026-11-22T12:01:00Z")));  // sent still counts as final
  EXPECT_EQ((exec(conn, "SELECT state FROM campaign_runs WHERE campaign_id = $1", {c}).text(0, 0)), "completed");

  const std::string text = prometheus::TextSerializer{}.Serialize(registry.Collect());
  const std::string t = "tenant=\"" + std::to_string(seed.tenant) + "\"";
  auto has = [&](const std::string& needle) { return text.find(needle) != std::string::npos; };
  EXPECT_TRUE(has("disparo_campaign_runs_total{kind=\"custom\",result=\"expanded\"," + t + "} 1")) << text;
  EXPECT_TRUE(has("disparo_campaign_runs_total{kind=\"custom\",result=\"completed\"," + t + "} 1")) << text;
  EXPECT_TRUE(has("disparo_campaign_runs_total{kind=\"custom\",result=\"failed\"," + t + "} 0")) << text;
  EXPECT_TRUE(has("disparo_campaign_recipients_total{kind=\"custom\"," + t + "} 2")) << text;
  EXPECT_TRUE(has("disparo_campaign_exclusions_total{kind=\"custom\",reason=\"blocked\"," + t + "} 1")) << text;
  EXPECT_TRUE(has("disparo_campaign_messages_total{kind=\"custom\",status=\"sent\"," + t + "} 2")) << text;
  EXPECT_TRUE(has("disparo_campaign_runs_active{" + t + "} 0")) << text;
  EXPECT_TRUE(has("disparo_campaign_scheduler_ticks_total{result=\"ok\"} 2")) << text;
  EXPECT_TRUE(has("disparo_campaign_expansion_seconds_count 1")) << text;
}

}  // namespace
}  // namespace disparo::campaigns::test
