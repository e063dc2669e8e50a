// DependencyProbeMetrics (common/dependency_probe.hpp), pure: a fake dependency answers a scripted
// sequence of probes; the gauge follows the last result, failures are counted, every probe is
// observed, and only changes of state are reported as transitions (for the log).
#include <string>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/dependency_probe.hpp"

namespace disparo {
namespace {

using namespace std::chrono_literals;

std::string text_of(prometheus::Registry& registry) {
  return prometheus::TextSerializer{}.Serialize(registry.Collect());
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// A dependency whose answers are scripted: true = answers, false = error or timeout.
struct FakeDependency {
  std::vector<bool> answers;
  std::size_t next = 0;
  bool probe() { return answers.at(next++); }
};

TEST(DependencyProbe, SeriesExistAtZeroBeforeTheFirstProbe) {
  prometheus::Registry registry;
  DependencyProbeMetrics metrics(registry, {"postgres", "redis"});
  const auto text = text_of(registry);
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_up{dependency="postgres"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_up{dependency="redis"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_errors_total{dependency="redis"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_round_trip_seconds_count{dependency="postgres"} 0)")) << text;
  EXPECT_FALSE(metrics.up("postgres").has_value());
  EXPECT_FALSE(metrics.up("mysql").has_value());
}

TEST(DependencyProbe, UpAndDownFollowTheFakeDependency) {
  prometheus::Registry registry;
  DependencyProbeMetrics metrics(registry, {"postgres", "redis"});
  FakeDependency postgres{{true, true, false, false, true}};
  const std::vector<ProbeTransition> expected = {ProbeTransition::came_up, ProbeTransition::none,
                                                 ProbeTransition::went_down, ProbeTransition::none,
                                                 ProbeTransition::came_up};
  const std::vector<int> gauge = {1, 1, 0, 0, 1};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const bool ok = postgres.probe();
    EXPECT_EQ(metrics.record("postgres", ok, 3ms), expected[i]) << "probe " << i;
    EXPECT_EQ(metrics.up("postgres"), ok) << "probe " << i;
    EXPECT_TRUE(has_line(text_of(registry),
                         "disparo_dependency_up{dependency=\"postgres\"} " + std::to_string(gauge[i])))
        << "probe " << i << "\n" << text_of(registry);
  }
  const auto text = text_of(registry);
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_errors_total{dependency="postgres"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_round_trip_seconds_count{dependency="postgres"} 5)")) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_round_trip_seconds_bucket{dependency="postgres",le="0.005"} 5)")) << text;
  // The other dependency is untouched.
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_up{dependency="redis"} 0)")) << text;
  EXPECT_FALSE(metrics.up("redis").has_value());
}

TEST(DependencyProbe, AFirstFailureIsAWentDownTransition) {
  prometheus::Registry registry;
  DependencyProbeMetrics metrics(registry, {"redis"});
  EXPECT_EQ(metrics.record("redis", false, 2s), ProbeTransition::went_down);
  EXPECT_EQ(metrics.record("redis", false, 2s), ProbeTransition::none);
  const auto text = text_of(registry);
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_errors_total{dependency="redis"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_round_trip_seconds_sum{dependency="redis"} 4)")) << text;
}

TEST(DependencyProbe, UnknownDependenciesAndNegativeDurationsAreHarmless) {
  prometheus::Registry registry;
  DependencyProbeMetrics metrics(registry, {"postgres"});
  EXPECT_EQ(metrics.record("mysql", false, 1ms), ProbeTransition::none);
  EXPECT_EQ(metrics.record("postgres", true, -5ms), ProbeTransition::came_up);
  const auto text = text_of(registry);
  EXPECT_EQ(text.find("mysql"), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, R"(disparo_dependency_round_trip_seconds_sum{dependency="postgres"} 0)")) << text;
}

}  // namespace
}  // namespace disparo
