// Configuration loading: defaults, a full file, environment overrides, and error messages that
// name the source and the key. Also loads the shipped example files.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

namespace disparo::config {
namespace {

using namespace std::chrono_literals;

// Writes `content` to a fresh file under the test temp dir and returns its path.
std::string write_temp(const std::string& content) {
  static std::atomic<int> counter{0};
  const std::string path = testing::TempDir() + "disparo_config_test_" +
                           std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".toml";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  EXPECT_TRUE(out.good()) << path;
  return path;
}

std::string error_of_dispatcher(const std::string& toml, const Environment& env = {}) {
  const auto loaded = load_dispatcher(toml.empty() ? "" : write_temp(toml), env);
  if (loaded) return "<loaded>";
  return loaded.error().message;
}

TEST(ConfigTest, EmptyPathGivesTheDefaults) {
  const auto d = load_dispatcher("", {});
  ASSERT_TRUE(d) << d.error().message;
  const DispatcherSettings defaults{};
  EXPECT_EQ(d->http.host, defaults.http.host);
  EXPECT_EQ(d->http.port, 8080);
  EXPECT_EQ(d->http.max_body_bytes, defaults.http.max_body_bytes);
  EXPECT_EQ(d->http.read_timeout, defaults.http.read_timeout);
  EXPECT_EQ(d->database.url, defaults.database.url);
  EXPECT_EQ(d->database.pool_size, defaults.database.pool_size);
  EXPECT_EQ(d->redis.port, 6379);
  EXPECT_EQ(d->log.level, "info");
  EXPECT_EQ(d->cloud_api_app_secret, "");
  EXPECT_EQ(d->max_batch, 10'000u);
  EXPECT_EQ(d->shutdown_grace, 10'000ms);
  EXPECT_EQ(d->claim_ahead, 100ms);

  const auto a = load_admin("", {});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->http.port, 8081);
  EXPECT_EQ(a->master_key, "");
}

TEST(ConfigTest, ReadsEveryDispatcherKeyFromAFile) {
  const std::string path = write_temp(R"(
[http]
host = "0.0.0.0"
port = 9000
max_body_bytes = 1048576
read_timeout_ms = 5000

[database]
url = "postgresql://u@db:5432/x"
pool_size = 16

[redis]
host = "redis.internal"
port = 6380
password = "redis-pass"

[log]
level = "debug"

[cloud_api]
app_secret = "app-secret"
verify_token = "verify-me"

[sender]
provider_timeout_ms = 2500
poll_interval_ms = 250
claim_ahead_ms = 0
shutdown_grace_ms = 0
max_batch = 500
)");
  const auto d = load_dispatcher(path, {});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->http.host, "0.0.0.0");
  EXPECT_EQ(d->http.port, 9000);
  EXPECT_EQ(d->http.max_body_bytes, 1048576u);
  EXPECT_EQ(d->http.read_timeout, 5000ms);
  EXPECT_EQ(d->database.url, "postgresql://u@db:5432/x");
  EXPECT_EQ(d->database.pool_size, 16u);
  EXPECT_EQ(d->redis.host, "redis.internal");
  EXPECT_EQ(d->redis.port, 6380);
  EXPECT_EQ(d->redis.password, "redis-pass");
  EXPECT_EQ(d->log.level, "debug");
  EXPECT_EQ(d->cloud_api_app_secret, "app-secret");
  EXPECT_EQ(d->cloud_api_verify_token, "verify-me");
  EXPECT_EQ(d->provider_timeout, 2500ms);
  EXPECT_EQ(d->poll_interval, 250ms);
  EXPECT_EQ(d->claim_ahead, 0ms);
  EXPECT_EQ(d->shutdown_grace, 0ms);
  EXPECT_EQ(d->max_batch, 500u);
}

TEST(ConfigTest, ReadsEveryAdminKeyFromAFile) {
  const std::string path = write_temp(R"(
http.host = "::1"
http.port = 7000
http.max_body_bytes = 2048
http.read_timeout_ms = 1000
database = { url = "host=db dbname=x", pool_size = 2 }
log.level = "error"
admin.master_key = "0123456789abcdef"
)");
  const auto a = load_admin(path, {});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->http.host, "::1");
  EXPECT_EQ(a->http.port, 7000);
  EXPECT_EQ(a->http.max_body_bytes, 2048u);
  EXPECT_EQ(a->http.read_timeout, 1000ms);
  EXPECT_EQ(a->database.url, "host=db dbname=x");
  EXPECT_EQ(a->database.pool_size, 2u);
  EXPECT_EQ(a->log.level, "error");
  EXPECT_EQ(a->master_key, "0123456789abcdef");
}

TEST(ConfigTest, KeysMissingFromTheFileKeepTheirDefaults) {
  const auto d = load_dispatcher(write_temp("[http]\nport = 9001\n"), {});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->http.port, 9001);
  EXPECT_EQ(d->http.host, "127.0.0.1");
  EXPECT_EQ(d->database.pool_size, 8u);
  EXPECT_EQ(d->max_in_flight, 1024u);
}

