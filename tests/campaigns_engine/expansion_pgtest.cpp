// Audience, preview and expansion against PostgreSQL: preview counts equal what a run enqueues,
// exclusions by reason, filters, failed and skipped runs, a connection lost before COMMIT, and
// two expanders racing for one run.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "campaigns/expansion.hpp"
#include "campaigns/preview.hpp"
#include "common/rfc3339.hpp"
#include "tests/campaigns_engine/engine_fixture.hpp"

namespace disparo::campaigns::test {
namespace {

using namespace std::chrono_literals;

date::local_days day(int y, unsigned m, unsigned d) { return date::local_days{date::year{y} / m / d}; }

std::int64_t reason_count(const CampaignPreview& p, std::string_view reason) {
  for (const auto& r : p.excluded_by_reason) {
    if (r.reason == reason) return r.count;
  }
  return 0;
}

std::int64_t reason_count(const ExpansionOutcome& o, std::string_view reason) {
  for (const auto& [r, n] : o.excluded_by_reason) {
    if (r == reason) return n;
  }
  return 0;
}

// Two recipients on server A (session S1); every exclusion reason once or twice.
struct Mixed {
  TenantSeed seed;
  std::int64_t campaign = 0;
  std::vector<std::int64_t> recipients;
};

Mixed mixed_tenant(pg::Connection& conn) {
  Mixed m;
  m.seed = seed_tenant(conn);
  const auto& s = m.seed;
  m.recipients.push_back(add_client(conn, s.tenant, {.name = "Ana", .server = s.server_a, .due_date = "2026-11-25", .plan = s.plan}));
  add_client(conn, s.tenant, {.name = "Bia", .server = s.server_a, .blocked = true});
  add_client(conn, s.tenant, {.name = "Caio", .server = s.server_a, .archived = true});
  add_client(conn, s.tenant, {.name = "Duda", .server = s.server_a, .opted_out = true});
  m.recipients.push_back(add_client(conn, s.tenant, {.name = "Edu", .server = s.server_a}));
  add_client(conn, s.tenant, {.name = "Fabi", .server = s.server_b});  // cloud_api, no mapping
  add_client(conn, s.tenant, {.name = "Gil", .server = s.server_b});
  add_client(conn, s.tenant, {.name = "Hugo", .server = s.server_c});  // no session, no default
  add_client(conn, s.tenant, {.name = "Iara"});                        // no server, no default
  m.campaign = add_campaign(conn, s, "mixed-" + unique_suffix(), ", interval_seconds", ", 30");
  return m;
}

const ExpansionSettings kSettings{};

TEST(CampaignExpansion, PreviewCountsEqualWhatTheRunEnqueues) {
  auto conn = connect();
  const Mixed m = mixed_tenant(conn);
  const auto today = day(2026, 11, 22);
  const SysTime now = at("2026-11-22T14:25:00Z");

  auto preview = preview_campaign(conn, m.seed.tenant, m.campaign, today, 100);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->recipients, 2);
  EXPECT_EQ(preview->excluded, 7);
  EXPECT_EQ(reason_count(*preview, "blocked"), 1);
  EXPECT_EQ(reason_count(*preview, "archived"), 1);
  EXPECT_EQ(reason_count(*preview, "opted_out"), 1);
  EXPECT_EQ(reason_count(*preview, "no_session"), 2);
  EXPECT_EQ(reason_count(*preview, "no_provider_template"), 2);
  ASSERT_EQ(preview->servers.size(), 1u);
  EXPECT_EQ(preview->servers[0].id, m.seed.server_a);
  EXPECT_EQ(preview->servers[0].name, "A");
  EXPECT_EQ(preview->servers[0].count, 2);
  ASSERT_EQ(preview->sessions.size(), 1u);
  EXPECT_EQ(preview->sessions[0].id, m.seed.s1);
  ASSERT_EQ(preview->recipient_list.size(), 2u);
  EXPECT_EQ(preview->recipient_list[0].client_id, m.recipients[0]);
  EXPECT_EQ(preview->recipient_list[0].name, "Ana");

  const auto run = request_manual_run(conn, m.seed, m.campaign, now, "2026-11-22");
  auto outcome = expand_run(conn, run, now, kSettings);
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_TRUE(*outcome);
  const auto& o = **outcome;
  EXPECT_EQ(o.result, RunResult::expanded);
  EXPECT_EQ(o.recipients, preview->recipients);
  EXPECT_EQ(o.excluded, preview->excluded);
  for (const auto& r : preview->excluded_by_reason) EXPECT_EQ(reason_count(o, r.reason), r.count) << r.reason;
  EXPECT_EQ(o.session_ids, std::vector<std::int64_t>{m.seed.s1});

