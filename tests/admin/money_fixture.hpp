// MoneyPg: one migrated test database and one running admin for a whole test binary, and helpers
// to make a fresh tenant (unique slug) with keys of every role, plans, clients and sessions by
// SQL, and to call the API with a key. Each test works in its own tenant, so tests never see each
// other's rows. Test thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/admin/http_client.hpp"
#include "tests/admin/running_admin.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin::test {

struct MoneyTenant {
  std::int64_t id = 0;
  std::string slug;
  std::map<std::string, std::string> keys;  // role -> API key (owner, manager, finance, sales, support, sender)
  const std::string& owner() const { return keys.at("owner"); }
};

class MoneyPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // A new tenant ("money-<n>-<random>") with one key per role; time zone as given.
  MoneyTenant make_tenant(const std::string& time_zone = "America/Sao_Paulo");
  // Runs SQL on the test database and returns the first column of the first row ("" if none).
  std::string sql(const std::string& statement, const pg::Params& params = {});
  std::int64_t sql_int(const std::string& statement, const pg::Params& params = {});

  // Calls the API with `key` (Bearer), JSON content type when a body is given.
  HttpReply call(boost::beast::http::verb method, const std::string& target, const std::string& key,
                 const std::string& body = {}, Headers extra = {});
  static boost::json::value json(const HttpReply& reply) { return boost::json::parse(reply.body); }
  std::uint16_t port() const { return admin_->port(); }

  static disparo::test::TestDatabase* db_;
  static std::unique_ptr<pg::Connection> conn_;
  static std::unique_ptr<RunningAdmin> admin_;
};

}  // namespace disparo::admin::test
