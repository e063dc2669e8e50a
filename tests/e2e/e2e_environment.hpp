// E2eEnvironment: a whole Disparo on loopback for end-to-end tests: a fresh migrated database,
// the demo tenant made by `disparo-admin demo`, the sandbox provider and the dispatcher as real
// processes (binaries from this build), the test Redis from scripts/test.
//
// Construct in a test (it fails the test with the processes' logs when start-up fails);
// the destructor stops every process. Test thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "adapters/http/message.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::test {

class E2eEnvironment {
 public:
  // `prepare` runs SQL on the fresh demo database before the dispatcher starts (e.g. a pacing
  // policy for the demo session). `dispatcher_env` adds to (or overrides) the dispatcher's
  // environment at every start, e.g. {"DISPARO_SENDER_LEASE_TTL_MS", "2000"}.
  explicit E2eEnvironment(const std::string& prepare_sql = {},
                          std::map<std::string, std::string> dispatcher_env = {});
  ~E2eEnvironment();

  unsigned short dispatcher_port() const { return dispatcher_port_; }
  unsigned short sandbox_port() const { return sandbox_port_; }
  const std::string& api_key() const { return api_key_; }
  const std::string& app_secret() const { return app_secret_; }
  const std::string& verify_token() const { return verify_token_; }
  const std::string& phone_number_id() const { return phone_number_id_; }
  const std::string& evolution_api_key() const { return evolution_api_key_; }  // the sandbox's Evolution apikey
  TestDatabase& database() { return database_; }
  ChildProcess& dispatcher() { return *dispatcher_; }

  // Starts (or restarts, after kill_hard) the dispatcher and waits for /healthz.
  void start_dispatcher();
  std::string logs() const;  // tails of every process log, for failure messages

 private:
  TestDatabase database_;
  std::string work_dir_;
  unsigned short dispatcher_port_ = 0;
  unsigned short sandbox_port_ = 0;
  std::string api_key_;
  std::string app_secret_ = "e2e-app-secret";
  std::string verify_token_ = "e2e-verify-token";
  std::string access_token_ = "e2e-access-token";
  std::string phone_number_id_ = "100000000000001";
  std::string evolution_api_key_ = "e2e-evolution-key";
  std::unique_ptr<ChildProcess> sandbox_;
  std::unique_ptr<ChildProcess> dispatcher_;
  std::map<std::string, std::string> dispatcher_env_;
  int dispatcher_starts_ = 0;
};

}  // namespace disparo::test
