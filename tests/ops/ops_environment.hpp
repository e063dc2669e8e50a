// OpsEnvironment: the whole Disparo for the operations tests: E2eEnvironment (fresh database,
// demo tenant, sandbox, dispatcher) plus the admin service as a real process on the same
// database. Helpers to scrape /metrics and to run promtool. Test thread only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "tests/e2e/e2e_environment.hpp"
#include "tests/support/child_process.hpp"

namespace disparo::ops::test {

class OpsEnvironment {
 public:
  // `prepare_sql` runs on the demo database before the dispatcher starts (E2eEnvironment).
  explicit OpsEnvironment(const std::string& prepare_sql = {});

  disparo::test::E2eEnvironment& e2e() { return e2e_; }
  unsigned short dispatcher_port() const { return e2e_.dispatcher_port(); }
  unsigned short sandbox_port() const { return e2e_.sandbox_port(); }
  unsigned short admin_port() const { return admin_port_; }
  std::string logs() const;

  // Accepts a text message through the dispatcher's API; returns its id (throws on non-202).
  std::string accept_text(const std::string& to, const std::string& text);
  // The message's current status (GET /v1/messages/{id}).
  std::string message_status(const std::string& id);

 private:
  disparo::test::E2eEnvironment e2e_;
  unsigned short admin_port_ = 0;
  std::unique_ptr<disparo::test::ChildProcess> admin_;
};

// GET /metrics of a service on 127.0.0.1 (throws unless 200).
std::string scrape(unsigned short port);

// The absolute path of `program` found in PATH, or "" when it is not installed.
std::string find_program(const std::string& program);

// Runs a shell command, returns its exit status and combined output.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);

// promtool's path; throws std::runtime_error with how to install it when it is missing.
std::string promtool_or_fail();

}  // namespace disparo::ops::test
