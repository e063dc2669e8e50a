// The OpenAPI document (admin/openapi.json) against the router: every registered (path, method)
// is documented and every documented one is registered; every operation has an operationId,
// a summary and responses, every error answer is problem+json, and every path parameter is
// declared. The live check (status and content type per route) is in openapi_pgtest.cpp.
#include <gtest/gtest.h>

#include <set>

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include "admin/api.hpp"
#include "admin/money/openapi_route.hpp"

namespace disparo::admin {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::set<std::string> registered_routes() {
  pg::Pool pool("host=127.0.0.1 port=1 connect_timeout=1", 1);  // never connected here
  boost::asio::thread_pool workers(1);
  log::Logger logger("openapi_test", log::Level::error);
  ApiContext ctx{pool, workers, logger, "master"};
  Api api(ctx);
  std::set<std::string> out;
  for (const auto& route : api.router().routes()) {
    out.insert(lower(std::string(http::to_string(route.method))) + " " + route.path_template);
  }
  workers.join();
  return out;
}

boost::json::object document() { return boost::json::parse(openapi_document()).as_object(); }

TEST(OpenApi, IsOpenApi31) {
  auto doc = document();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(doc.at("info").as_object().contains("title"));
}

TEST(OpenApi, DocumentsExactlyTheRegisteredRoutes) {
  std::set<std::string> documented;
  auto doc = document();
  for (const auto& path : doc.at("paths").as_object()) {
    for (const auto& method : path.value().as_object()) {
      documented.insert(std::string(method.key()) + " " + std::string(path.key()));
    }
  }
  const auto registered = registered_routes();
  for (const auto& r : registered) EXPECT_TRUE(documented.count(r)) << "registered but not documented: " << r;
  for (const auto& d : documented) EXPECT_TRUE(registered.count(d)) << "documented but not registered: " << d;
}

TEST(OpenApi, EveryOperationIsCompleteAndErrorsAreProblems) {
  auto doc = document();
  std::set<std::string> ids;
  for (const auto& path : doc.at("paths").as_object()) {
    const std::string p(path.key());
    for (const auto& method : path.value().as_object()) {
      const auto& op = method.value().as_object();
      const std::string where = std::string(method.key()) + " " + p;
      ASSERT_TRUE(op.contains("operationId")) << where;
      EXPECT_TRUE(ids.insert(std::string(op.at("operationId").as_string())).second) << "duplicate id at " << where;
      EXPECT_TRUE(op.contains("summary")) << where;
      // Path parameters: each {name} of the template is declared as an "in: path" parameter.
      std::set<std::string> declared;
      if (op.contains("parameters")) {
        for (const auto& param : op.at("parameters").as_array()) {
          if (param.at("in").as_string() == "path") declared.insert(std::string(param.at("name").as_string()));
        }
      }
      for (auto open = p.find('{'); open != std::string::npos; open = p.find('{', open + 1)) {
        const auto name = p.substr(open + 1, p.find('}', open) - open - 1);
        EXPECT_TRUE(declared.count(name)) << where << " lacks path parameter " << name;
      }
      ASSERT_TRUE(op.contains("responses")) << where;
      // Every API operation documents at least one client error (the lint rule is off for probes).
      if (p.rfind("/v1/", 0) == 0 || p.rfind("/webhooks/", 0) == 0) {
        bool has_4xx = false;
        for (const auto& response : op.at("responses").as_object()) has_4xx |= response.key().starts_with("4");
        EXPECT_TRUE(has_4xx) << where;
      }
      for (const auto& response : op.at("responses").as_object()) {
        const int status = std::stoi(std::string(response.key()));
        const auto& r = response.value().as_object();
        if (status == 204) {
          EXPECT_FALSE(r.contains("content")) << where;
          continue;
        }
        ASSERT_TRUE(r.contains("content")) << where << " " << status;
        if (status >= 400) {
          const auto& content = r.at("content").as_object();
          EXPECT_EQ(content.size(), 1u) << where << " " << status;
          EXPECT_TRUE(content.contains("application/problem+json")) << where << " " << status;
        }
      }
    }
  }
}

}  // namespace
}  // namespace disparo::admin
