// DependencyProbeMetrics: what the periodic dependency probes of a service (PostgreSQL SELECT 1,
// Redis PING) found, as Prometheus metrics, shared by the dispatcher (standalone Asio) and the
// admin (Boost.Asio). Each service runs its own probe loop with its own event loop and reports
// every result here; this file has no event loop and no I/O.
//
//   disparo_dependency_up{dependency}                    1 when the last probe succeeded, else 0
//   disparo_dependency_round_trip_seconds{dependency}    histogram of every probe's duration
//   disparo_dependency_errors_total{dependency}          failed probes (error or timeout)
//
// Series of every dependency are created at construction (the gauge at 0 until a first probe
// succeeds; the counter at 0, so increase() sees the first failure). Thread-safe: record() from
// the probing loop, serialization from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace disparo {

// How often a service probes its dependencies and how long one probe may take ([metrics]
// dependency_probe_interval_ms, dependency_probe_timeout_ms).
struct ProbeSettings {
  std::chrono::milliseconds interval{5'000};
  std::chrono::milliseconds timeout{2'000};
};

// What one probe result changed, for the caller's log: the first result is always a transition.
enum class ProbeTransition { none, came_up, went_down };

class DependencyProbeMetrics {
 public:
  DependencyProbeMetrics(prometheus::Registry& registry, const std::vector<std::string>& dependencies);
  DependencyProbeMetrics(const DependencyProbeMetrics&) = delete;
  DependencyProbeMetrics& operator=(const DependencyProbeMetrics&) = delete;

  // One finished probe of `dependency` (one of the constructor's names; others are ignored and
  // return none): sets the gauge, observes the round trip, counts a failure.
  ProbeTransition record(std::string_view dependency, bool ok, std::chrono::duration<double> round_trip);

  // The last result of `dependency`; nullopt before its first probe (or for an unknown name).
  std::optional<bool> up(std::string_view dependency) const;

 private:
  struct Series {
    prometheus::Gauge* up = nullptr;
    prometheus::Histogram* round_trip = nullptr;
    prometheus::Counter* errors = nullptr;
    std::optional<bool> last;
  };
  mutable std::mutex mutex_;  // guards `last` (the prometheus objects are thread-safe)
  std::map<std::string, Series, std::less<>> series_;
};

}  // namespace disparo
