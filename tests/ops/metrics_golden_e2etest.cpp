// The metric families the dispatcher and the admin export are pinned by tests/golden/*.txt
// ("name type" lines), so a rename cannot silently break a dashboard or an alert; and both
// scrapes pass `promtool check metrics`. Real processes (OpsEnvironment) after a little traffic,
// so that families created on first use are there too.
//
// Regenerate the golden files after an intended change: scripts/update-metrics-golden
// (sets DISPARO_METRICS_GOLDEN_UPDATE=1, which makes the first test write them instead).
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/ops/ops_artifacts.hpp"
#include "tests/ops/ops_environment.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::ops::test {
namespace {

using namespace std::chrono_literals;

// One message through to "read" (provider request, status webhooks, callbacks), one refused
// webhook, and a few admin requests: the families created lazily now exist.
void drive_traffic(OpsEnvironment& ops) {
  const std::string id = ops.accept_text("+5511987654321", "golden");
  std::string status;
  const bool read = disparo::test::eventually([&] {
    status = ops.message_status(id);
    return status == "read";
  }, 30s, 50ms);
  ASSERT_TRUE(read) << "last status " << status << "\n" << ops.logs();
  disparo::test::http_post_json(ops.dispatcher_port(), "/webhooks/cloud_api", "{}");  // unsigned: 401
  disparo::test::http_get(ops.admin_port(), "/readyz");
  disparo::test::http_get(ops.admin_port(), "/v1/tenants");  // no key: 401
  disparo::test::http_get(ops.admin_port(), "/no/such/route");
}

void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file, std::ios::trunc);
  out << "# Metric families exported by " << file.stem().string()
      << " (\"name type\", sorted): pinned by tests/ops/metrics_golden_e2etest.cpp.\n"
      << "# Regenerate with scripts/update-metrics-golden; update dashboards/ in the same change.\n";
  for (const auto& line : lines) out << line << "\n";
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

TEST(MetricsGolden, ScrapedFamiliesMatchTheGoldenFiles) {
  OpsEnvironment ops;
  drive_traffic(ops);
  if (HasFatalFailure()) return;
  const std::pair<const char*, unsigned short> services[] = {
      {"dispatcher_metrics.txt", ops.dispatcher_port()}, {"admin_metrics.txt", ops.admin_port()}};
  const bool update = std::getenv("DISPARO_METRICS_GOLDEN_UPDATE") != nullptr;
  for (const auto& [file, port] : services) {
    const auto actual = family_lines(scrape(port));
    ASSERT_FALSE(actual.empty()) << file << ": the scrape has no # TYPE line";
    const auto path = golden_dir() / file;
    if (update) {
      write_lines(path, actual);
      std::cout << "updated " << path.string() << " (" << actual.size() << " families)\n";
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: run scripts/update-metrics-golden";
    const auto diff = diff_lines(read_lines(path), actual);
    EXPECT_TRUE(diff.empty())
        << "The metric families exported differ from " << path.string() << ":\n"
        << diff
        << "Dashboards (dashboards/grafana/dashboards) and alert rules (dashboards/prometheus/rules) "
           "select these names. If the change is intended, update them, then regenerate the golden "
           "files with one command:\n    scripts/update-metrics-golden\n";
  }
}

TEST(MetricsGolden, ScrapesPassPromtoolCheckMetrics) {
  const std::string promtool = promtool_or_fail();
  OpsEnvironment ops;
  drive_traffic(ops);
  if (HasFatalFailure()) return;
  const std::pair<const char*, unsigned short> services[] = {{"dispatcher", ops.dispatcher_port()},
                                                             {"admin", ops.admin_port()}};
  for (const auto& [name, port] : services) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("disparo_ops_" + std::string(name) + "_" + std::to_string(::getpid()) + ".prom");
    {
      std::ofstream out(file);
      out << scrape(port);
    }
    const auto result = run_command(promtool + " check metrics < '" + file.string() + "'");
    std::filesystem::remove(file);
    EXPECT_EQ(result.status, 0) << name << ": promtool check metrics found problems:\n" << result.output;
    EXPECT_EQ(result.output, "") << name << ": promtool check metrics printed:\n" << result.output;
  }
}

}  // namespace
}  // namespace disparo::ops::test
