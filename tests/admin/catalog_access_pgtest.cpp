// Every catalog route, table-driven over real HTTP: each role gets exactly what the matrix of
// admin/roles.cpp allows (2xx) or a 403 problem; a second tenant's key never reaches the first
// tenant's rows (404 for ids, nothing of theirs in lists, 422 for references to their ids).
#include <functional>
#include <set>

#include "admin/roles.hpp"
#include "tests/admin/catalog_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

struct RouteCase {
  std::string name;
  verb method;
  Action action;
  std::function<std::string()> target;  // called per request: deletes get a fresh resource each time
  std::function<std::string()> body;    // empty function: no body
  std::string table;                    // lists: the table whose tenant_id the returned ids must match
};

class CatalogAccess : public CatalogPg {
 protected:
  CatalogAccess() : a_(make_tenant("access-a")), b_(make_tenant("access-b")) {
    session_ = create(a_, "/v1/sessions", R"({"name":"main","provider":"sandbox","base_url":"http://127.0.0.1:1/v24.0",
                                            "access_token":"secret-token","is_default":true})");
    server_ = create(a_, "/v1/servers", R"({"name":"panel","credit_cost_cents":150,"session_id":)" +
                                            std::to_string(session_) + "}");
    plan_ = create(a_, "/v1/plans", R"({"name":"monthly","cycle":"monthly","price_cents":3000,"grace_days":5})");
    channel_ = create(a_, "/v1/channels", R"({"name":"Facebook","cost_cents":500})");
    client_ = create(a_, "/v1/clients", client_body("Maria", "11987654321"));
    alert_ = create(a_, "/v1/clients/" + std::to_string(client_) + "/alerts", R"({"title":"VIP","text":"calls"})");
  }

  std::string client_body(const std::string& name, const std::string& phone) const {
    return R"({"name":")" + name + R"(","phone":")" + phone + R"(","password":"pw-)" + name +
           R"(","tags":["Matrícula 2026"],"server_id":)" + std::to_string(server_) +
           R"(,"plan_id":)" + std::to_string(plan_) + R"(,"channel_id":)" + std::to_string(channel_) +
           R"(,"due_date":"2026-12-05"})";
  }
  std::string unique(const std::string& stem) { return stem + "-" + std::to_string(++counter_); }
  std::string fresh(const std::string& collection, const std::string& body) {
    return collection + "/" + std::to_string(create(a_, collection, body));
  }

  std::vector<RouteCase> cases() {
    const auto id = [](const std::string& base, std::int64_t v) { return [=] { return base + "/" + std::to_string(v); }; };
    const auto fixed = [](std::string t) { return [t] { return t; }; };
    const auto text = [](std::string b) { return [b] { return b; }; };
    const auto client = "/v1/clients/" + std::to_string(client_);
    return {
        {"list keys", verb::get, Action::keys_manage, fixed("/v1/keys"), {}, "api_keys"},
        {"create key", verb::post, Action::keys_manage, fixed("/v1/keys"), text(R"({"role":"support"})"), ""},
        {"revoke key", verb::delete_, Action::keys_manage,
         [this] { return "/v1/keys/" + std::to_string(create(a_, "/v1/keys", R"({"role":"sales"})")); }, {}, ""},
        {"list servers", verb::get, Action::servers_read, fixed("/v1/servers"), {}, "servers"},
        {"get server", verb::get, Action::servers_read, id("/v1/servers", server_), {}, ""},
        {"create server", verb::post, Action::servers_write, fixed("/v1/servers"),
         [this] { return R"({"name":")" + unique("srv") + R"("})"; }, ""},
        {"update server", verb::patch, Action::servers_write, id("/v1/servers", server_),
         text(R"({"credit_cost_cents":175})"), ""},
        {"delete server", verb::delete_, Action::servers_write,
         [this] { return fresh("/v1/servers", R"({"name":")" + unique("gone") + R"("})"); }, {}, ""},
        {"list sessions", verb::get, Action::sessions_read, fixed("/v1/sessions"), {}, "whatsapp_sessions"},
        {"get session", verb::get, Action::sessions_read, id("/v1/sessions", session_), {}, ""},
        {"create session", verb::post, Action::sessions_write, fixed("/v1/sessions"),
         [this] { return R"({"name":")" + unique("s") + R"(","provider":"sandbox","base_url":"http://x"})"; }, ""},
        {"update session", verb::patch, Action::sessions_write, id("/v1/sessions", session_),
         text(R"({"daily_cap":250})"), ""},
        {"delete session", verb::delete_, Action::sessions_write,
         [this] {
           return fresh("/v1/sessions", R"({"name":")" + unique("gone") + R"(","provider":"sandbox","base_url":"http://x"})");
         },
         {}, ""},
        {"list plans", verb::get, Action::plans_read, fixed("/v1/plans"), {}, "plans"},
        {"get plan", verb::get, Action::plans_read, id("/v1/plans", plan_), {}, ""},
        {"create plan", verb::post, Action::plans_write, fixed("/v1/plans"),
         [this] { return R"({"name":")" + unique("p") + R"(","cycle":"annual","price_cents":30000})"; }, ""},
        {"update plan", verb::patch, Action::plans_write, id("/v1/plans", plan_), text(R"({"grace_days":5})"), ""},
        {"delete plan", verb::delete_, Action::plans_write,
         [this] { return fresh("/v1/plans", R"({"name":")" + unique("gone") + R"(","cycle":"monthly","price_cents":1})"); },
         {}, ""},
        {"list channels", verb::get, Action::channels_read, fixed("/v1/channels"), {}, "acquisition_channels"},
        {"get channel", verb::get, Action::channels_read, id("/v1/channels", channel_), {}, ""},
        {"create channel", verb::post, Action::channels_write, fixed("/v1/channels"),
         [this] { return R"({"name":")" + unique("c") + R"("})"; }, ""},
        {"update channel", verb::patch, Action::channels_write, id("/v1/channels", channel_),
         text(R"({"cost_cents":600})"), ""},
        {"delete channel", verb::delete_, Action::channels_write,
         [this] { return fresh("/v1/channels", R"({"name":")" + unique("gone") + R"("})"); }, {}, ""},
        {"list clients", verb::get, Action::clients_read, fixed("/v1/clients?archived=all"), {}, "clients"},
        {"get client", verb::get, Action::clients_read, fixed(client), {}, ""},
        {"create client", verb::post, Action::clients_write, fixed("/v1/clients"),
         [this] { return R"({"name":")" + unique("Ana") + R"(","phone":"+55 21 98888-7777"})"; }, ""},
        {"update client", verb::patch, Action::clients_write, fixed(client), text(R"({"notes":"called"})"), ""},
        {"create alert", verb::post, Action::clients_write, fixed(client + "/alerts"), text(R"({"title":"x"})"), ""},
        {"update alert", verb::patch, Action::clients_write, fixed(client + "/alerts/" + std::to_string(alert_)),
         text(R"({"active":true})"), ""},
        {"delete alert", verb::delete_, Action::clients_write,
         [this, client] { return fresh(client + "/alerts", R"({"title":"temp"})"); }, {}, ""},
        {"list tags", verb::get, Action::clients_read, fixed("/v1/tags"), {}, ""},
    };
  }

  TestTenant a_, b_;
  std::int64_t session_ = 0, server_ = 0, plan_ = 0, channel_ = 0, client_ = 0, alert_ = 0;
  int counter_ = 0;
};

TEST_F(CatalogAccess, EveryRoleGetsExactlyWhatTheMatrixAllows) {
  for (auto& c : cases()) {
    for (const auto& role : kRoleNames) {
      const bool allowed = allows(role, c.action);
      const auto target = c.target();
      const auto body = c.body ? c.body() : std::string();
      auto reply = call(c.method, target, a_.key(role), body);
      if (allowed) {
        EXPECT_GE(reply.status, 200u) << c.name << " as " << role << ": " << reply.body;
        EXPECT_LT(reply.status, 300u) << c.name << " as " << role << ": " << reply.body;
      } else {
        EXPECT_EQ(reply.status, 403u) << c.name << " as " << role << ": " << reply.body;
        EXPECT_EQ(reply.header("content-type"), "application/problem+json");
      }
    }
  }
}

TEST_F(CatalogAccess, WithoutAKeyEveryRouteIs401) {
  for (auto& c : cases()) {
    auto reply = http_call(admin_.port(), c.method, c.target(), c.body ? c.body() : "",
                           {{"Content-Type", "application/json"}});
    EXPECT_EQ(reply.status, 401u) << c.name;
  }
}

TEST_F(CatalogAccess, AnotherTenantNeverReachesTheseRows) {
  for (auto& c : cases()) {
    const auto target = c.target();
    if (c.name.rfind("list ", 0) == 0) {
      // A list: 200, and not one returned id is a row of tenant A.
      auto reply = call(c.method, target, b_.key("owner"));
      ASSERT_EQ(reply.status, 200u) << c.name << ": " << reply.body;
      auto items = parse(reply).at("items").as_array();
      for (const auto& item : items) {
        if (c.table.empty()) {
          EXPECT_NE(item.at("tag").as_string(), "Matrícula 2026") << c.name;
          continue;
        }
        EXPECT_EQ(scalar("SELECT tenant_id FROM " + c.table + " WHERE id = $1", {std::to_string(item.at("id").as_int64())}),
                  b_.id)
            << c.name << " leaked " << boost::json::serialize(item);
      }
      continue;
    }
    if (c.method == verb::post && target.find("/alerts") == std::string::npos) continue;  // creates in B itself
    auto reply = call(c.method, target, b_.key("owner"), c.body ? c.body() : "");
    EXPECT_EQ(reply.status, 404u) << c.name << " " << target << " as tenant B: " << reply.body;
  }
  // Nothing of A changed through B's calls.
  EXPECT_EQ(scalar("SELECT credit_cost_cents FROM servers WHERE id = $1", {std::to_string(server_)}), 150);
  EXPECT_EQ(scalar("SELECT count(*) FROM client_alerts WHERE id = $1 AND active", {std::to_string(alert_)}), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM clients WHERE id = $1 AND notes IS NULL", {std::to_string(client_)}), 1);
}

TEST_F(CatalogAccess, ReferencesToAnotherTenantsIdsAre422) {
  const auto s = std::to_string(session_);
  auto server = expect(422, verb::post, "/v1/servers", b_.key("owner"), R"({"name":"x","session_id":)" + s + "}");
  EXPECT_EQ(field_names(server), "session_id");
  auto client = expect(422, verb::post, "/v1/clients", b_.key("owner"),
                       R"({"name":"x","phone":"11987654321","plan_id":)" + std::to_string(plan_) + "}");
  EXPECT_EQ(field_names(client), "plan_id");
  auto mine = create(b_, "/v1/clients", R"({"name":"y","phone":"11987654322"})");
  for (const auto& [field, value] : {std::pair{"server_id", server_}, std::pair{"channel_id", channel_}}) {
    auto reply = expect(422, verb::patch, "/v1/clients/" + std::to_string(mine), b_.key("owner"),
                        std::string(R"({")") + field + R"(":)" + std::to_string(value) + "}");
    EXPECT_EQ(field_names(reply), field);
  }
}

TEST_F(CatalogAccess, PasswordsOnlyForRolesThatNeedThem) {
  const auto target = "/v1/clients/" + std::to_string(client_);
  for (const auto& role : kRoleNames) {
    if (role == "sender") continue;
    auto one = expect(200, verb::get, target, a_.key(role)).as_object();
    auto list = expect(200, verb::get, "/v1/clients", a_.key(role)).at("items").as_array();
    ASSERT_FALSE(list.empty());
    const bool may = allows(role, Action::clients_read_password);
    EXPECT_EQ(one.contains("password"), may) << role;
    EXPECT_EQ(list.front().as_object().contains("password"), may) << role;
    EXPECT_TRUE(one.at("has_password").as_bool());
    if (may) {
      EXPECT_EQ(one.at("password").as_string(), "pw-Maria");
    }
  }
}

TEST_F(CatalogAccess, KeysAreListedWithoutSecretsAndLastUseIsRecorded) {
  auto keys = expect(200, verb::get, "/v1/keys", a_.key("owner")).at("items").as_array();
  ASSERT_EQ(keys.size(), kRoleNames.size());
  for (const auto& k : keys) {
    const auto& o = k.as_object();
    EXPECT_FALSE(o.contains("api_key"));
    EXPECT_FALSE(o.contains("key_hash"));
    EXPECT_EQ(o.at("prefix").as_string().size(), 12u);
    EXPECT_FALSE(o.at("revoked").as_bool());
  }
  // The owner key has been used: its last use is recorded.
  const auto owner = std::find_if(keys.begin(), keys.end(), [](const auto& k) { return k.at("role") == "owner"; });
  EXPECT_TRUE(owner->at("last_used_at").is_string());
  // A revoked key stops working at once; the last owner key cannot be revoked.
  const auto sales = std::find_if(keys.begin(), keys.end(), [](const auto& k) { return k.at("role") == "sales"; });
  auto revoked = expect(200, verb::delete_, "/v1/keys/" + std::to_string(sales->at("id").as_int64()), a_.key("owner"));
  EXPECT_TRUE(revoked.at("revoked").as_bool());
  EXPECT_EQ(call(verb::get, "/v1/clients", a_.key("sales")).status, 401u);
  expect(409, verb::delete_, "/v1/keys/" + std::to_string(owner->at("id").as_int64()), a_.key("owner"));
  expect(422, verb::post, "/v1/keys", a_.key("owner"), R"({"role":"root"})");
}

}  // namespace
}  // namespace disparo::admin::test
