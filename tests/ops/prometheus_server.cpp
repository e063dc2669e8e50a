#include "tests/ops/prometheus_server.hpp"

#include <fstream>
#include <random>
#include <stdexcept>

#include <simdjson.h>
#include <unistd.h>

#include "tests/ops/ops_environment.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::ops::test {

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

PrometheusServer::PrometheusServer(const std::map<std::string, unsigned short>& jobs,
                                   const std::vector<std::filesystem::path>& rule_files) {
  const std::string binary = find_program("prometheus");
  if (binary.empty()) {
    throw std::runtime_error(
        "prometheus not found in PATH: install Debian's prometheus package (scripts/install-deps does, "
        "or apt-get install --no-install-recommends prometheus)");
  }
  work_dir_ = std::filesystem::temp_directory_path() /
              ("disparo_prometheus_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(work_dir_ / "data");

  std::ofstream config(work_dir_ / "prometheus.yml");
  config << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n";
  config << "rule_files:\n";
  for (const auto& file : rule_files) config << "  - '" << file.string() << "'\n";
  config << "scrape_configs:\n";
  for (const auto& [job, port] : jobs) {
    config << "  - job_name: '" << job << "'\n    static_configs:\n      - targets: ['127.0.0.1:"
           << port << "']\n";
  }
  config.close();

  port_ = disparo::test::free_port();
  process_ = std::make_unique<disparo::test::ChildProcess>(
      binary,
      std::vector<std::string>{"--config.file=" + (work_dir_ / "prometheus.yml").string(),
                               "--storage.tsdb.path=" + (work_dir_ / "data").string(),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--log.level=warn"},
      std::map<std::string, std::string>{}, (work_dir_ / "prometheus.log").string());
  const bool ready = disparo::test::eventually(
      [&] {
        try {
          return disparo::test::http_get(port_, "/-/ready").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100));
  if (!ready) throw std::runtime_error("prometheus did not become ready:\n" + process_->tail());
}

PrometheusServer::~PrometheusServer() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(work_dir_, ignored);
}

std::string PrometheusServer::get(const std::string& target) const {
  const auto response = disparo::test::http_get(port_, target);
  if (response.status != 200) {
    throw std::runtime_error("prometheus GET " + target + ": " + std::to_string(response.status) + " " + response.body);
  }
  return response.body;
}

PrometheusServer::QueryResult PrometheusServer::query(const std::string& expr) const {
  QueryResult result;
  const auto response = disparo::test::http_get(port_, "/api/v1/query?query=" + url_encode(expr));
  result.body = response.body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(response.body).get(root) != simdjson::SUCCESS) {
    result.error = "HTTP " + std::to_string(response.status) + ": " + response.body;
    return result;
  }
  std::string_view status;
  if (root["status"].get(status) != simdjson::SUCCESS || status != "success") {
    std::string_view error;
    result.error = root["error"].get(error) == simdjson::SUCCESS ? std::string(error) : response.body;
    return result;
  }
  std::string_view type = root["data"]["resultType"];
  if (type == "vector" || type == "matrix") {
    result.result_count = simdjson::dom::array(root["data"]["result"]).size();
  } else {
    result.result_count = 1;  // scalar or string
  }
  return result;
}

}  // namespace disparo::ops::test
