// Every campaign route, table-driven over real HTTP: each role gets exactly what the matrix of
// admin/roles.cpp allows (2xx) or a 403 problem; without a key, 401; a second tenant's key never
// reaches the first tenant's campaigns and runs (404 for ids, nothing of theirs in lists).
#include <functional>

#include "admin/roles.hpp"
#include "tests/campaigns_admin/campaigns_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

struct RouteCase {
  std::string name;
  verb method;
  Action action;
  std::function<std::string()> target;  // per request: deletes and runs get a fresh campaign
  std::string body;
};

class CampaignsAccess : public CampaignsPg {
 protected:
  CampaignsAccess() {
    campaign_ = make_campaign(a_, "acesso");
    run_ = insert_run(a_, campaign_, "completed");
    client_ = make_client(a_, "Maria", "11987654321");
    insert_message(a_, run_, client_, "delivered");
  }

  std::string fresh_campaign() { return "/v1/campaigns/" + std::to_string(make_campaign(a_, "c" + std::to_string(++n_))); }

  std::vector<RouteCase> cases() {
    const auto fixed = [](std::string t) { return [t] { return t; }; };
    const auto c = "/v1/campaigns/" + std::to_string(campaign_);
    const auto r = "/v1/campaign-runs/" + std::to_string(run_);
    return {
        {"list campaigns", verb::get, Action::campaigns_read, fixed("/v1/campaigns"), ""},
        {"get campaign", verb::get, Action::campaigns_read, fixed(c), ""},
        {"preview campaign", verb::get, Action::campaigns_read, fixed(c + "/preview"), ""},
        {"create campaign", verb::post, Action::campaigns_write, fixed("/v1/campaigns"), ""},
        {"update campaign", verb::patch, Action::campaigns_write, fixed(c), R"({"interval_seconds":5})"},
        {"delete campaign", verb::delete_, Action::campaigns_write, [this] { return fresh_campaign(); }, ""},
        {"run campaign", verb::post, Action::campaigns_run, [this] { return fresh_campaign() + "/run"; }, ""},
        {"preset campaign", verb::post, Action::campaigns_write, fixed("/v1/campaigns/presets/referral"), ""},
        {"list runs", verb::get, Action::campaigns_read, fixed("/v1/campaign-runs"), ""},
        {"get run", verb::get, Action::campaigns_read, fixed(r), ""},
        {"list recipients", verb::get, Action::campaigns_read, fixed(r + "/recipients"), ""},
        {"export runs", verb::get, Action::campaigns_read, fixed("/v1/exports/campaign-runs"), ""},
        {"export recipients", verb::get, Action::campaigns_read, fixed("/v1/exports/campaign-runs/" + std::to_string(run_) + "/recipients"), ""},
    };
  }

  // Bodies that must differ per call (unique names) are made here.
  std::string body_for(const RouteCase& rc) {
    if (rc.name == "create campaign") return campaign_body("novo " + std::to_string(++n_), template_);
    if (rc.name == "preset campaign") return R"({"name":"indique )" + std::to_string(++n_) + R"("})";
    return rc.body;
  }

  std::int64_t campaign_ = 0, run_ = 0, client_ = 0;
  int n_ = 0;
};

TEST_F(CampaignsAccess, EveryRoleGetsExactlyWhatTheMatrixAllows) {
  for (auto& c : cases()) {
    for (const auto& role : kRoleNames) {
      const auto target = c.target();
      auto reply = call(c.method, target, a_.key(role), body_for(c));
      if (allows(role, c.action)) {
        EXPECT_GE(reply.status, 200u) << c.name << " as " << role << ": " << reply.body;
        EXPECT_LT(reply.status, 300u) << c.name << " as " << role << ": " << reply.body;
      } else {
        EXPECT_EQ(reply.status, 403u) << c.name << " as " << role << ": " << reply.body;
        EXPECT_EQ(reply.header("content-type"), "application/problem+json");
      }
    }
  }
}

TEST_F(CampaignsAccess, WithoutAKeyEveryRouteIs401) {
  for (auto& c : cases()) {
    auto reply = http_call(admin_.port(), c.method, c.target(), body_for(c), {{"Content-Type", "application/json"}});
    EXPECT_EQ(reply.status, 401u) << c.name;
    EXPECT_EQ(reply.header("content-type"), "application/problem+json") << c.name;
  }
}

TEST_F(CampaignsAccess, AnotherTenantNeverReachesTheseRows) {
  make_campaign(b_, "de B");
  for (auto& c : cases()) {
    const auto target = c.target();
    if (target == "/v1/campaigns" || target == "/v1/campaign-runs") {
      if (c.method != verb::get) continue;
      auto items = expect(200, verb::get, target, b_.key("owner")).at("items").as_array();
      for (const auto& item : items) {
        const auto table = target == "/v1/campaigns" ? "campaigns" : "campaign_runs";
        EXPECT_EQ(scalar(std::string("SELECT tenant_id FROM ") + table + " WHERE id = $1",
                         {std::to_string(item.at("id").as_int64())}),
                  b_.id)
            << c.name;
      }
      continue;
    }
    if (target.rfind("/v1/campaigns/presets", 0) == 0) continue;  // creates in B itself
    if (target == "/v1/exports/campaign-runs") {
      auto csv = call(verb::get, target + "?profile=machine&fields=id", b_.key("owner"));
      EXPECT_EQ(csv.body, "id\r\n") << "B has no runs: none of A's";
      continue;
    }
    auto reply = call(c.method, target, b_.key("owner"), body_for(c));
    EXPECT_EQ(reply.status, 404u) << c.name << " " << target << " as tenant B: " << reply.body;
  }
  // Nothing of A changed through B's calls.
  EXPECT_EQ(scalar("SELECT interval_seconds FROM campaigns WHERE id = $1", {std::to_string(campaign_)}), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM campaign_runs WHERE tenant_id = $1 AND trigger = 'manual'", {std::to_string(a_.id)}), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM campaigns WHERE tenant_id = $1 AND archived_at IS NOT NULL", {std::to_string(a_.id)}), 0);
}

TEST_F(CampaignsAccess, ReferencesToAnotherTenantsIdsAre422) {
  auto reply = expect(422, verb::patch, "/v1/campaigns/" + std::to_string(campaign_), a_.key("owner"),
                      R"({"template_id":)" + std::to_string(b_template_) + R"(,"server_ids":[)" +
                          std::to_string(b_server_) + "]}");
  EXPECT_EQ(field_names(reply), "template_id,server_ids");
}

}  // namespace
}  // namespace disparo::admin::test
