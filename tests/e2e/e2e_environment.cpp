#include "tests/e2e/e2e_environment.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::test {
namespace {

bool healthy(unsigned short port) {
  try {
    return http_get(port, "/healthz").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

std::string read_key(const std::string& env_file) {
  std::ifstream in(env_file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("DISPARO_API_KEY=")) return line.substr(std::string("DISPARO_API_KEY=").size());
  }
  return {};
}

}  // namespace

E2eEnvironment::E2eEnvironment(const std::string& prepare_sql, std::map<std::string, std::string> dispatcher_env)
    : database_(TestDatabase::migrated()), dispatcher_env_(std::move(dispatcher_env)) {
  work_dir_ = (std::filesystem::temp_directory_path() / ("disparo_e2e_" + std::to_string(::getpid()) + "_" +
                                                         database_.name()))
                  .string();
  std::filesystem::create_directories(work_dir_);
  dispatcher_port_ = free_port();
  sandbox_port_ = free_port();
  const std::string sandbox_url = "http://127.0.0.1:" + std::to_string(sandbox_port_) + "/v24.0";

  ChildProcess demo(DISPARO_ADMIN_BIN,
                    {"demo", "--env-file", work_dir_ + "/demo.env", "--sandbox-url", sandbox_url,
                     "--access-token", access_token_, "--phone-number-id", phone_number_id_},
                    {{"DISPARO_DATABASE_URL", database_.url()}}, work_dir_ + "/admin-demo.log");
  const auto demo_status = demo.wait(std::chrono::seconds(30));
  if (demo_status != 0) throw std::runtime_error("disparo-admin demo failed:\n" + demo.tail());
  api_key_ = read_key(work_dir_ + "/demo.env");
  if (api_key_.empty()) throw std::runtime_error("demo.env has no DISPARO_API_KEY");
  if (!prepare_sql.empty()) {
    auto conn = database_.connect();
    if (auto done = conn.exec_script(prepare_sql); !done) {
      throw std::runtime_error("prepare SQL failed: " + done.error().message);
    }
  }

  sandbox_ = std::make_unique<ChildProcess>(
      DISPARO_SANDBOX_BIN,
      std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(sandbox_port_), "--webhook-url",
                               "http://127.0.0.1:" + std::to_string(dispatcher_port_) + "/webhooks/cloud_api",
                               "--app-secret", app_secret_, "--access-token", access_token_,
                               "--verify-token", verify_token_, "--status-delay-ms", "50",
                               "--evolution-api-key", evolution_api_key_},
      std::map<std::string, std::string>{}, work_dir_ + "/sandbox.log");
  if (!eventually([&] { return healthy(sandbox_port_); }, std::chrono::seconds(15))) {
    throw std::runtime_error("sandbox did not become healthy:\n" + sandbox_->tail());
  }
  start_dispatcher();
}

void E2eEnvironment::start_dispatcher() {
  dispatcher_.reset();
  const std::string log = work_dir_ + "/dispatcher-" + std::to_string(++dispatcher_starts_) + ".log";
  std::map<std::string, std::string> environment{
      {"DISPARO_DATABASE_URL", database_.url()},
      {"DISPARO_HTTP_PORT", std::to_string(dispatcher_port_)},
      {"DISPARO_REDIS_HOST", env_or_fail("DISPARO_TEST_REDIS_HOST")},
      {"DISPARO_REDIS_PORT", env_or_fail("DISPARO_TEST_REDIS_PORT")},
      {"DISPARO_CLOUD_API_APP_SECRET", app_secret_},
      {"DISPARO_CLOUD_API_VERIFY_TOKEN", verify_token_},
      {"DISPARO_SENDER_POLL_INTERVAL_MS", "100"},
      {"DISPARO_LOG_LEVEL", "debug"}};
  for (const auto& [name, value] : dispatcher_env_) environment[name] = value;
  dispatcher_ = std::make_unique<ChildProcess>(DISPARO_DISPATCHER_BIN, std::vector<std::string>{"serve"},
                                               std::move(environment), log);
  if (!eventually([&] { return healthy(dispatcher_port_); }, std::chrono::seconds(15))) {
    throw std::runtime_error("dispatcher did not become healthy:\n" + dispatcher_->tail());
  }
}

std::string E2eEnvironment::logs() const {
  std::string text;
  if (dispatcher_) text += "--- dispatcher log ---\n" + dispatcher_->tail() + "\n";
  if (sandbox_) text += "--- sandbox log ---\n" + sandbox_->tail() + "\n";
  return text;
}

E2eEnvironment::~E2eEnvironment() {
  dispatcher_.reset();
  sandbox_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(work_dir_, ignored);
}

}  // namespace disparo::test
