// Configuration of the processes as plain validated structs (STYLE.md, rule 11).
//
// Only main and config/ know the file format: TOML (toml++), then environment overrides named
// DISPARO_<SECTION>_<KEY> in upper case (DISPARO_DATABASE_URL, DISPARO_HTTP_PORT,
// DISPARO_CLOUD_API_APP_SECRET, ...). Secrets belong in the environment, not in the files.
// Validation errors name the source (the file, or "environment DISPARO_X") and the key, e.g.
// "config/dispatcher.toml: http.port: must be an integer 1..65535 (line 3)"; unknown keys in a
// file are errors, so a typo never passes silently. config/dispatcher.toml and
// config/admin.toml are the documented examples. Pure; thread-compatible.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "common/expected.hpp"

namespace disparo::config {

// [http]: the listener.
struct HttpListen {
  std::string host = "127.0.0.1";                  // host: non-empty
  std::uint16_t port = 8080;                       // port: 1..65535
  std::size_t max_body_bytes = 16 * 1024 * 1024;   // max_body_bytes: 1..1 GiB
  std::chrono::milliseconds read_timeout{30'000};  // read_timeout_ms: 1..3600000
};

// [database]
struct Database {
  std::string url = "postgresql://127.0.0.1:5432/disparo";  // url: libpq conninfo or URI
  std::size_t pool_size = 8;                                // pool_size: 1..256
};

// [redis] (dispatcher only)
struct Redis {
  std::string host = "127.0.0.1";  // host: non-empty
  std::uint16_t port = 6379;       // port: 1..65535
  std::string password;            // password: empty means no AUTH
};

// [log]
struct Logging {
  std::string level = "info";  // level: always accepted by log::parse_level after loading
};

// [metrics] periodic dependency probes (disparo_dependency_*, dashboards/README.md):
// dependency_probe_interval_ms 100..3600000, dependency_probe_timeout_ms 1..60000.
struct MetricsSettings {
  std::chrono::milliseconds dependency_probe_interval{5'000};
  std::chrono::milliseconds dependency_probe_timeout{2'000};
};

struct DispatcherSettings {
  HttpListen http{};
  Database database{};
  Redis redis{};
  Logging log{};
  // [cloud_api] Cloud API platform app: webhooks are signed with its app secret
  // (X-Hub-Signature-256) and the GET handshake checks the verify token. Keys app_secret,
  // verify_token; empty means not configured.
  std::string cloud_api_app_secret;
  std::string cloud_api_verify_token;
  // [sender]
  std::chrono::milliseconds provider_timeout{10'000};  // provider_timeout_ms: 1..600000
  std::string provider_ca_file = {};  // provider_ca_file: extra trusted CA (PEM) for https providers
  // poll_interval_ms 1..60000: how often an idle queue looks for work it was not woken for
  // (accepted by another instance); accepts on this instance wake the queue at once.
  std::chrono::milliseconds poll_interval{2'000};
  // claim_ahead_ms 0..10000: scheduled messages are claimed this long before their send_at,
  // so only the provider request is left at send_at (0: claim at send_at)
  std::chrono::milliseconds claim_ahead{100};
  // max_in_flight 1..100000: provider requests at once over all sessions.
  std::size_t max_in_flight = 1024;
  // Retries (docs/delivery-semantics.md): max_attempts 1..100; retry_base_ms and retry_max_ms
  // 1..86400000 bound the full-jitter backoff of transient errors; slow_down_ms (throughput
  // errors: the session cools down) and recipient_defer_ms (pair limit: that recipient waits)
  // 1..86400000; unknown_outcome_ms 1..86400000: an attempt with no answer waits this long for
  // the provider's status webhook, then ends failed (never resent).
  int max_attempts = 5;
  std::chrono::milliseconds retry_base{2'000};
  std::chrono::milliseconds retry_max{300'000};
  std::chrono::milliseconds slow_down{30'000};
  std::chrono::milliseconds recipient_defer{60'000};
  std::chrono::milliseconds unknown_outcome{600'000};
  // lease_ttl_ms 1000..600000: a session's lease (docs/delivery-semantics.md, "Several
  // dispatchers"): renewed every third of it; a dead instance's sessions wait this long.
  std::chrono::milliseconds lease_ttl{15'000};
  // shutdown_grace_ms 0..600000: in-flight sends may finish within it.
  std::chrono::milliseconds shutdown_grace{10'000};
  // max_batch 1..10000: messages in one POST /v1/messages.
  std::size_t max_batch = 10'000;
  MetricsSettings metrics{};
  // [campaigns] the campaign scheduler (docs/campaigns.md): enabled (true | false); tick_ms
  // 100..3600000 between ticks; catch_up_minutes 0..10080: a slot missed by less than this
  // still runs, older ones are recorded as skipped.
  bool campaigns_enabled = true;
  std::chrono::milliseconds campaigns_tick{2'000};
  std::chrono::minutes campaigns_catch_up{60};
};

// The operator key must be long enough not to be guessed; empty disables the routes instead.
inline constexpr std::size_t kMinMasterKeyLength = 16;

struct AdminSettings {
  HttpListen http{.port = 8081};
  Database database{};
  Logging log{};
  // [admin] master_key: SaaS operator key for tenant management; empty disables those routes,
  // otherwise at least kMinMasterKeyLength characters.
  std::string master_key;
  MetricsSettings metrics{};
};

// Loads `path` (empty: defaults only), then applies `env` overrides (pass the process
// environment in main; tests pass their own map). A missing file is ErrorKind::not_found, any
// other problem ErrorKind::invalid_argument with every problem listed, separated by "; ".
using Environment = std::map<std::string, std::string>;
Expected<DispatcherSettings> load_dispatcher(const std::string& path, const Environment& env);
Expected<AdminSettings> load_admin(const std::string& path, const Environment& env);

// The process environment as a map (for main).
Environment process_environment();

}  // namespace disparo::config