  const std::string run_id = std::to_string(run);
  // What the database holds is what the outcome says.
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages WHERE campaign_run_id = $1", {run_id}), 2);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM campaign_exclusions WHERE run_id = $1", {run_id}), 7);
  EXPECT_EQ(count(conn,
                  "SELECT count(*) FROM campaign_exclusions x JOIN clients c ON c.id = x.client_id "
                  "WHERE x.run_id = $1 AND ((c.name = 'Bia' AND x.reason = 'blocked') OR "
                  "(c.name = 'Duda' AND x.reason = 'opted_out') OR (c.name = 'Iara' AND x.reason = 'no_session'))",
                  {run_id}),
            3);
  auto state = exec(conn, "SELECT state, recipients, excluded, disparo_rfc3339(started_at) FROM campaign_runs WHERE id = $1", {run_id});
  EXPECT_EQ(state.text(0, 0), "sending");
  EXPECT_EQ(state.int64(0, 1), 2);
  EXPECT_EQ(state.int64(0, 2), 7);
  EXPECT_EQ(state.text(0, 3), "2026-11-22T14:25:00.000000Z");

  // Every message: marketing, paced as a group by the campaign interval, keyed per slot+client,
  // rendered for its client, born queued with one `queued` event naming the campaign.
  auto msgs = exec(conn,
                   "SELECT client_id, origin, priority, status, group_id, group_interval_ms, idempotency_key, "
                   "content->>'body', session_id, kind FROM messages WHERE campaign_run_id = $1 ORDER BY id",
                   {run_id});
  ASSERT_EQ(msgs.size(), 2);
  EXPECT_EQ(msgs.int64(0, 0), m.recipients[0]);
  EXPECT_EQ(msgs.text(0, 1), "campaign");
  EXPECT_EQ(msgs.int64(0, 2), 1);
  EXPECT_EQ(msgs.text(0, 3), "queued");
  EXPECT_EQ(msgs.text(0, 4), "campaign-run:" + run_id);
  EXPECT_EQ(msgs.int64(0, 5), 30'000);
  EXPECT_EQ(msgs.text(0, 6), campaign_message_key(m.campaign, now, m.recipients[0]));
  EXPECT_EQ(msgs.text(0, 7), "Olá Ana, seu plano Mensal vence em 25/11/2026: R$ 35,00.");
  EXPECT_EQ(msgs.int64(0, 8), m.seed.s1);
  EXPECT_EQ(msgs.text(0, 9), "text");
  EXPECT_EQ(count(conn,
                  "SELECT count(*) FROM message_events e JOIN messages m ON m.id = e.message_id "
                  "WHERE m.campaign_run_id = $1 AND e.status = 'queued' AND e.reason = 'campaign'",
                  {run_id}),
            2);
  EXPECT_EQ(count(conn,
                  "SELECT count(*) FROM message_events e JOIN messages m ON m.id = e.message_id "
                  "WHERE m.campaign_run_id = $1",
                  {run_id}),
            2);

  // The same day again: both recipients are "already reached today", in the preview and a run.
  auto again = preview_campaign(conn, m.seed.tenant, m.campaign, today, 100);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recipients, 0);
  EXPECT_EQ(reason_count(*again, "already_reached_today"), 2);
  const auto second = request_manual_run(conn, m.seed, m.campaign, now + 1h, "2026-11-22");
  auto second_outcome = expand_run(conn, second, now + 1h, kSettings);
  ASSERT_TRUE(second_outcome && *second_outcome);
  EXPECT_EQ((*second_outcome)->recipients, 0);
  EXPECT_EQ(reason_count(**second_outcome, "already_reached_today"), 2);
  // The next day they are recipients again.
  auto tomorrow = preview_campaign(conn, m.seed.tenant, m.campaign, today + date::days{1}, 100);
  ASSERT_TRUE(tomorrow);
  EXPECT_EQ(tomorrow->recipients, 2);
}

