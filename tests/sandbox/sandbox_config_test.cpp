// Pure tests of disparo-sandbox's command line and DISPARO_SANDBOX_* fallbacks.
#include <gtest/gtest.h>

#include <map>

#include "loadtest/sandbox/sandbox_config.hpp"

namespace disparo::sandbox {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::vector<std::string> kRequired = {
    "--webhook-url",  "http://127.0.0.1:8080/webhooks/cloud_api",
    "--app-secret",   "S",
    "--access-token", "T"};

TEST(SandboxConfig, ParsesEveryFlag) {
  std::vector<std::string> args = kRequired;
  for (const char* a :
       {"--listen", "0.0.0.0:9000", "--verify-token", "V", "--status-delay-ms", "25", "--waba-id",
        "42", "--display-phone-number", "5511911112222", "--webhook-retries=2",
        "--webhook-retry-ms", "10", "--log-level", "debug", "--records", "lean"}) {
    args.emplace_back(a);
  }
  auto c = parse_config(args, env_of({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_EQ(c->webhook_url, "http://127.0.0.1:8080/webhooks/cloud_api");
  EXPECT_EQ(c->app_secret, "S");
  EXPECT_EQ(c->access_token, "T");
  EXPECT_EQ(c->verify_token, "V");
  EXPECT_EQ(c->status_delay, std::chrono::milliseconds(25));
  EXPECT_EQ(c->waba_id, "42");
  EXPECT_EQ(c->display_phone_number, "5511911112222");
  EXPECT_EQ(c->webhook_retries, 2);
  EXPECT_EQ(c->webhook_retry, std::chrono::milliseconds(10));
  EXPECT_EQ(c->log_level, log::Level::debug);
  EXPECT_TRUE(c->lean_records);
}

TEST(SandboxConfig, DefaultsMatchTheDocumentedOnes) {
  auto c = parse_config(kRequired, env_of({}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8090);
  EXPECT_EQ(c->status_delay, std::chrono::milliseconds(100));
  EXPECT_EQ(c->waba_id, "100000000000000");
  EXPECT_EQ(c->display_phone_number, "5511900000000");
  EXPECT_TRUE(c->verify_token.empty());
  EXPECT_FALSE(c->lean_records);
}

TEST(SandboxConfig, EnvironmentFillsInAndFlagsWin) {
  auto c = parse_config({"--access-token", "flag"},
                        env_of({{"DISPARO_SANDBOX_WEBHOOK_URL", "http://127.0.0.1:1/w"},
                                {"DISPARO_SANDBOX_APP_SECRET", "env-secret"},
                                {"DISPARO_SANDBOX_ACCESS_TOKEN", "env-token"},
                                {"DISPARO_SANDBOX_STATUS_DELAY_MS", "7"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_token, "flag");
  EXPECT_EQ(c->app_secret, "env-secret");
  EXPECT_EQ(c->status_delay, std::chrono::milliseconds(7));
}

TEST(SandboxConfig, RejectsBadInput) {
  const std::vector<std::vector<std::string>> bad = {
      {},                                                      // nothing required given
      {"--webhook-url", "http://h:1/w", "--app-secret", "S"},  // no token
      {"--unknown", "x"},
      {"positional"},
      {"--listen"},
  };
  for (const auto& args : bad) EXPECT_FALSE(parse_config(args, env_of({})));
  for (const char* flag :
       {"--listen=nohost", "--listen=h:70000", "--webhook-url=https://h/w", "--status-delay-ms=-1",
        "--status-delay-ms=abc", "--log-level=loud", "--webhook-retries=99", "--records=some"}) {
    std::vector<std::string> args = kRequired;
    args.emplace_back(flag);
    auto c = parse_config(args, env_of({}));
    ASSERT_FALSE(c) << flag;
    EXPECT_EQ(c.error().kind, ErrorKind::invalid_argument);
  }
}

TEST(SandboxConfig, HelpNeedsNothingElse) {
  auto c = parse_config({"--help"}, env_of({}));
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->help);
  EXPECT_NE(usage().find("DISPARO_SANDBOX_WEBHOOK_URL"), std::string::npos);
}

}  // namespace
}  // namespace disparo::sandbox
