#include "tests/admin/catalog_fixture.hpp"

namespace disparo::admin::test {

using boost::beast::http::verb;

CatalogPg::CatalogPg() : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()), admin_(db_.url()) {}

TestTenant CatalogPg::make_tenant(const std::string& slug) {
  TestTenant t;
  auto reply = http_call(admin_.port(), verb::post, "/v1/tenants",
                         R"({"slug":")" + slug + R"(","name":"Tenant )" + slug + R"("})",
                         {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kTestMasterKey}});
  EXPECT_EQ(reply.status, 201u) << reply.body;
  auto body = parse(reply).as_object();
  t.id = body.at("tenant").at("id").as_int64();
  t.keys["owner"] = std::string(body.at("api_key").as_string());
  for (const auto& role : kRoleNames) {
    if (role == "owner") continue;
    auto made = expect(201, verb::post, "/v1/keys", t.keys["owner"], R"({"role":")" + role + R"(","label":"test"})");
    t.keys[role] = std::string(made.at("api_key").as_string());
  }
  return t;
}

HttpReply CatalogPg::call(verb method, const std::string& target, const std::string& key, const std::string& body) {
  Headers headers{{"Authorization", "Bearer " + key}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return http_call(admin_.port(), method, target, body, headers);
}

boost::json::value CatalogPg::expect(unsigned status, verb method, const std::string& target, const std::string& key,
                                     const std::string& body) {
  auto reply = call(method, target, key, body);
  EXPECT_EQ(reply.status, status) << boost::beast::http::to_string(method) << " " << target << " " << body << "\n-> "
                                  << reply.body;
  if (reply.status >= 400) {
    EXPECT_EQ(reply.header("content-type"), "application/problem+json") << reply.body;
  }
  if (reply.body.empty()) return nullptr;
  return parse(reply);
}

std::int64_t CatalogPg::scalar(const std::string& sql, const pg::Params& params) {
  auto rows = conn_.exec(sql, params);
  EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
  return rows && rows->size() > 0 ? rows->int64(0, 0) : -1;
}

std::int64_t CatalogPg::create(const TestTenant& t, const std::string& collection, const std::string& body) {
  auto made = expect(201, verb::post, collection, t.key("owner"), body);
  return made.is_object() && made.as_object().contains("id") ? made.at("id").as_int64() : -1;
}

boost::json::value parse(const HttpReply& reply) {
  boost::json::error_code ec;
  auto value = boost::json::parse(reply.body, ec);
  if (ec) ADD_FAILURE() << "not JSON: " << reply.body;
  return value;
}

std::string field_names(const boost::json::value& problem) {
  std::string out;
  if (!problem.is_object() || !problem.as_object().contains("errors")) return out;
  for (const auto& e : problem.at("errors").as_array()) {
    if (!out.empty()) out += ",";
    out += std::string(e.at("field").as_string());
  }
  return out;
}

}  // namespace disparo::admin::test
