// The command-line tools against a live PostgreSQL: migrate, create-tenant and its duplicate
// error.
#include "admin/commands.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/test_database.hpp"

namespace disparo::admin {
namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(const std::vector<std::string>& args, const std::string& database_url) {
  std::ostringstream out, err;
  config::Environment env{{"DISPARO_DATABASE_URL", database_url}};
  int code = run_admin(args, env, out, err);
  return {code, out.str(), err.str()};
}

TEST(CommandsPg, MigrateAppliesOnceAndReportsVersions) {
  disparo::test::TestDatabase db;  // empty: no migration applied yet
  auto first = run({"migrate"}, db.url());
  ASSERT_EQ(first.code, kExitOk) << first.err;
  EXPECT_NE(first.out.find("applied migration 0001 foundation"), std::string::npos) << first.out;
  auto second = run({"migrate"}, db.url());
  ASSERT_EQ(second.code, kExitOk) << second.err;
  EXPECT_NE(second.out.find("up to date"), std::string::npos) << second.out;
}

TEST(CommandsPg, CreateTenantPrintsTheKeyOnceAndRefusesDuplicates) {
  auto db = disparo::test::TestDatabase::migrated();
  auto created = run({"create-tenant", "--slug", "acme", "--name", "Acme IPTV"}, db.url());
  ASSERT_EQ(created.code, kExitOk) << created.err;
  EXPECT_NE(created.out.find("api_key: dsp_"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("shown only once"), std::string::npos);

  auto again = run({"create-tenant", "--slug", "acme", "--name", "Acme IPTV"}, db.url());
  EXPECT_EQ(again.code, kExitRuntime);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_TRUE(again.out.empty());
}

}  // namespace
}  // namespace disparo::admin
