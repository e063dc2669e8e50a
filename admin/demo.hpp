// Demo data for a local try-out against the sandbox provider: tenant "demo", a WhatsApp session
// "principal", a server linked to it, a few clients and an owner API key kept in an env file.
//
// Idempotent: running it again changes nothing except the session's base_url and access_token
// when they differ (sandbox tokens are regenerated), and mints a key only when the env file does
// not hold a live key of tenant demo. Blocking; call from main.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

struct DemoOptions {
  std::string env_file;
  std::string sandbox_url;
  std::string access_token;
  std::string phone_number_id = "100000000000001";
};

struct DemoSummary {
  std::int64_t tenant_id = 0;
  bool tenant_created = false;
  std::int64_t session_id = 0;
  bool session_created = false;
  bool session_updated = false;  // base_url / access_token / phone_number_id changed
  std::int64_t server_id = 0;
  int clients_added = 0;
  int clients_total = 0;
  bool key_reused = false;       // the env file's key was live and kept
};

// Seeds everything in one transaction; the env file is (re)written inside it, so a failure
// leaves neither a key without a file nor a file naming a key that was rolled back.
Expected<DemoSummary> seed_demo(pg::Connection& conn, const DemoOptions& options);

// The value of DISPARO_API_KEY in an env file (KEY=VALUE lines, optional quotes), if any.
std::optional<std::string> read_env_api_key(const std::string& path);
// Writes "DISPARO_API_KEY=<key>\nDISPARO_TENANT=demo\n" with mode 0600 (replaced atomically).
Expected<void> write_demo_env_file(const std::string& path, const std::string& api_key);

}  // namespace disparo::admin