TEST(ConfigTest, EnvironmentOverridesEveryKind) {
  const Environment env = {
      {"DISPARO_HTTP_HOST", "10.0.0.1"},                // text
      {"DISPARO_HTTP_PORT", "9100"},                    // integer, narrowed to uint16
      {"DISPARO_HTTP_MAX_BODY_BYTES", "4096"},          // integer, size_t
      {"DISPARO_HTTP_READ_TIMEOUT_MS", "1500"},         // duration
      {"DISPARO_DATABASE_URL", "postgresql://env/db"},  // text
      {"DISPARO_DATABASE_POOL_SIZE", "256"},            // upper bound is allowed
      {"DISPARO_REDIS_HOST", "r"},
      {"DISPARO_REDIS_PORT", "1"},  // lower bound is allowed
      {"DISPARO_REDIS_PASSWORD", "pw"},
      {"DISPARO_LOG_LEVEL", "warn"},           // log level
      {"DISPARO_CLOUD_API_APP_SECRET", "s3"},  // section name with an underscore
      {"DISPARO_CLOUD_API_VERIFY_TOKEN", "vt"},
      {"DISPARO_SENDER_PROVIDER_TIMEOUT_MS", "600000"},
      {"DISPARO_SENDER_POLL_INTERVAL_MS", "1"},
      {"DISPARO_SENDER_SHUTDOWN_GRACE_MS", "0"},
      {"DISPARO_SENDER_MAX_BATCH", "1"},
      {"DISPARO_SOMETHING_ELSE", "ignored"},  // not a key: ignored, never an error
      {"DISPARO_ADMIN_MASTER_KEY", "x"},      // the admin's key: not the dispatcher's
  };
  const auto d = load_dispatcher(write_temp("[http]\nport = 9000\nhost = \"file\"\n"), env);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->http.host, "10.0.0.1");
  EXPECT_EQ(d->http.port, 9100);
  EXPECT_EQ(d->http.max_body_bytes, 4096u);
  EXPECT_EQ(d->http.read_timeout, 1500ms);
  EXPECT_EQ(d->database.url, "postgresql://env/db");
  EXPECT_EQ(d->database.pool_size, 256u);
  EXPECT_EQ(d->redis.host, "r");
  EXPECT_EQ(d->redis.port, 1);
  EXPECT_EQ(d->redis.password, "pw");
  EXPECT_EQ(d->log.level, "warn");
  EXPECT_EQ(d->cloud_api_app_secret, "s3");
  EXPECT_EQ(d->cloud_api_verify_token, "vt");
  EXPECT_EQ(d->provider_timeout, 600'000ms);
  EXPECT_EQ(d->poll_interval, 1ms);
  EXPECT_EQ(d->shutdown_grace, 0ms);
  EXPECT_EQ(d->max_batch, 1u);
}

TEST(ConfigTest, EnvironmentOverridesTheAdmin) {
  const auto a = load_admin("", {{"DISPARO_ADMIN_MASTER_KEY", "a-master-key-of-32-characters-ok"},
                                 {"DISPARO_HTTP_PORT", "18081"},
                                 {"DISPARO_REDIS_PORT", "not-a-number: admin has no redis"}});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->master_key, "a-master-key-of-32-characters-ok");
  EXPECT_EQ(a->http.port, 18081);
}

