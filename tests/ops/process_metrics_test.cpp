// common/process_metrics: parsing /proc/<pid>/stat, and the exposition of the test process's own
// stats (which promtool must accept).
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/process_metrics.hpp"
#include "tests/ops/ops_artifacts.hpp"

namespace disparo {
namespace {

TEST(ProcessMetrics, ParsesProcStatEvenWithParenthesesInTheCommandName) {
  // pid (comm) state ppid ... fields 14/15 utime/stime = 250/150 ticks, 22 starttime = 1000
  // ticks, 23 vsize = 8192000 bytes, 24 rss = 300 pages.
  const std::string stat =
      "4242 (disparo (x) y) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 4 0 1000 8192000 300 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  ProcessStats stats;
  parse_proc_stat(stat, 100, 4096, 1'700'000'000, stats);
  ASSERT_TRUE(stats.cpu_seconds && stats.resident_bytes && stats.virtual_bytes && stats.start_time_seconds);
  EXPECT_DOUBLE_EQ(*stats.cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(*stats.resident_bytes, 300.0 * 4096);
  EXPECT_DOUBLE_EQ(*stats.virtual_bytes, 8192000.0);
  EXPECT_DOUBLE_EQ(*stats.start_time_seconds, 1'700'000'010.0);
}

TEST(ProcessMetrics, MalformedStatLeavesValuesOut) {
  ProcessStats stats;
  parse_proc_stat("garbage", 100, 4096, 0, stats);
  parse_proc_stat("1 (x) S 1 2", 100, 4096, 0, stats);
  EXPECT_FALSE(stats.cpu_seconds);
  EXPECT_EQ(process_metrics_text(stats), "");
}

TEST(ProcessMetrics, OwnProcessHasEveryMetricAndPassesPromtool) {
  const auto stats = read_process_stats();
  ASSERT_TRUE(stats.cpu_seconds && stats.resident_bytes && stats.open_fds && stats.open_sockets &&
              stats.start_time_seconds);
  EXPECT_GT(*stats.resident_bytes, 0);
  EXPECT_GE(*stats.open_fds, 3);  // stdin, stdout, stderr at least
  const std::string text = process_metrics_text(stats);
  const auto families = ops::test::family_lines(text);
  EXPECT_EQ(families, (std::vector<std::string>{"disparo_process_open_sockets gauge",
                                                "process_cpu_seconds_total counter",
                                                "process_max_fds gauge",
                                                "process_open_fds gauge",
                                                "process_resident_memory_bytes gauge",
                                                "process_start_time_seconds gauge",
                                                "process_virtual_memory_bytes gauge"}));
  const auto file = ::testing::TempDir() + "process_metrics_" + std::to_string(::getpid()) + ".prom";
  std::ofstream(file) << text;
  const std::string command = "promtool check metrics < '" + file + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << "promtool (Debian package prometheus) missing or it found problems:\n" << output;
  EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace disparo
