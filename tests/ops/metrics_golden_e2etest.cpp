// The metric families the dispatcher, the admin and the sandbox (provider simulator) export are
// pinned by tests/golden/*.txt ("name type" lines), so a rename cannot silently break a dashboard
// or an alert; and every scrape passes `promtool check metrics`. Real processes (OpsEnvironment) after a little traffic,
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
#include "tests/ops/ops_campaigns.hpp"
#include "tests/ops/ops_environment.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::ops::test {
namespace {

using namespace std::chrono_literals;

// One message through to "read" (provider request, status webhooks, callbacks), a campaign run
// that completes and one that fails, one refused webhook, and a few admin requests: the families
// created lazily now exist.
void drive_traffic(OpsEnvironment& ops) {
  const std::string id = ops.accept_text("+5511987654321", "golden");
  std::string status;
  const bool read = disparo::test::eventually([&] {
    status = ops.message_status(id);
    return status == "read";
  }, 30s, 50ms);
  ASSERT_TRUE(read) << "last status " << status << "\n" << ops.logs();
  create_campaigns(ops);
  request_campaign_runs(ops);
  const bool campaigns = disparo::test::eventually([&] { return campaign_runs_finished(ops); }, 30s, 100ms);
  ASSERT_TRUE(campaigns) << "the campaign runs did not finish\n" << ops.logs();
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
  const std::pair<const char*, unsigned short> services[] = {{"dispatcher_metrics.txt", ops.dispatcher_port()},
                                                             {"admin_metrics.txt", ops.admin_port()},
                                                             {"sandbox_metrics.txt", ops.sandbox_port()}};
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
  const std::pair<const char*, unsigned short> services[] = {
      {"dispatcher", ops.dispatcher_port()}, {"admin", ops.admin_port()}, {"sandbox", ops.sandbox_port()}};
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

// The periodic dependency probes run in both services and find PostgreSQL and Redis up; the
// delivered status of the traffic observed one sent -> delivered sample; the sandbox counted the
// provider request and the webhooks it posted.
TEST(MetricsGolden, ProbesAndLatenciesHaveSamples) {
  OpsEnvironment ops;
  drive_traffic(ops);
  if (HasFatalFailure()) return;
  const auto has = [](unsigned short port, const std::string& line) {
    return disparo::test::eventually([&] { return scrape(port).find(line) != std::string::npos; }, 15s, 100ms);
  };
  EXPECT_TRUE(has(ops.dispatcher_port(), "\ndisparo_dependency_up{dependency=\"postgres\"} 1\n"));
  EXPECT_TRUE(has(ops.dispatcher_port(), "\ndisparo_dependency_up{dependency=\"redis\"} 1\n"));
  EXPECT_TRUE(has(ops.admin_port(), "\ndisparo_dependency_up{dependency=\"postgres\"} 1\n"));
  // drive_traffic sends one API message and two campaign messages, each through to read.
  EXPECT_TRUE(has(ops.dispatcher_port(), "\ndisparo_sent_to_delivered_seconds_count 3\n"))
      << "three messages reached delivered: one sample each\n" << scrape(ops.dispatcher_port());
  EXPECT_TRUE(has(ops.sandbox_port(), "disparo_sandbox_http_requests_total{route=\"cloud_api_messages\",code=\"200\"} 3\n"))
      << scrape(ops.sandbox_port());
  EXPECT_TRUE(has(ops.sandbox_port(), "disparo_sandbox_webhooks_total{provider=\"cloud_api\",result=\"delivered\"} 9\n"))
      << "sent, delivered and read were posted for each of the three\n" << scrape(ops.sandbox_port());
}

}  // namespace
}  // namespace disparo::ops::test