TEST(CampaignExpansion, FiltersByDueOffsetStatusPlanTagsAndCreation) {
  auto conn = connect();
  const auto seed = seed_tenant(conn, "America/Manaus", true);
  const auto due_in_3 = add_client(conn, seed.tenant, {.name = "D3", .due_date = "2026-11-25", .plan = seed.plan});
  add_client(conn, seed.tenant, {.name = "D2", .due_date = "2026-11-24", .plan = seed.plan});
  const auto overdue_30 = add_client(conn, seed.tenant, {.name = "O30", .due_date = "2026-10-23", .plan = seed.plan});
  const auto tagged = add_client(conn, seed.tenant, {.name = "Tag", .due_date = "2026-11-25"});
  exec(conn, "INSERT INTO client_tags (client_id, tag) VALUES ($1, 'vip')", {std::to_string(tagged)});
  const auto today = day(2026, 11, 22);

  auto ids = [&](std::int64_t campaign) {
    auto p = preview_campaign(conn, seed.tenant, campaign, today, 100);
    if (!p) throw std::runtime_error(p.error().message);
    std::vector<std::int64_t> out;
    for (const auto& r : p->recipient_list) out.push_back(r.client_id);
    return out;
  };
  const auto due = add_campaign(conn, seed, "due-" + unique_suffix(), ", audience_status, audience_anchor, day_offset",
                                ", 'active', 'due_date', -3");
  EXPECT_EQ(ids(due), (std::vector<std::int64_t>{due_in_3, tagged}));
  const auto due_plan = add_campaign(conn, seed, "due-plan-" + unique_suffix(), ", audience_anchor, day_offset, plan_ids",
                                     ", 'due_date', -3, ARRAY[" + std::to_string(seed.plan) + "]::bigint[]");
  EXPECT_EQ(ids(due_plan), std::vector<std::int64_t>{due_in_3});
  const auto vip = add_campaign(conn, seed, "vip-" + unique_suffix(), ", tags", ", ARRAY['vip']");
  EXPECT_EQ(ids(vip), std::vector<std::int64_t>{tagged});
  // Plan grace 5 days: 30 days overdue is "suspended", not "overdue".
  const auto recovery = add_campaign(conn, seed, "rec-" + unique_suffix(), ", audience_status, audience_anchor, day_offset",
                                     ", 'suspended', 'due_date', 30");
  EXPECT_EQ(ids(recovery), std::vector<std::int64_t>{overdue_30});
  const auto wrong_status = add_campaign(conn, seed, "rec2-" + unique_suffix(), ", audience_status, audience_anchor, day_offset",
                                         ", 'overdue', 'due_date', 30");
  EXPECT_TRUE(ids(wrong_status).empty());
  // Post-sale: created 15 local days ago (Manaus, UTC-4).
  const auto fresh = add_client(conn, seed.tenant, {.name = "New"});
  exec(conn, "UPDATE clients SET created_at = '2026-11-08T02:00:00Z' WHERE id = $1", {std::to_string(fresh)});  // Nov 7 local
  const auto older = add_client(conn, seed.tenant, {.name = "Old"});
  exec(conn, "UPDATE clients SET created_at = '2026-11-07T05:00:00Z' WHERE id = $1", {std::to_string(older)});   // Nov 7 local
  const auto post_sale = add_campaign(conn, seed, "ps-" + unique_suffix(), ", audience_anchor, day_offset", ", 'created', 15");
  EXPECT_EQ(ids(post_sale), (std::vector<std::int64_t>{fresh, older}));
  // Other tenants never see this campaign.
  const auto other = seed_tenant(conn);
  auto foreign = preview_campaign(conn, other.tenant, due, today, 10);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
}

TEST(CampaignExpansion, AnInvalidTemplateFailsTheRunWithoutAnyMessage) {
  auto conn = connect();
  const Mixed m = mixed_tenant(conn);
  exec(conn, "UPDATE message_templates SET archived_at = now() WHERE id = $1", {std::to_string(m.seed.template_id)});
  const SysTime now = at("2026-11-22T14:25:00Z");
  const auto run = request_manual_run(conn, m.seed, m.campaign, now, "2026-11-22");
  auto outcome = expand_run(conn, run, now, kSettings);
  ASSERT_TRUE(outcome && *outcome);
  EXPECT_EQ((*outcome)->result, RunResult::failed);
  EXPECT_EQ((*outcome)->reason, "template archived");
  auto state = exec(conn, "SELECT state, state_reason, finished_at IS NOT NULL FROM campaign_runs WHERE id = $1",
                    {std::to_string(run)});
  EXPECT_EQ(state.text(0, 0), "failed");
  EXPECT_EQ(state.text(0, 1), "template archived");
  EXPECT_TRUE(state.boolean(0, 2));
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages WHERE campaign_run_id = $1", {std::to_string(run)}), 0);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM campaign_exclusions WHERE run_id = $1", {std::to_string(run)}), 0);
}

