// `demo` against a live PostgreSQL: idempotent seeding, key reuse through the env file, session
// refresh, and the command's exit code and output.
#include "admin/demo.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "admin/auth.hpp"
#include "admin/commands.hpp"
#include "admin/tenants.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin {
namespace {

class DemoPg : public ::testing::Test {
 protected:
  DemoPg() : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()) {
    dir_ = std::filesystem::temp_directory_path() / ("disparo_demo_" + db_.name());
    std::filesystem::create_directories(dir_);
    options_.env_file = (dir_ / "demo.env").string();
    options_.sandbox_url = "http://127.0.0.1:8090/v24.0";
    options_.access_token = "sandbox-token-1";
  }
  ~DemoPg() override { std::filesystem::remove_all(dir_); }

  std::int64_t count(const std::string& sql) {
    auto rows = conn_.exec(sql);
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    return rows ? rows->int64(0, 0) : -1;
  }
  std::string text(const std::string& sql) {
    auto rows = conn_.exec(sql);
    EXPECT_TRUE(rows.has_value() && rows->size() == 1);
    return rows && rows->size() == 1 ? std::string(rows->text(0, 0)) : std::string();
  }
  DemoSummary seed() {
    auto summary = seed_demo(conn_, options_);
    EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message);
    return summary ? *summary : DemoSummary{};
  }

  disparo::test::TestDatabase db_;
  pg::Connection conn_;
  std::filesystem::path dir_;
  DemoOptions options_;
};

TEST_F(DemoPg, SeedsEverythingOnce) {
  auto first = seed();
  EXPECT_TRUE(first.tenant_created);
  EXPECT_TRUE(first.session_created);
  EXPECT_FALSE(first.key_reused);
  EXPECT_EQ(first.clients_added, 5);
  EXPECT_EQ(text("SELECT name FROM tenants WHERE slug = 'demo'"), "Demo IPTV");
  EXPECT_EQ(count("SELECT count(*) FROM whatsapp_sessions WHERE name = 'principal' AND provider = 'sandbox' "
                  "AND is_default AND min_interval_ms = 1000 AND burst = 3 AND daily_cap = 1000 "
                  "AND phone_number_id = '100000000000001' AND access_token = 'sandbox-token-1' "
                  "AND base_url = 'http://127.0.0.1:8090/v24.0'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM servers s JOIN whatsapp_sessions w ON w.id = s.session_id "
                  "WHERE s.name = 'Servidor 1'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM clients c JOIN servers s ON s.id = c.server_id "
                  "WHERE c.phone ~ '^\\+55[0-9]{10,11}$'"),
            5);

  // The env file names a live owner key of tenant demo.
  auto key = read_env_api_key(options_.env_file);
  ASSERT_TRUE(key.has_value());
  auto caller = authenticate(conn_, *key);
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->tenant_id, first.tenant_id);
  EXPECT_EQ(caller->role, "owner");
}

TEST_F(DemoPg, RunningTwiceChangesNothingAndKeepsTheKey) {
  auto first = seed();
  auto key = read_env_api_key(options_.env_file);
  auto second = seed();
  EXPECT_FALSE(second.tenant_created);
  EXPECT_FALSE(second.session_created);
  EXPECT_FALSE(second.session_updated);
  EXPECT_TRUE(second.key_reused);
  EXPECT_EQ(second.clients_added, 0);
  EXPECT_EQ(second.tenant_id, first.tenant_id);
  EXPECT_EQ(second.session_id, first.session_id);
  EXPECT_EQ(second.server_id, first.server_id);
  EXPECT_EQ(read_env_api_key(options_.env_file), key);
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM whatsapp_sessions"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM servers"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM clients"), 5);
  EXPECT_EQ(count("SELECT count(*) FROM api_keys"), 1);
}

TEST_F(DemoPg, FollowsARegeneratedSandboxToken) {
  seed();
  options_.access_token = "sandbox-token-2";
  options_.sandbox_url = "http://127.0.0.1:9999/v24.0";
  auto second = seed();
  EXPECT_TRUE(second.session_updated);
  EXPECT_EQ(text("SELECT access_token FROM whatsapp_sessions"), "sandbox-token-2");
  EXPECT_EQ(text("SELECT base_url FROM whatsapp_sessions"), "http://127.0.0.1:9999/v24.0");
  EXPECT_EQ(count("SELECT count(*) FROM whatsapp_sessions"), 1);
}

TEST_F(DemoPg, MintsANewKeyWhenTheFileIsGoneOrItsKeyRevoked) {
  seed();
  auto first_key = read_env_api_key(options_.env_file);
  std::filesystem::remove(options_.env_file);
  auto second = seed();
  EXPECT_FALSE(second.key_reused);
  auto second_key = read_env_api_key(options_.env_file);
  ASSERT_TRUE(second_key.has_value());
  EXPECT_NE(second_key, first_key);

  ASSERT_TRUE(conn_.exec("UPDATE api_keys SET revoked_at = now()").has_value());
  auto third = seed();
  EXPECT_FALSE(third.key_reused);
  auto third_key = read_env_api_key(options_.env_file);
  ASSERT_TRUE(third_key.has_value());
  EXPECT_TRUE(authenticate(conn_, *third_key).has_value());
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL"), 1);
}

TEST_F(DemoPg, KeyOfAnotherTenantInTheFileIsNotReused) {
  ASSERT_TRUE(conn_.exec("INSERT INTO tenants (slug, name, callback_secret) VALUES ('other', 'O', 'x')")
                  .has_value());
  // A file naming some other tenant's key must not make demo adopt it.
  auto other_id = text("SELECT id FROM tenants WHERE slug = 'other'");
  auto other_key = add_api_key(conn_, std::stoll(other_id), "owner", "other");
  ASSERT_TRUE(other_key.has_value());
  ASSERT_TRUE(write_demo_env_file(options_.env_file, *other_key).has_value());
  auto summary = seed();
  EXPECT_FALSE(summary.key_reused);
  EXPECT_NE(read_env_api_key(options_.env_file), std::optional<std::string>(*other_key));
}

TEST_F(DemoPg, CommandPrintsASummaryWithoutTheKey) {
  config::Environment env{{"DISPARO_DATABASE_URL", db_.url()}};
  const std::vector<std::string> args = {"demo", "--env-file", options_.env_file,
                                         "--sandbox-url", options_.sandbox_url, "--access-token", "tok"};
  std::ostringstream out, err;
  ASSERT_EQ(run_admin(args, env, out, err), kExitOk) << err.str();
  EXPECT_NE(out.str().find("tenant demo"), std::string::npos) << out.str();
  auto key = read_env_api_key(options_.env_file);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(out.str().find(*key), std::string::npos);

  std::ostringstream out2, err2;
  ASSERT_EQ(run_admin(args, env, out2, err2), kExitOk) << err2.str();
  EXPECT_NE(out2.str().find("kept the live key"), std::string::npos) << out2.str();
  EXPECT_EQ(read_env_api_key(options_.env_file), key);
}

}  // namespace
}  // namespace disparo::admin
