// Router: templates, parameters, 404 and 405, specificity. Pure.
#include "admin/router.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <stdexcept>

namespace disparo::admin {
namespace {

Handler noop() {
  return [](RequestContext) -> boost::asio::awaitable<Response> {
    co_return make_json(http::status::ok, "{}");
  };
}

Router sample_router() {
  Router r;
  r.add(http::verb::get, "/healthz", noop());
  r.add(http::verb::post, "/v1/tenants", noop());
  r.add(http::verb::get, "/v1/tenants/me", noop());
  r.add(http::verb::get, "/v1/tenants/{id}", noop());
  r.add(http::verb::delete_, "/v1/tenants/{id}", noop());
  r.add(http::verb::get, "/v1/tenants/{id}/keys/{key_id}", noop());
  return r;
}

TEST(Router, MatchesLiteralRoute) {
  auto r = sample_router();
  auto m = r.match(http::verb::get, "/healthz");
  EXPECT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/healthz");
  EXPECT_NE(m.handler, nullptr);
}

TEST(Router, IgnoresQueryString) {
  auto r = sample_router();
  auto m = r.match(http::verb::get, "/healthz?verbose=1");
  EXPECT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/healthz");
}

TEST(Router, CapturesParameters) {
  auto r = sample_router();
  auto m = r.match(http::verb::get, "/v1/tenants/42/keys/7");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/v1/tenants/{id}/keys/{key_id}");
  EXPECT_EQ(m.params.get("id"), "42");
  EXPECT_EQ(m.params.get("key_id"), "7");
  EXPECT_EQ(m.params.get("absent"), "");
}

TEST(Router, LiteralSegmentBeatsParameter) {
  auto r = sample_router();
  auto me = r.match(http::verb::get, "/v1/tenants/me");
  ASSERT_EQ(me.outcome, Router::Outcome::found);
  EXPECT_EQ(me.route, "/v1/tenants/me");
  EXPECT_TRUE(me.params.values.empty());

  auto other = r.match(http::verb::get, "/v1/tenants/12");
  ASSERT_EQ(other.outcome, Router::Outcome::found);
  EXPECT_EQ(other.route, "/v1/tenants/{id}");
}

TEST(Router, LiteralPathOwnsItsMethods) {
  // DELETE exists on {id} but "/v1/tenants/me" belongs to the literal template: 405, not a hit.
  auto r = sample_router();
  auto m = r.match(http::verb::delete_, "/v1/tenants/me");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "GET");
}

TEST(Router, WrongMethodListsAllowed) {
  auto r = sample_router();
  auto m = r.match(http::verb::put, "/v1/tenants/5");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.route, "/v1/tenants/{id}");
  EXPECT_EQ(m.allow, "GET, DELETE");
  EXPECT_EQ(m.handler, nullptr);
}

TEST(Router, UnknownPathsAreNotFound) {
  auto r = sample_router();
  for (const char* path : {"/", "", "/nope", "/healthz/", "/v1/tenants/", "//healthz", "/v1//me",
                           "/v1/tenants/1/keys", "healthz", "/HEALTHZ"}) {
    auto m = r.match(http::verb::get, path);
    EXPECT_EQ(m.outcome, Router::Outcome::not_found) << path;
    EXPECT_EQ(m.route, "") << path;
  }
}

TEST(Router, RejectsMalformedTemplatesAndDuplicates) {
  Router r;
  EXPECT_THROW(r.add(http::verb::get, "healthz", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a//b", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{b", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/x{b}", noop()), std::invalid_argument);
  r.add(http::verb::get, "/a/{b}", noop());
  EXPECT_THROW(r.add(http::verb::get, "/a/{b}", noop()), std::invalid_argument);
  EXPECT_NO_THROW(r.add(http::verb::post, "/a/{b}", noop()));
}

TEST(Router, ListsRoutesInRegistrationOrder) {
  auto routes = sample_router().routes();
  ASSERT_EQ(routes.size(), 6u);
  EXPECT_EQ(routes[0].path_template, "/healthz");
  EXPECT_EQ(routes[4].method, http::verb::delete_);
}

RC_GTEST_PROP(RouterProperty, ParameterCapturesAnySegmentVerbatim, ()) {
  auto segment = *rc::gen::nonEmpty(rc::gen::container<std::string>(
      rc::gen::oneOf(rc::gen::inRange('a', 'z'), rc::gen::inRange('0', '9'),
                     rc::gen::element('-', '_', '.', '%', '~'))));
  auto r = sample_router();
  auto m = r.match(http::verb::get, "/v1/tenants/" + segment + "/keys/k");
  RC_ASSERT(m.outcome == Router::Outcome::found);
  RC_ASSERT(m.params.get("id") == segment);
}

RC_GTEST_PROP(RouterProperty, ArbitraryTargetsNeverCrashAndFoundHasHandler, (std::string target)) {
  auto r = sample_router();
  auto m = r.match(http::verb::get, target);
  RC_ASSERT((m.outcome == Router::Outcome::found) == (m.handler != nullptr));
  if (m.outcome == Router::Outcome::not_found) RC_ASSERT(m.route.empty());
}

}  // namespace
}  // namespace disparo::admin