TEST(CampaignExpansion, ARunNotExpandedWithinTheCatchUpWindowIsSkipped) {
  auto conn = connect();
  const Mixed m = mixed_tenant(conn);
  const SysTime slot = at("2026-11-22T14:25:00Z");
  const auto run = request_manual_run(conn, m.seed, m.campaign, slot, "2026-11-22");
  auto outcome = expand_run(conn, run, slot + 61min, kSettings);
  ASSERT_TRUE(outcome && *outcome);
  EXPECT_EQ((*outcome)->result, RunResult::skipped);
  EXPECT_EQ((exec(conn, "SELECT state FROM campaign_runs WHERE id = $1", {std::to_string(run)}).text(0, 0)), "skipped");
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages WHERE campaign_run_id = $1", {std::to_string(run)}), 0);
}

TEST(CampaignExpansion, AConnectionLostBeforeCommitLosesNothingAndDuplicatesNothing) {
  auto conn = connect();
  const Mixed m = mixed_tenant(conn);
  for (int i = 0; i < 50; ++i) add_client(conn, m.seed.tenant, {.name = "Extra", .server = m.seed.server_a});
  const SysTime now = at("2026-11-22T14:25:00Z");
  const auto run = request_manual_run(conn, m.seed, m.campaign, now, "2026-11-22");

  auto doomed = connect();
  auto killer = connect();
  ExpansionHooks crash;
  crash.before_commit = [&killer](pg::Connection& c) -> Expected<void> {
    // Everything is written; the server side of this connection dies before COMMIT.
    auto pid = c.exec("SELECT pg_backend_pid()");
    if (!pid) return std::move(pid).error();
    exec(killer, "SELECT pg_terminate_backend($1)", {std::string(pid->text(0, 0))});
    return {};
  };
  auto lost = expand_run(doomed, run, now, kSettings, crash);
  EXPECT_FALSE(lost);
  EXPECT_EQ((exec(conn, "SELECT state FROM campaign_runs WHERE id = $1", {std::to_string(run)}).text(0, 0)), "requested");
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages WHERE campaign_run_id = $1", {std::to_string(run)}), 0);

  // A restarted dispatcher (new connection) expands it once, completely.
  auto restarted = connect();
  auto outcome = expand_next_run(restarted, now + 10s, kSettings);
  ASSERT_TRUE(outcome && *outcome) << (outcome ? "" : outcome.error().message);
  EXPECT_EQ((*outcome)->run_id, run);
  EXPECT_EQ((*outcome)->recipients, 52);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages WHERE campaign_run_id = $1", {std::to_string(run)}), 52);
  EXPECT_EQ(count(conn,
                  "SELECT count(*) FROM (SELECT client_id FROM messages WHERE campaign_run_id = $1 "
                  "GROUP BY client_id HAVING count(*) > 1) d",
                  {std::to_string(run)}),
            0);
  auto nothing = expand_run(restarted, run, now + 20s, kSettings);
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(*nothing);
}

TEST(CampaignExpansion, TwoExpandersRacingForOneRunExpandItOnce) {
  auto conn = connect();
  const Mixed m = mixed_tenant(conn);
  const SysTime now = at("2026-11-22T14:25:00Z");
  const auto run = request_manual_run(conn, m.seed, m.campaign, now, "2026-11-22");

  std::promise<void> holding, release;
  auto released = release.get_future().share();
  ExpansionHooks hold;
  hold.before_commit = [&holding, released](pg::Connection&) -> Expected<void> {
    holding.set_value();
    released.wait();
    return {};
  };
  auto first = std::async(std::launch::async, [&] {
    auto a = connect();
    return expand_run(a, run, now, kSettings, hold);
  });
  holding.get_future().wait();
  // While the first holds the run's lock, the second finds nothing to do.
  auto b = connect();
  auto by_id = expand_run(b, run, now, kSettings);
  ASSERT_TRUE(by_id);
  EXPECT_FALSE(*by_id);
  release.set_value();
  auto won = first.get();
  ASSERT_TRUE(won && *won);
  EXPECT_EQ((*won)->recipients, 2);
  auto after = expand_run(b, run, now, kSettings);
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after);  // no longer requested
  EXPECT_EQ(count(conn, "SELECT count(*) FROM messages WHERE campaign_run_id = $1", {std::to_string(run)}), 2);
}

}  // namespace
}  // namespace disparo::campaigns::test
