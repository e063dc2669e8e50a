// Configuration of the processes as plain validated structs (STYLE.md, rule 11).
//
// Only main and config/ know the file format: TOML (toml++), then environment overrides named
// DISPARO_<SECTION>_<KEY> in upper case (DISPARO_DATABASE_URL, DISPARO_HTTP_PORT, ...).
// Validation errors name the key and the file. Pure; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/expected.hpp"

namespace disparo::config {

struct HttpListen {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{30'000};
};

struct Database {
  std::string url = "postgresql://127.0.0.1:5432/disparo";  // libpq conninfo or URI
  std::size_t pool_size = 4;
};

struct Redis {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string password;
};

struct Logging {
  std::string level = "info";
};

struct DispatcherSettings {
  HttpListen http{};
  Database database{};
  Redis redis{};
  Logging log{};
  // Cloud API platform app: webhooks are signed with its app secret (X-Hub-Signature-256)
  // and the GET handshake checks the verify token.
  std::string cloud_api_app_secret;
  std::string cloud_api_verify_token;
  std::chrono::milliseconds provider_timeout{10'000};
  std::chrono::milliseconds poll_interval{500};         // how often queues look for new work
  std::chrono::milliseconds shutdown_grace{10'000};     // in-flight sends may finish within it
  std::size_t max_batch = 10'000;                       // messages in one POST /v1/messages
};

struct AdminSettings {
  HttpListen http{.port = 8081};
  Database database{};
  Logging log{};
  std::string master_key;  // SaaS operator key for tenant management; empty disables those routes
};

// Loads `path` (empty: defaults only), then applies `env` overrides (pass the process
// environment in main; tests pass their own map).
using Environment = std::map<std::string, std::string>;
Expected<DispatcherSettings> load_dispatcher(const std::string& path, const Environment& env);
Expected<AdminSettings> load_admin(const std::string& path, const Environment& env);

// The process environment as a map (for main).
Environment process_environment();

}  // namespace disparo::config