TEST(ConfigTest, EmptyEnvironmentValueClearsAnOptionalSecret) {
  const auto d = load_dispatcher(write_temp("[redis]\npassword = \"from-file\"\n"),
                                 {{"DISPARO_REDIS_PASSWORD", ""}});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->redis.password, "");
}

struct FileCase {
  std::string toml;
  std::string expected;  // after "<path>: "
};

class FileValidationTest : public testing::TestWithParam<FileCase> {};

TEST_P(FileValidationTest, MessageNamesTheFileAndTheKey) {
  const std::string path = write_temp(GetParam().toml);
  const auto loaded = load_dispatcher(path, {});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(loaded.error().message, path + ": " + GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Dispatcher, FileValidationTest,
    testing::Values(
        FileCase{"[http]\nport = 0\n", "http.port: must be an integer 1..65535 (line 2)"},
        FileCase{"[http]\nport = 65536\n", "http.port: must be an integer 1..65535 (line 2)"},
        FileCase{"[http]\nport = \"8080\"\n", "http.port: must be an integer 1..65535 (line 2)"},
        FileCase{"[http]\nport = 80.0\n", "http.port: must be an integer 1..65535 (line 2)"},
        FileCase{"[http]\nport = true\n", "http.port: must be an integer 1..65535 (line 2)"},
        FileCase{"[http]\nhost = \"\"\n", "http.host: must be a non-empty string (line 2)"},
        FileCase{"[http]\nhost = 127\n", "http.host: must be a non-empty string (line 2)"},
        FileCase{"[http]\nmax_body_bytes = 0\n",
                 "http.max_body_bytes: must be an integer 1..1073741824 (line 2)"},
        FileCase{"[http]\nread_timeout_ms = -5\n",
                 "http.read_timeout_ms: must be an integer 1..3600000 (line 2)"},
        FileCase{"[database]\nurl = \"\"\n", "database.url: must be a non-empty string (line 2)"},
        FileCase{"[database]\npool_size = 0\n",
                 "database.pool_size: must be an integer 1..256 (line 2)"},
        FileCase{"[database]\npool_size = 257\n",
                 "database.pool_size: must be an integer 1..256 (line 2)"},
        FileCase{"[redis]\nport = -1\n", "redis.port: must be an integer 1..65535 (line 2)"},
        FileCase{"[redis]\npassword = 1234\n", "redis.password: must be a string (line 2)"},
        FileCase{"[log]\nlevel = \"verbose\"\n",
                 "log.level: must be one of debug, info, warn, error (line 2)"},
        FileCase{"[log]\nlevel = \"INFO\"\n",
                 "log.level: must be one of debug, info, warn, error (line 2)"},
        FileCase{"[cloud_api]\napp_secret = [\"a\"]\n",
                 "cloud_api.app_secret: must be a string (line 2)"},
        FileCase{"[sender]\nmax_batch = 0\n",
                 "sender.max_batch: must be an integer 1..10000 (line 2)"},
        FileCase{"[sender]\nmax_batch = 10001\n",
                 "sender.max_batch: must be an integer 1..10000 (line 2)"},
        FileCase{"[sender]\nshutdown_grace_ms = -1\n",
                 "sender.shutdown_grace_ms: must be an integer 0..600000 (line 2)"},
        FileCase{"[sender]\nclaim_ahead_ms = 10001\n",
                 "sender.claim_ahead_ms: must be an integer 0..10000 (line 2)"},
        FileCase{"[sender]\npoll_interval_ms = 0\n",
                 "sender.poll_interval_ms: must be an integer 1..60000 (line 2)"},
        FileCase{"[sender]\nprovider_timeout_ms = 600001\n",
                 "sender.provider_timeout_ms: must be an integer 1..600000 (line 2)"},
        // Typos are errors, never silently ignored.
        FileCase{"[http]\nprot = 8080\n", "http.prot: unknown key (line 2)"},
        FileCase{"[htp]\nport = 8080\n", "htp: unknown section (line 1)"},
        FileCase{"[admin]\nmaster_key = \"0123456789abcdef\"\n",
                 "admin: unknown section (line 1)"},  // the admin's section, not ours
        FileCase{"[http.tls]\ncert = \"x\"\n", "http.tls: unknown key (line 1)"},
        FileCase{"http = 8080\n", "http: must be a table [http] (line 1)"},
        FileCase{"timeout = 5\n", "timeout: unknown section (line 1)"}));

TEST(ConfigTest, AdminValidation) {
  const std::string path = write_temp("[admin]\nmaster_key = \"too-short\"\n");
  const auto a = load_admin(path, {});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message,
            path +
                ": admin.master_key: must be a string of at least 16 characters (or empty)"
                " (line 2)");
  const std::string redis = write_temp("[redis]\nport = 6379\n");
  const auto b = load_admin(redis, {});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, redis + ": redis: unknown section (line 1)");
  const auto c = load_admin("", {{"DISPARO_ADMIN_MASTER_KEY", "short"}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "environment DISPARO_ADMIN_MASTER_KEY: must be a string of at least 16 characters "
            "(or empty)");
  EXPECT_TRUE(load_admin("", {{"DISPARO_ADMIN_MASTER_KEY", ""}}));
}

