// Campaigns over real HTTP: create/read/list/update/delete with every validation (field errors,
// references of the tenant, archived templates), "run now" and its 409s, and the presets.
#include "tests/campaigns_admin/campaigns_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class CampaignsCrud : public CampaignsPg {};

TEST_F(CampaignsCrud, CreatesReadsListsAndUpdates) {
  const auto ids = "[" + std::to_string(server_) + "]";
  auto made = expect(201, verb::post, "/v1/campaigns", a_.key("owner"),
                     campaign_body("Vence em 3 dias", template_,
                                   R"("kind":"billing","server_ids":)" + ids +
                                       R"(,"audience_status":"active","audience_anchor":"due_date","day_offset":-3,
                                         "plan_ids":[)" + std::to_string(plan_) + R"(],"channel_ids":[)" +
                                       std::to_string(channel_) + R"(],"tags":["vip"],
                                         "schedule_days":["mon","tue","wed","thu","fri"],"schedule_time":"11:25",
                                         "interval_seconds":30)"))
                  .as_object();
  const auto id = made.at("id").as_int64();
  EXPECT_EQ(made.at("kind"), "billing");
  EXPECT_EQ(made.at("template_name"), "Lembrete");
  EXPECT_EQ(made.at("server_ids").as_array().at(0).as_int64(), server_);
  EXPECT_EQ(made.at("day_offset").as_int64(), -3);
  EXPECT_EQ(made.at("schedule_days").as_array().size(), 5u);
  EXPECT_EQ(made.at("schedule_time"), "11:25");
  EXPECT_EQ(made.at("tags").as_array().at(0), "vip");
  EXPECT_TRUE(made.at("active").as_bool());
  EXPECT_TRUE(made.at("last_run").is_null());
  // A new campaign's schedule starts now: it never back-fills slots.
  EXPECT_EQ(scalar("SELECT count(*) FROM campaigns WHERE id = $1 AND slots_done_until IS NOT NULL", {std::to_string(id)}), 1);

  const auto target = "/v1/campaigns/" + std::to_string(id);
  EXPECT_EQ(expect(200, verb::get, target, a_.key("support")).at("name"), "Vence em 3 dias");
  auto list = expect(200, verb::get, "/v1/campaigns?kind=billing&active=true", a_.key("sales")).at("items").as_array();
  ASSERT_EQ(list.size(), 1u);

  // PATCH changes only what is sent; null clears the nullable members.
  auto patched = expect(200, verb::patch, target, a_.key("manager"),
                        R"({"server_ids":null,"tags":null,"schedule_days":[],"active":false})")
                     .as_object();
  EXPECT_TRUE(patched.at("server_ids").is_null());
  EXPECT_TRUE(patched.at("tags").is_null());
  EXPECT_TRUE(patched.at("schedule_days").as_array().empty());
  EXPECT_FALSE(patched.at("active").as_bool());
  EXPECT_EQ(patched.at("day_offset").as_int64(), -3) << "untouched";
  EXPECT_EQ(expect(200, verb::get, "/v1/campaigns?active=true", a_.key("owner")).at("items").as_array().size(), 0u);
}

TEST_F(CampaignsCrud, RefusesBadInputWithEveryFieldError) {
  auto missing = expect(422, verb::post, "/v1/campaigns", a_.key("owner"), R"({"kind":"billing"})");
  EXPECT_EQ(field_names(missing), "name,template_id");
  auto rules = expect(422, verb::post, "/v1/campaigns", a_.key("owner"),
                      campaign_body("x", template_, R"("audience_anchor":"due_date","schedule_days":["mon"])"));
  EXPECT_EQ(field_names(rules), "day_offset,schedule_time");
  auto unknown = expect(422, verb::post, "/v1/campaigns", a_.key("owner"), campaign_body("x", template_, R"("colour":1)"));
  EXPECT_EQ(field_names(unknown), "colour");
  // References: another tenant's template, server, plan; an archived template.
  const auto archived = make_template(a_, "Velho", true);
  auto refs = expect(422, verb::post, "/v1/campaigns", a_.key("owner"),
                     campaign_body("x", b_template_,
                                   R"("server_ids":[)" + std::to_string(b_server_) + R"(],"plan_ids":[999999])"));
  EXPECT_EQ(field_names(refs), "template_id,server_ids,plan_ids");
  auto old = expect(422, verb::post, "/v1/campaigns", a_.key("owner"), campaign_body("x", archived));
  EXPECT_EQ(field_names(old), "template_id");
  EXPECT_NE(boost::json::serialize(old).find("archived"), std::string::npos);
  // Not JSON, wrong content type.
  EXPECT_EQ(call(verb::post, "/v1/campaigns", a_.key("owner"), "[1]").status, 400u);
  auto plain = http_call(admin_.port(), verb::post, "/v1/campaigns", "{}",
                         {{"Authorization", "Bearer " + a_.key("owner")}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(plain.status, 415u);
  // A PATCH is judged with the stored members: an anchor without its offset.
  const auto id = make_campaign(a_, "base");
  auto patch = expect(422, verb::patch, "/v1/campaigns/" + std::to_string(id), a_.key("owner"),
                      R"({"audience_anchor":"created"})");
  EXPECT_EQ(field_names(patch), "day_offset");
  expect(422, verb::patch, "/v1/campaigns/" + std::to_string(id), a_.key("owner"),
         R"({"channel_ids":[)" + std::to_string(channel_) + R"(, -1]})");
  EXPECT_EQ(scalar("SELECT count(*) FROM campaigns WHERE tenant_id = $1", {std::to_string(a_.id)}), 1);
}

TEST_F(CampaignsCrud, ActivatingOrReschedulingStartsSlotsFromNow) {
  const auto id = make_campaign(a_, "semanal", R"("active":false,"schedule_days":["mon"],"schedule_time":"08:00")");
  const auto sid = std::to_string(id);
  const auto target = "/v1/campaigns/" + sid;
  const auto stale = "SELECT count(*) FROM campaigns WHERE id = $1 AND slots_done_until < now() - interval '1 hour'";
  ASSERT_TRUE(conn_.exec("UPDATE campaigns SET slots_done_until = now() - interval '30 days' WHERE id = $1", {sid}).has_value());
  expect(200, verb::patch, target, a_.key("owner"), R"({"interval_seconds":10})");
  EXPECT_EQ(scalar(stale, {sid}), 1) << "an unrelated change keeps the slots where they are";
  expect(200, verb::patch, target, a_.key("owner"), R"({"active":true})");
  EXPECT_EQ(scalar(stale, {sid}), 0) << "the days while it was off are neither run nor recorded as skipped";
  ASSERT_TRUE(conn_.exec("UPDATE campaigns SET slots_done_until = now() - interval '30 days' WHERE id = $1", {sid}).has_value());
  expect(200, verb::patch, target, a_.key("owner"), R"({"schedule_time":"09:00"})");
  EXPECT_EQ(scalar(stale, {sid}), 0);
  // A campaign that is off may still be run by hand.
  expect(202, verb::post, target + "/run", a_.key("owner"), "");
}

TEST_F(CampaignsCrud, NamesAreUniquePerTenant) {
  make_campaign(a_, "Única");
  expect(409, verb::post, "/v1/campaigns", a_.key("owner"), campaign_body("Única", template_));
  make_campaign(b_, "Única");  // another tenant may use it
  const auto other = make_campaign(a_, "Outra");
  expect(409, verb::patch, "/v1/campaigns/" + std::to_string(other), a_.key("owner"), R"({"name":"Única"})");
}

TEST_F(CampaignsCrud, DeleteRemovesOrArchivesWhenItHasRuns) {
  const auto fresh = make_campaign(a_, "nunca rodou");
  expect(204, verb::delete_, "/v1/campaigns/" + std::to_string(fresh), a_.key("owner"));
  expect(404, verb::get, "/v1/campaigns/" + std::to_string(fresh), a_.key("owner"));

  const auto ran = make_campaign(a_, "rodou");
  const auto run = insert_run(a_, ran, "completed");
  const auto target = "/v1/campaigns/" + std::to_string(ran);
  expect(204, verb::delete_, target, a_.key("owner"));
  auto kept = expect(200, verb::get, target, a_.key("owner"));
  EXPECT_TRUE(kept.at("archived_at").is_string());
  EXPECT_FALSE(kept.at("active").as_bool());
  EXPECT_EQ(kept.at("last_run").at("id").as_int64(), run);
  EXPECT_TRUE(expect(200, verb::get, "/v1/campaigns", a_.key("owner")).at("items").as_array().empty());
  EXPECT_EQ(expect(200, verb::get, "/v1/campaigns?archived=true", a_.key("owner")).at("items").as_array().size(), 1u);
  expect(200, verb::get, "/v1/campaign-runs/" + std::to_string(run), a_.key("owner"));  // the report stays
  expect(409, verb::patch, target, a_.key("owner"), R"({"active":true})");
  expect(409, verb::post, target + "/run", a_.key("owner"));
}

TEST_F(CampaignsCrud, RunNowRequestsOneManualRunAtATime) {
  const auto id = make_campaign(a_, "agora");
  const auto target = "/v1/campaigns/" + std::to_string(id) + "/run";
  auto run = expect(202, verb::post, target, a_.key("manager")).as_object();
  EXPECT_EQ(run.at("state"), "requested");
  EXPECT_EQ(run.at("trigger"), "manual");
  EXPECT_EQ(run.at("campaign_id").as_int64(), id);
  EXPECT_EQ(run.at("requested_by").as_string().size(), 12u) << "the key's public prefix";
  EXPECT_EQ(scalar("SELECT count(*) FROM campaign_runs WHERE id = $1 AND slot_at = date_trunc('second', slot_at) "
                   "AND local_day = (now() AT TIME ZONE 'America/Sao_Paulo')::date",
                   {std::to_string(run.at("id").as_int64())}),
            1);
  // Still requested: a second "run now" is refused.
  auto again = expect(409, verb::post, target, a_.key("owner"));
  EXPECT_NE(std::string(again.at("detail").as_string()).find("has not started"), std::string::npos);
  // Once the dispatcher took it (and a second later), another may be requested.
  ASSERT_TRUE(conn_.exec("UPDATE campaign_runs SET state = 'sending', slot_at = slot_at - interval '5 seconds' WHERE id = $1",
                         {std::to_string(run.at("id").as_int64())})
                  .has_value());
  expect(202, verb::post, target, a_.key("owner"));
  // An archived template blocks it.
  const auto tmpl = make_template(a_, "arquivado");
  const auto other = make_campaign(a_, "outra");
  ASSERT_TRUE(conn_.exec("UPDATE campaigns SET template_id = $1 WHERE id = $2", {std::to_string(tmpl), std::to_string(other)})
                  .has_value());
  ASSERT_TRUE(conn_.exec("UPDATE message_templates SET archived_at = now() WHERE id = $1", {std::to_string(tmpl)}).has_value());
  expect(409, verb::post, "/v1/campaigns/" + std::to_string(other) + "/run", a_.key("owner"));
  expect(404, verb::post, "/v1/campaigns/999999/run", a_.key("owner"));
}

TEST_F(CampaignsCrud, PresetsCreateTemplateAndCampaign) {
  auto recovery = expect(201, verb::post, "/v1/campaigns/presets/recovery", a_.key("owner")).as_object();
  const auto& campaign = recovery.at("campaign").as_object();
  EXPECT_EQ(campaign.at("kind"), "recovery");
  EXPECT_EQ(campaign.at("preset"), "recovery");
  EXPECT_EQ(campaign.at("audience_anchor"), "due_date");
  EXPECT_EQ(campaign.at("day_offset").as_int64(), 30);
  EXPECT_EQ(campaign.at("schedule_days").as_array().size(), 7u);
  EXPECT_TRUE(campaign.at("active").as_bool());
  EXPECT_EQ(campaign.at("template_id"), recovery.at("template").at("id"));
  EXPECT_NE(std::string(recovery.at("template").at("body").as_string()).find("{valor}"), std::string::npos);

  auto referral = expect(201, verb::post, "/v1/campaigns/presets/referral", a_.key("owner"),
                         R"({"name":"Indique","active":false,"schedule_time":"09:30"})")
                      .as_object();
  EXPECT_EQ(referral.at("campaign").at("name"), "Indique");
  EXPECT_EQ(referral.at("template").at("name"), "Indique");
  EXPECT_EQ(referral.at("campaign").at("day_offset").as_int64(), -10);
  EXPECT_FALSE(referral.at("campaign").at("active").as_bool());
  EXPECT_EQ(referral.at("campaign").at("schedule_time"), "09:30");

  auto post_sale = expect(201, verb::post, "/v1/campaigns/presets/post_sale", a_.key("owner"), "{}").as_object();
  EXPECT_EQ(post_sale.at("campaign").at("audience_anchor"), "created");
  EXPECT_EQ(post_sale.at("campaign").at("day_offset").as_int64(), 15);

  // Twice: the name is taken (409), and nothing half-made is left behind.
  const auto templates = scalar("SELECT count(*) FROM message_templates WHERE tenant_id = $1", {std::to_string(a_.id)});
  expect(409, verb::post, "/v1/campaigns/presets/recovery", a_.key("owner"));
  auto refused = expect(422, verb::post, "/v1/campaigns/presets/recovery", a_.key("owner"),
                        R"({"name":"Outra","server_ids":[)" + std::to_string(b_server_) + "]}");
  EXPECT_EQ(field_names(refused), "server_ids");
  EXPECT_EQ(scalar("SELECT count(*) FROM message_templates WHERE tenant_id = $1", {std::to_string(a_.id)}), templates);
  EXPECT_EQ(field_names(expect(422, verb::post, "/v1/campaigns/presets/referral", a_.key("owner"), R"({"day_offset":3})")),
            "day_offset");
  expect(404, verb::post, "/v1/campaigns/presets/welcome", a_.key("owner"));
  expect(403, verb::post, "/v1/campaigns/presets/recovery", a_.key("support"));
}

}  // namespace
}  // namespace disparo::admin::test
