#include "common/dependency_probe.hpp"

#include <algorithm>

namespace disparo {
namespace {

// A SELECT 1 or PING on a healthy local network takes well under a millisecond; the upper
// buckets show a struggling server or a probe that ran into its timeout.
const prometheus::Histogram::BucketBoundaries kRoundTripBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,   0.1,   0.25,   0.5,   1,    2.5, 5};

}  // namespace

DependencyProbeMetrics::DependencyProbeMetrics(prometheus::Registry& registry,
                                               const std::vector<std::string>& dependencies) {
  auto& up = prometheus::BuildGauge()
                 .Name("disparo_dependency_up")
                 .Help("1 when the last periodic probe of the dependency (SELECT 1, PING) succeeded")
                 .Register(registry);
  auto& round_trip = prometheus::BuildHistogram()
                         .Name("disparo_dependency_round_trip_seconds")
                         .Help("Duration of the periodic dependency probes (failed ones included)")
                         .Register(registry);
  auto& errors = prometheus::BuildCounter()
                     .Name("disparo_dependency_errors_total")
                     .Help("Periodic dependency probes that failed or timed out")
                     .Register(registry);
  for (const auto& name : dependencies) {
    Series series;
    series.up = &up.Add({{"dependency", name}});
    series.round_trip = &round_trip.Add({{"dependency", name}}, kRoundTripBuckets);
    series.errors = &errors.Add({{"dependency", name}});
    series_.emplace(name, series);
  }
}

ProbeTransition DependencyProbeMetrics::record(std::string_view dependency, bool ok,
                                               std::chrono::duration<double> round_trip) {
  std::lock_guard lock(mutex_);
  auto found = series_.find(dependency);
  if (found == series_.end()) return ProbeTransition::none;
  Series& series = found->second;
  series.up->Set(ok ? 1 : 0);
  series.round_trip->Observe(std::max(0.0, round_trip.count()));
  if (!ok) series.errors->Increment();
  const bool changed = !series.last || *series.last != ok;
  series.last = ok;
  if (!changed) return ProbeTransition::none;
  return ok ? ProbeTransition::came_up : ProbeTransition::went_down;
}

std::optional<bool> DependencyProbeMetrics::up(std::string_view dependency) const {
  std::lock_guard lock(mutex_);
  auto found = series_.find(dependency);
  if (found == series_.end()) return std::nullopt;
  return found->second.last;
}

}  // namespace disparo