struct EnvCase {
  std::string name;
  std::string value;
  std::string expected;  // after "environment <name>: "
};

class EnvValidationTest : public testing::TestWithParam<EnvCase> {};

TEST_P(EnvValidationTest, MessageNamesTheVariable) {
  const auto loaded = load_dispatcher("", {{GetParam().name, GetParam().value}});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(loaded.error().message, "environment " + GetParam().name + ": " + GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Dispatcher, EnvValidationTest,
    testing::Values(
        EnvCase{"DISPARO_HTTP_PORT", "abc", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_PORT", "8080x", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_PORT", " 8080", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_PORT", "+8080", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_PORT", "", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_PORT", "65536", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_PORT", "99999999999999999999999", "must be an integer 1..65535"},
        EnvCase{"DISPARO_HTTP_HOST", "", "must be a non-empty string"},
        EnvCase{"DISPARO_DATABASE_URL", "", "must be a non-empty string"},
        EnvCase{"DISPARO_DATABASE_POOL_SIZE", "0", "must be an integer 1..256"},
        EnvCase{"DISPARO_LOG_LEVEL", "loud", "must be one of debug, info, warn, error"},
        EnvCase{"DISPARO_SENDER_MAX_BATCH", "10001", "must be an integer 1..10000"},
        EnvCase{"DISPARO_SENDER_POLL_INTERVAL_MS", "-1", "must be an integer 1..60000"}));

TEST(ConfigTest, ReportsEveryProblemAtOnce) {
  const std::string path = write_temp("[http]\nport = 0\nprot = 1\n[log]\nlevel = \"x\"\n");
  const auto loaded = load_dispatcher(path, {{"DISPARO_DATABASE_POOL_SIZE", "0"}});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message,
            path + ": http.port: must be an integer 1..65535 (line 2); " + path +
                ": http.prot: unknown key (line 3); " + path +
                ": log.level: must be one of debug, info, warn, error (line 5); "
                "environment DISPARO_DATABASE_POOL_SIZE: must be an integer 1..256");
}

TEST(ConfigTest, MissingFileIsNotFoundAndNamesTheFile) {
  const std::string path = testing::TempDir() + "disparo_config_test_does_not_exist.toml";
  const auto loaded = load_dispatcher(path, {});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::not_found);
  EXPECT_EQ(loaded.error().message, path + ": cannot open: No such file or directory");
  const auto admin = load_admin(path, {});
  ASSERT_FALSE(admin);
  EXPECT_EQ(admin.error().kind, ErrorKind::not_found);
}

