#include "admin/metrics.hpp"

#include <array>

#include <prometheus/text_serializer.h>

#include "common/process_metrics.hpp"

namespace disparo::admin {
namespace {

// Codes the admin answers routinely; others get a series on first use.
constexpr std::array<unsigned, 11> kUsualCodes = {200, 201, 204, 400, 401, 403,
                                                  404, 409, 422, 500, 503};

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
  return buckets;
}

std::string_view method_label(boost::beast::http::verb method) {
  if (method == boost::beast::http::verb::unknown) return "OTHER";
  return boost::beast::http::to_string(method);
}

}  // namespace

AdminMetrics::AdminMetrics(const std::vector<RouteKey>& routes)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("disparo_admin_http_requests_total")
                    .Help("HTTP requests answered by the admin service, by route template, "
                          "method and status code.")
                    .Register(*registry_)),
      durations_(prometheus::BuildHistogram()
                     .Name("disparo_admin_http_request_duration_seconds")
                     .Help("Time from a complete request to its response being handed to the "
                           "socket, by route template.")
                     .Register(*registry_)),
      dependencies_(*registry_, std::vector<std::string>{"postgres"}) {
  auto add_route = [&](const std::string& route) {
    if (histograms_.count(route) == 0) {
      histograms_.emplace(route, &durations_.Add({{"route", route}}, duration_buckets()));
    }
  };
  for (const auto& key : routes) {
    add_route(key.path_template);
    for (unsigned code : kUsualCodes) counter(key.path_template, method_label(key.method), code);
  }
  add_route(std::string(kUnmatchedRoute));
  counter(kUnmatchedRoute, "GET", 404);
}

prometheus::Counter& AdminMetrics::counter(std::string_view route, std::string_view method,
                                           unsigned code) {
  // Heterogeneous lookup: the hot path allocates nothing.
  auto found = counters_.find(std::make_tuple(route, method, code));
  if (found != counters_.end()) return *found->second;
  CounterKey key{std::string(route), std::string(method), code};
  auto& series = requests_.Add({{"route", std::get<0>(key)},
                                {"method", std::get<1>(key)},
                                {"code", std::to_string(code)}});
  counters_.emplace(std::move(key), &series);
  return series;
}

void AdminMetrics::record(std::string_view route, boost::beast::http::verb method, unsigned status,
                          double seconds) {
  std::lock_guard lock(mutex_);
  counter(route, method_label(method), status).Increment();
  auto histogram = histograms_.find(route);
  if (histogram == histograms_.end()) histogram = histograms_.find(kUnmatchedRoute);
  histogram->second->Observe(seconds);
}

std::string AdminMetrics::exposition() const {
  return prometheus::TextSerializer{}.Serialize(registry_->Collect()) + process_metrics_text();
}

}  // namespace disparo::admin
