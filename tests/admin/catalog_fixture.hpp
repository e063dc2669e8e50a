// Fixture of the catalog's PostgreSQL tests: a private migrated database, the real admin service
// on loopback, and helpers to make tenants with one key per role and call the API as a role.
// Test thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/postgres/pg.hpp"
#include "tests/admin/http_client.hpp"
#include "tests/admin/running_admin.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin::test {

struct TestTenant {
  std::int64_t id = 0;
  std::map<std::string, std::string> keys;  // role -> API key (owner, manager, ..., sender)
  const std::string& key(const std::string& role) const { return keys.at(role); }
};

inline const std::vector<std::string> kRoleNames{"owner", "manager", "finance", "sales", "support", "sender"};

class CatalogPg : public ::testing::Test {
 protected:
  CatalogPg();

  // POST /v1/tenants, then one key per role (made by the owner through POST /v1/keys).
  TestTenant make_tenant(const std::string& slug);

  HttpReply call(boost::beast::http::verb method, const std::string& target, const std::string& key,
                 const std::string& body = {});
  // The same, asserting the status; returns the parsed body (null for 204).
  boost::json::value expect(unsigned status, boost::beast::http::verb method, const std::string& target,
                            const std::string& key, const std::string& body = {});
  std::int64_t scalar(const std::string& sql, const pg::Params& params = {});

  // Creates a resource with the owner key and returns its id.
  std::int64_t create(const TestTenant& t, const std::string& collection, const std::string& body);

  disparo::test::TestDatabase db_;
  pg::Connection conn_;
  RunningAdmin admin_;
};

// Parses a reply body (throws on invalid JSON: the test fails).
boost::json::value parse(const HttpReply& reply);
std::string field_names(const boost::json::value& problem);  // "a,b" from a problem's errors

}  // namespace disparo::admin::test
