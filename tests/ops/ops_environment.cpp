#include "tests/ops/ops_environment.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::ops::test {

using disparo::test::ChildProcess;
using disparo::test::eventually;
using disparo::test::free_port;
using disparo::test::http_get;
using disparo::test::http_post_json;

OpsEnvironment::OpsEnvironment(const std::string& prepare_sql) : e2e_(prepare_sql) {
  admin_port_ = free_port();
  const auto log = std::filesystem::temp_directory_path() /
                   ("disparo_ops_admin_" + std::to_string(::getpid()) + "_" + e2e_.database().name() + ".log");
  admin_ = std::make_unique<ChildProcess>(
      DISPARO_ADMIN_BIN, std::vector<std::string>{"serve"},
      std::map<std::string, std::string>{{"DISPARO_DATABASE_URL", e2e_.database().url()},
                                         {"DISPARO_HTTP_PORT", std::to_string(admin_port_)},
                                         {"DISPARO_ADMIN_MASTER_KEY", "ops-master-key-0123456789"}},
      log.string());
  const bool up = eventually(
      [&] {
        try {
          return http_get(admin_port_, "/healthz").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50));
  if (!up) throw std::runtime_error("admin did not become healthy:\n" + admin_->tail());
}

std::string OpsEnvironment::logs() const {
  return e2e_.logs() + "--- admin log ---\n" + (admin_ ? admin_->tail() : std::string()) + "\n";
}

std::string OpsEnvironment::accept_text(const std::string& to, const std::string& text) {
  const auto response = http_post_json(dispatcher_port(), "/v1/messages",
                                       R"({"to":")" + to + R"(","text":")" + text + R"("})", e2e_.api_key());
  if (response.status != 202) {
    throw std::runtime_error("POST /v1/messages: " + std::to_string(response.status) + " " + response.body);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body);
  return std::string(std::string_view(root["id"]));
}

std::string OpsEnvironment::message_status(const std::string& id) {
  const auto response = http_get(dispatcher_port(), "/v1/messages/" + id, e2e_.api_key());
  if (response.status != 200) throw std::runtime_error("GET message " + id + ": " + response.body);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body);
  return std::string(std::string_view(root["status"]));
}

std::string scrape(unsigned short port) {
  const auto response = http_get(port, "/metrics");
  if (response.status != 200) {
    throw std::runtime_error("GET /metrics on port " + std::to_string(port) + ": " + std::to_string(response.status));
  }
  return response.body;
}

std::string find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string promtool_or_fail() {
  const std::string path = find_program("promtool");
  if (path.empty()) {
    throw std::runtime_error(
        "promtool not found in PATH: install Debian's prometheus package (scripts/install-deps does, "
        "or apt-get install --no-install-recommends prometheus)");
  }
  return path;
}

}  // namespace disparo::ops::test
