// Every templates/scheduled-messages route, table-driven: each role gets exactly what the matrix
// of admin/roles.cpp allows (2xx) or a 403 problem; another tenant's key gets 404 for ids and a
// 422 for references to the first tenant's clients, and sees none of its rows in lists.
#include <functional>

#include "admin/roles.hpp"
#include "tests/templates/templates_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

struct RouteCase {
  std::string name;
  verb method;
  Action action;
  std::function<std::string()> target;  // per request: deletes and cancels get a fresh resource
  std::function<std::string()> body;    // empty function: no body
};

class TemplatesAccess : public TemplatesPg {
 protected:
  TemplatesAccess() : a_(make_tenant()), b_(make_tenant()) {
    session(a_, "padrao");
    session(b_, "padrao");
    client_ = client(a_);
    template_ = text_template(a_, "base", "Oi {nome}");
  }

  std::string unique(const std::string& stem) { return stem + "-" + std::to_string(++counter_); }
  std::string scheduled() {
    auto reply = call(verb::post, "/v1/scheduled-messages", a_.owner(), scheduled_body());
    EXPECT_EQ(reply.status, 201u) << reply.body;
    return "/v1/scheduled-messages/" + std::to_string(json(reply).at("id").as_int64());
  }
  std::string scheduled_body() const {
    return R"({"client_id":)" + std::to_string(client_) + R"(,"text":"Oi {nome}","send_at":")" +
           format_rfc3339_in(std::chrono::hours(2)) + R"("})";
  }
  std::string client_body() const { return R"({"client_id":)" + std::to_string(client_) + "}"; }

  std::vector<RouteCase> cases() {
    const std::string item = "/v1/templates/" + std::to_string(template_);
    const auto fixed = [](std::string t) { return [t] { return t; }; };
    const auto text = [](std::string b) { return [b] { return b; }; };
    const std::string soon = R"(,"send_at":")" + format_rfc3339_in(std::chrono::hours(1)) + R"("})";
    return {
        {"list templates", verb::get, Action::templates_read, fixed("/v1/templates"), {}},
        {"get template", verb::get, Action::templates_read, fixed(item), {}},
        {"create template", verb::post, Action::templates_write, fixed("/v1/templates"),
         [this] { return R"({"name":")" + unique("t") + R"(","kind":"text","body":"x"})"; }},
        {"update template", verb::patch, Action::templates_write, fixed(item), text(R"({"body":"Oi {nome}!"})")},
        {"delete template", verb::delete_, Action::templates_write,
         [this] { return "/v1/templates/" + std::to_string(text_template(a_, unique("gone"), "x")); }, {}},
        {"preview template", verb::post, Action::templates_read, fixed(item + "/preview"), text(client_body())},
        {"send template", verb::post, Action::messages_send, fixed(item + "/send"), text(client_body())},
        {"list scheduled", verb::get, Action::messages_send, fixed("/v1/scheduled-messages"), {}},
        {"create scheduled", verb::post, Action::messages_send, fixed("/v1/scheduled-messages"),
         text(R"({"client_id":)" + std::to_string(client_) + R"(,"text":"Oi")" + soon)},
        {"get scheduled", verb::get, Action::messages_send, [this] { return scheduled(); }, {}},
        {"cancel scheduled", verb::delete_, Action::messages_send, [this] { return scheduled(); }, {}},
    };
  }

  static std::string format_rfc3339_in(std::chrono::hours ahead) {
    const auto at = std::chrono::system_clock::now() + ahead;
    const auto t = std::chrono::system_clock::to_time_t(at);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
  }

  MoneyTenant a_, b_;
  std::int64_t client_ = 0;
  std::int64_t template_ = 0;
  int counter_ = 0;
};

TEST_F(TemplatesAccess, EveryRoleGetsExactlyWhatTheMatrixAllows) {
  int checked = 0;
  for (const auto& c : cases()) {
    for (const char* role : {"owner", "manager", "finance", "sales", "support", "sender"}) {
      const bool allowed = allows(std::string_view(role), c.action);
      const auto target = c.target();
      const auto reply = call(c.method, target, a_.keys.at(role), c.body ? c.body() : std::string());
      if (allowed) {
        EXPECT_GE(reply.status, 200u) << c.name << " as " << role << ": " << reply.body;
        EXPECT_LT(reply.status, 300u) << c.name << " as " << role << ": " << reply.body;
      } else {
        EXPECT_EQ(reply.status, 403u) << c.name << " as " << role << ": " << reply.body;
        EXPECT_EQ(reply.header("content-type"), "application/problem+json") << c.name;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 11 * 6);
  EXPECT_EQ(call(verb::get, "/v1/templates", "").status, 401u);
}

TEST_F(TemplatesAccess, AnotherTenantsKeyGets404ForIdsAndSeesNothing) {
  const std::string item = "/v1/templates/" + std::to_string(template_);
  const auto& key = b_.owner();
  EXPECT_EQ(call(verb::get, item, key).status, 404u);
  EXPECT_EQ(call(verb::patch, item, key, R"({"body":"hijack"})").status, 404u);
  EXPECT_EQ(call(verb::delete_, item, key).status, 404u);
  EXPECT_EQ(call(verb::post, item + "/preview", key, client_body()).status, 404u);
  EXPECT_EQ(call(verb::post, item + "/send", key, client_body()).status, 404u);
  EXPECT_EQ(json(call(verb::get, "/v1/templates?include_archived=true", key)).at("items").as_array().size(), 0u);

  // Its own template cannot reach the first tenant's client either: 422 on the reference.
  const auto own = text_template(b_, "own", "Oi {nome}");
  auto cross = call(verb::post, "/v1/templates/" + std::to_string(own) + "/send", key, client_body());
  EXPECT_EQ(cross.status, 422u) << cross.body;
  EXPECT_EQ(field_of_first_error(cross), "client_id");
  auto cross_scheduled = call(verb::post, "/v1/scheduled-messages", key,
                              R"({"client_id":)" + std::to_string(client_) +
                                  R"(,"text":"Oi","send_at":")" + format_rfc3339_in(std::chrono::hours(1)) + R"("})");
  EXPECT_EQ(cross_scheduled.status, 422u) << cross_scheduled.body;

  const auto message = scheduled();
  EXPECT_EQ(call(verb::get, message, key).status, 404u);
  EXPECT_EQ(call(verb::delete_, message, key).status, 404u);
  EXPECT_EQ(json(call(verb::get, "/v1/scheduled-messages", key)).at("items").as_array().size(), 0u);
  EXPECT_EQ(json(call(verb::get, message, a_.owner())).at("status").as_string(), "queued");
  EXPECT_EQ(json(call(verb::get, item, a_.owner())).at("body").as_string(), "Oi {nome}");
}

}  // namespace
}  // namespace disparo::admin::test
