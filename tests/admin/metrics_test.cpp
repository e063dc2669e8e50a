// Admin metrics: series exist before the first request, counters and histograms move. Pure.
#include "admin/metrics.hpp"

#include <gtest/gtest.h>

namespace disparo::admin {
namespace {

std::vector<RouteKey> routes() {
  return {{"/healthz", http::verb::get}, {"/v1/tenants", http::verb::post}};
}

TEST(AdminMetrics, SeriesExistUpFront) {
  AdminMetrics metrics(routes());
  auto text = metrics.exposition();
  EXPECT_NE(text.find("# TYPE disparo_admin_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE disparo_admin_http_request_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(text.find(R"(disparo_admin_http_requests_total{code="201",method="POST",route="/v1/tenants"} 0)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(disparo_admin_http_request_duration_seconds_count{route="/healthz"} 0)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(route="unmatched")"), std::string::npos);
}

TEST(AdminMetrics, RecordCountsAndObserves) {
  AdminMetrics metrics(routes());
  metrics.record("/v1/tenants", http::verb::post, 201, 0.003);
  metrics.record("/v1/tenants", http::verb::post, 201, 0.004);
  metrics.record("/v1/tenants", http::verb::post, 418, 0.001);  // a code not created up front
  metrics.record(kUnmatchedRoute, http::verb::get, 404, 0.0001);
  auto text = metrics.exposition();
  EXPECT_NE(text.find(R"(disparo_admin_http_requests_total{code="201",method="POST",route="/v1/tenants"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(disparo_admin_http_requests_total{code="418",method="POST",route="/v1/tenants"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(disparo_admin_http_requests_total{code="404",method="GET",route="unmatched"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(disparo_admin_http_request_duration_seconds_count{route="/v1/tenants"} 3)"),
            std::string::npos);
}

}  // namespace
}  // namespace disparo::admin
