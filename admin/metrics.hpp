// The admin service's Prometheus metrics, declared in one block and created once (STYLE.md 12).
//
// Series for every (route template, method) and the usual status codes are created up front and
// their references cached: prometheus-cpp allocates on every labelled lookup. A code not seen
// before is added once, under a mutex. record() and exposition() are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "admin/router.hpp"
#include "common/dependency_probe.hpp"

namespace disparo::admin {

// The route label of requests that matched no template (bounded cardinality for 404s).
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

class AdminMetrics {
 public:
  // Creates the families and the series of `routes` (plus kUnmatchedRoute).
  explicit AdminMetrics(const std::vector<RouteKey>& routes);
  AdminMetrics(const AdminMetrics&) = delete;
  AdminMetrics& operator=(const AdminMetrics&) = delete;

  // One finished request: its route template (or kUnmatchedRoute), method, status, duration.
  void record(std::string_view route, boost::beast::http::verb method, unsigned status,
              double seconds);

  // The text exposition format (version 0.0.4) of every metric in the registry.
  std::string exposition() const;

  prometheus::Registry& registry() { return *registry_; }
  // disparo_dependency_*{dependency="postgres"} of the periodic probe (admin/dependency_probe.hpp).
  DependencyProbeMetrics& dependencies() { return dependencies_; }

 private:
  using CounterKey = std::tuple<std::string, std::string, unsigned>;  // route, method, code
  prometheus::Counter& counter(std::string_view route, std::string_view method, unsigned code);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  DependencyProbeMetrics dependencies_;
  std::mutex mutex_;  // guards the maps (the prometheus objects are thread-safe themselves)
  std::map<CounterKey, prometheus::Counter*, std::less<>> counters_;
  std::map<std::string, prometheus::Histogram*, std::less<>> histograms_;
};

}  // namespace disparo::admin
