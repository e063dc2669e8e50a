// The admin HTTP service in-process (port 0) against a live PostgreSQL: tenant creation with and
// without the master key, duplicate slugs, /v1/tenants/me, revoked keys, tenant isolation,
// readiness and metrics. Every call has a deadline (http_client.hpp).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/api_key.hpp"
#include "tests/admin/http_client.hpp"
#include "tests/admin/running_admin.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class AdminHttpPg : public ::testing::Test {
 protected:
  AdminHttpPg() : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()), admin_(db_.url()) {}

  HttpReply create(const std::string& body, const std::string& master_key = kTestMasterKey) {
    Headers headers{{"Content-Type", "application/json"}};
    if (!master_key.empty()) headers.emplace_back("Authorization", "Bearer " + master_key);
    return http_call(admin_.port(), verb::post, "/v1/tenants", body, headers);
  }
  HttpReply me(const std::string& key) {
    return http_call(admin_.port(), verb::get, "/v1/tenants/me", "", {{"Authorization", "Bearer " + key}});
  }
  std::int64_t count(const std::string& sql) {
    auto rows = conn_.exec(sql);
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    return rows ? rows->int64(0, 0) : -1;
  }
  static boost::json::object json(const HttpReply& reply) {
    return boost::json::parse(reply.body).as_object();
  }

  disparo::test::TestDatabase db_;
  pg::Connection conn_;
  RunningAdmin admin_;
};

TEST_F(AdminHttpPg, ReadyzIs200WithTheDatabaseUp) {
  auto reply = http_call(admin_.port(), verb::get, "/readyz");
  EXPECT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.body, R"({"status":"ready"})");
}

TEST_F(AdminHttpPg, CreatesATenantAndShowsItsKeyOnce) {
  auto reply = create(R"({"slug":"acme","name":"Acme IPTV","time_zone":"America/Manaus"})");
  ASSERT_EQ(reply.status, 201u) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  auto body = json(reply);
  const auto& tenant = body.at("tenant").as_object();
  EXPECT_GT(tenant.at("id").as_int64(), 0);
  EXPECT_EQ(tenant.at("slug").as_string(), "acme");
  EXPECT_EQ(tenant.at("name").as_string(), "Acme IPTV");
  EXPECT_EQ(tenant.at("time_zone").as_string(), "America/Manaus");
  EXPECT_EQ(body.at("role").as_string(), "owner");
  const std::string key(body.at("api_key").as_string());
  EXPECT_EQ(key.rfind("dsp_", 0), 0u);
  EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'acme' AND time_zone = 'America/Manaus'"), 1);
  // Stored hashed: the key itself is nowhere in the table.
  auto rows = conn_.exec("SELECT count(*) FROM api_keys k WHERE position($1 in k::text) > 0", {key});
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->int64(0, 0), 0);
  auto hashed = conn_.exec("SELECT count(*) FROM api_keys WHERE key_hash = $1", {api_key_hash(key)});
  ASSERT_TRUE(hashed.has_value());
  EXPECT_EQ(hashed->int64(0, 0), 1);
}

TEST_F(AdminHttpPg, WithoutTheMasterKeyNothingIsCreated) {
  auto none = create(R"({"slug":"acme","name":"Acme"})", "");
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.header("content-type"), "application/problem+json");
  auto wrong = create(R"({"slug":"acme","name":"Acme"})", "not-the-master-key-at-all");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 0);
}

TEST_F(AdminHttpPg, DuplicateSlugIs409Problem) {
  ASSERT_EQ(create(R"({"slug":"acme","name":"Acme"})").status, 201u);
  auto again = create(R"({"slug":"acme","name":"Acme Again"})");
  EXPECT_EQ(again.status, 409u);
  EXPECT_EQ(again.header("content-type"), "application/problem+json");
  auto body = json(again);
  EXPECT_EQ(body.at("status").as_int64(), 409);
  EXPECT_NE(std::string(body.at("detail").as_string()).find("acme"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);
}

TEST_F(AdminHttpPg, MeReturnsTheCallersTenantAndRole) {
  auto created = json(create(R"({"slug":"acme","name":"Acme"})"));
  const std::string key(created.at("api_key").as_string());
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL"), 0);

  auto reply = me(key);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  auto body = json(reply);
  EXPECT_EQ(body.at("tenant").as_object().at("slug").as_string(), "acme");
  EXPECT_EQ(body.at("tenant").as_object().at("id").as_int64(),
            created.at("tenant").as_object().at("id").as_int64());
  EXPECT_EQ(body.at("role").as_string(), "owner");
  EXPECT_FALSE(body.contains("api_key"));
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL"), 1);
}

TEST_F(AdminHttpPg, RevokedAndUnknownKeysAre401) {
  auto created = json(create(R"({"slug":"acme","name":"Acme"})"));
  const std::string key(created.at("api_key").as_string());
  ASSERT_EQ(me(key).status, 200u);
  ASSERT_TRUE(conn_.exec("UPDATE api_keys SET revoked_at = now()").has_value());
  auto revoked = me(key);
  EXPECT_EQ(revoked.status, 401u);
  EXPECT_EQ(revoked.header("content-type"), "application/problem+json");
  EXPECT_EQ(revoked.header("www-authenticate"), "Bearer");
  EXPECT_EQ(me(mint_api_key().key).status, 401u);
}

TEST_F(AdminHttpPg, AKeySeesOnlyItsOwnTenant) {
  auto alpha = json(create(R"({"slug":"alpha","name":"Alpha"})"));
  auto bravo = json(create(R"({"slug":"bravo","name":"Bravo"})"));
  const std::string alpha_key(alpha.at("api_key").as_string());
  const std::string bravo_key(bravo.at("api_key").as_string());
  ASSERT_NE(alpha_key, bravo_key);

  auto as_alpha = json(me(alpha_key));
  auto as_bravo = json(me(bravo_key));
  EXPECT_EQ(as_alpha.at("tenant").as_object().at("slug").as_string(), "alpha");
  EXPECT_EQ(as_bravo.at("tenant").as_object().at("slug").as_string(), "bravo");
  EXPECT_NE(as_alpha.at("tenant").as_object().at("id").as_int64(),
            as_bravo.at("tenant").as_object().at("id").as_int64());
  EXPECT_EQ(as_alpha.at("tenant").as_object().at("id").as_int64(),
            alpha.at("tenant").as_object().at("id").as_int64());
}

TEST_F(AdminHttpPg, MetricsCountTenantRequests) {
  ASSERT_EQ(create(R"({"slug":"acme","name":"Acme"})").status, 201u);
  ASSERT_EQ(create(R"({"slug":"acme","name":"Acme"})").status, 409u);
  ASSERT_EQ(create(R"({"slug":"acme","name":"Acme"})", "").status, 401u);
  auto metrics = http_call(admin_.port(), verb::get, "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  const auto& text = metrics.body;
  for (const char* code : {"201", "409", "401"}) {
    const std::string series = std::string("disparo_admin_http_requests_total{code=\"") + code +
                               "\",method=\"POST\",route=\"/v1/tenants\"} 1";
    EXPECT_NE(text.find(series), std::string::npos) << series << "\n" << text;
  }
  EXPECT_NE(text.find(R"(disparo_admin_http_request_duration_seconds_count{route="/v1/tenants"} 3)"),
            std::string::npos);
}

}  // namespace
}  // namespace disparo::admin::test
