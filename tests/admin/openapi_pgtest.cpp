// The running service against its OpenAPI document: GET /openapi.json serves it, and every
// documented operation, called without credentials (path parameters filled in), answers with a
// status that the document lists for it and with the content type the document gives that status.
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/beast/http/verb.hpp>

#include "admin/money/openapi_route.hpp"
#include "tests/admin/money_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class OpenApiPg : public MoneyPg {};



TEST_F(OpenApiPg, ServesTheDocument) {
  auto reply = http_call(port(), verb::get, "/openapi.json");
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_EQ(reply.body, std::string(openapi_document()));
}

TEST_F(OpenApiPg, EveryOperationAnswersAsDocumented) {
  auto doc = boost::json::parse(openapi_document()).as_object();
  int checked = 0;
  for (const auto& path : doc.at("paths").as_object()) {
    std::string target(path.key());
    for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      const auto close = target.find('}', open);
      const auto name = target.substr(open + 1, close - open - 1);
      target.replace(open, close - open + 1, name == "tenant" ? "no-such-tenant" : "1");
    }
    for (const auto& method : path.value().as_object()) {
      const auto m = boost::beast::http::string_to_verb(boost::to_upper_copy(std::string(method.key())));
      ASSERT_NE(m, verb::unknown) << method.key();
      const bool has_body = method.value().as_object().contains("requestBody");
      Headers headers;
      if (has_body) headers.emplace_back("Content-Type", "application/json");
      auto reply = http_call(port(), m, target, has_body ? "{}" : "", headers);
      const auto& responses = method.value().at("responses").as_object();
      const std::string status = std::to_string(reply.status);
      const std::string where = std::string(method.key()) + " " + target + " -> " + status;
      ASSERT_TRUE(responses.contains(status)) << where << " is not documented: " << reply.body;
      const auto& documented = responses.at(status).as_object();
      if (reply.status == 204) continue;
      ASSERT_TRUE(documented.contains("content")) << where;
      EXPECT_TRUE(documented.at("content").as_object().contains(reply.header("content-type")))
          << where << " answered " << reply.header("content-type");
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace disparo::admin::test