TEST(ConfigTest, SyntaxErrorNamesTheFileAndPosition) {
  const std::string path = write_temp("[http]\nport = = 8080\n");
  const auto loaded = load_dispatcher(path, {});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(loaded.error().message.rfind(path + ":2:", 0), 0u) << loaded.error().message;
  EXPECT_NE(error_of_dispatcher("[http]\n[http]\n").find(":2:"), std::string::npos)
      << "a duplicated table is a syntax error";
  EXPECT_NE(error_of_dispatcher("[http]\nport = 1\nport = 2\n").find(":3:"), std::string::npos)
      << "a duplicated key is a syntax error";
}

TEST(ConfigTest, ProcessEnvironmentSeesVariables) {
  ASSERT_EQ(::setenv("DISPARO_CONFIG_TEST_PROBE", "a=b", 1), 0);
  const Environment env = process_environment();
  ::unsetenv("DISPARO_CONFIG_TEST_PROBE");
  const auto it = env.find("DISPARO_CONFIG_TEST_PROBE");
  ASSERT_NE(it, env.end());
  EXPECT_EQ(it->second, "a=b");
}

// The example files in config/ must load and hold the local development defaults.
TEST(ShippedConfigTest, DispatcherExampleLoads) {
  const auto d = load_dispatcher(std::string(DISPARO_SOURCE_DIR) + "/config/dispatcher.toml", {});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->http.host, "127.0.0.1");
  EXPECT_EQ(d->http.port, 8080);
  EXPECT_EQ(d->database.url, "postgresql://disparo@127.0.0.1:55432/disparo");
  EXPECT_EQ(d->redis.host, "127.0.0.1");
  EXPECT_EQ(d->redis.port, 56379);
  EXPECT_EQ(d->log.level, "info");
  EXPECT_EQ(d->max_batch, 10'000u);
  // Secrets come from the environment only.
  EXPECT_EQ(d->redis.password, "");
  EXPECT_EQ(d->cloud_api_app_secret, "");
  EXPECT_EQ(d->cloud_api_verify_token, "");
}

TEST(ShippedConfigTest, AdminExampleLoads) {
  const auto a = load_admin(std::string(DISPARO_SOURCE_DIR) + "/config/admin.toml", {});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->http.host, "127.0.0.1");
  EXPECT_EQ(a->http.port, 8081);
  EXPECT_EQ(a->database.url, "postgresql://disparo@127.0.0.1:55432/disparo");
  EXPECT_EQ(a->log.level, "info");
  EXPECT_EQ(a->master_key, "");
}

TEST(ConfigTest, CampaignSchedulerSettings) {
  const auto defaults = load_dispatcher("", {});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->campaigns_enabled);
  EXPECT_EQ(defaults->campaigns_tick, 2000ms);
  EXPECT_EQ(defaults->campaigns_catch_up, 60min);
  const auto d = load_dispatcher(write_temp("[campaigns]\nenabled = false\ntick_ms = 500\ncatch_up_minutes = 15\n"), {});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->campaigns_enabled);
  EXPECT_EQ(d->campaigns_tick, 500ms);
  EXPECT_EQ(d->campaigns_catch_up, 15min);
  const auto env = load_dispatcher("", {{"DISPARO_CAMPAIGNS_ENABLED", "false"}, {"DISPARO_CAMPAIGNS_CATCH_UP_MINUTES", "0"}});
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_FALSE(env->campaigns_enabled);
  EXPECT_EQ(env->campaigns_catch_up, 0min);
  EXPECT_NE(error_of_dispatcher("[campaigns]\nenabled = \"yes\"\n").find("campaigns.enabled: must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of_dispatcher("", {{"DISPARO_CAMPAIGNS_ENABLED", "maybe"}}).find("must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of_dispatcher("[campaigns]\ntick_ms = 10\n").find("campaigns.tick_ms"), std::string::npos);
}

TEST(ShippedConfigTest, ExamplesAreNotInterchangeable) {
  // Each file has sections the other process does not know: loading the wrong one fails.
  EXPECT_FALSE(load_admin(std::string(DISPARO_SOURCE_DIR) + "/config/dispatcher.toml", {}));
}

}  // namespace
}  // namespace disparo::config
