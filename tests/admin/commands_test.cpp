// The command line of disparo-admin: parsing and usage errors (exit code 2). Pure: no command
// here reaches a database.
#include "admin/commands.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace disparo::admin {
namespace {

Expected<Invocation> parse(std::vector<std::string> args) { return parse_command_line(args); }

TEST(CommandLine, Serve) {
  auto inv = parse({"serve"});
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(inv->command, "serve");
  EXPECT_EQ(inv->config_path, "");
  auto with_config = parse({"serve", "--config", "x.toml"});
  ASSERT_TRUE(with_config.has_value());
  EXPECT_EQ(with_config->config_path, "x.toml");
  auto with_equals = parse({"migrate", "--config=y.toml"});
  ASSERT_TRUE(with_equals.has_value());
  EXPECT_EQ(with_equals->config_path, "y.toml");
}

TEST(CommandLine, CreateTenant) {
  auto inv = parse({"create-tenant", "--slug", "acme", "--name", "Acme IPTV", "--time-zone",
                    "America/Manaus"});
  ASSERT_TRUE(inv.has_value()) << inv.error().message;
  EXPECT_EQ(inv->options.at("slug"), "acme");
  EXPECT_EQ(inv->options.at("name"), "Acme IPTV");
  EXPECT_EQ(inv->options.at("time-zone"), "America/Manaus");
}

TEST(CommandLine, CreateTenantValidatesValues) {
  auto bad = parse({"create-tenant", "--slug", "Acme!", "--name", "Acme", "--time-zone", "Mars/Base"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
  EXPECT_NE(bad.error().message.find("--slug"), std::string::npos);
  EXPECT_NE(bad.error().message.find("--time-zone"), std::string::npos);
}

TEST(CommandLine, Demo) {
  auto inv = parse({"demo", "--env-file", "/tmp/x.env", "--sandbox-url", "http://127.0.0.1:8090/v24.0",
                    "--access-token", "tok"});
  ASSERT_TRUE(inv.has_value()) << inv.error().message;
  EXPECT_EQ(inv->options.count("phone-number-id"), 0u);
  EXPECT_FALSE(parse({"demo", "--env-file", "e", "--sandbox-url", "ftp://x", "--access-token", "t"}));
  EXPECT_FALSE(parse({"demo", "--env-file", "e", "--sandbox-url", "http://x", "--access-token", "t",
                      "--phone-number-id", "12ab"}));
}

TEST(CommandLine, UsageErrors) {
  EXPECT_FALSE(parse({}));
  EXPECT_FALSE(parse({"launch"}));
  EXPECT_FALSE(parse({"serve", "--port", "1"}));              // unknown option
  EXPECT_FALSE(parse({"serve", "--config"}));                 // missing value
  EXPECT_FALSE(parse({"serve", "extra"}));                    // positional
  EXPECT_FALSE(parse({"create-tenant", "--slug", "acme"}));   // missing --name
  EXPECT_FALSE(parse({"create-tenant", "--slug", "a1", "--slug", "b2", "--name", "n"}));  // twice
  EXPECT_FALSE(parse({"demo", "--env-file", "e", "--sandbox-url", "http://x"}));  // no token
}

TEST(CommandLine, Help) {
  EXPECT_EQ(parse({"--help"})->command, "help");
  EXPECT_EQ(parse({"create-tenant", "-h"})->command, "help");
}

TEST(RunAdmin, UsageErrorExitsTwoWithAMessage) {
  std::ostringstream out, err;
  EXPECT_EQ(run_admin({"create-tenant", "--slug", "acme"}, {}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("needs --name"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("usage:"), std::string::npos);
  EXPECT_TRUE(out.str().empty());
}

TEST(RunAdmin, HelpExitsZero) {
  std::ostringstream out, err;
  EXPECT_EQ(run_admin({"--help"}, {}, out, err), kExitOk);
  EXPECT_NE(out.str().find("create-tenant"), std::string::npos);
}

TEST(RunAdmin, MissingConfigFileIsARuntimeError) {
  std::ostringstream out, err;
  EXPECT_EQ(run_admin({"migrate", "--config", "/nonexistent/admin.toml"}, {}, out, err), kExitRuntime);
  EXPECT_NE(err.str().find("/nonexistent/admin.toml"), std::string::npos) << err.str();
}

TEST(RunAdmin, UnreachableDatabaseIsNamedWithoutThePassword) {
  // Nothing listens on loopback port 1: the connection is refused at once.
  std::ostringstream out, err;
  config::Environment env{
      {"DISPARO_DATABASE_URL", "postgresql://disparo:TOPSECRET@127.0.0.1:1/disparo?connect_timeout=2"}};
  EXPECT_EQ(run_admin({"migrate"}, env, out, err), kExitRuntime);
  EXPECT_NE(err.str().find("cannot reach database at postgresql://disparo@127.0.0.1:1/disparo"),
            std::string::npos)
      << err.str();
  EXPECT_EQ(err.str().find("TOPSECRET"), std::string::npos);
}

}  // namespace
}  // namespace disparo::admin
