#include "common/prometheus_text.hpp"

#include <gtest/gtest.h>

namespace disparo {
namespace {

constexpr std::string_view kExposition =
    "# HELP disparo_sent_total Messages sent.\n"
    "# TYPE disparo_sent_total counter\n"
    "disparo_sent_total{provider=\"cloud_api\"} 7\n"
    "disparo_sent_total{provider=\"evolution\"} 3\n"
    "disparo_sent_total_extra 100\n"
    "disparo_webhook_inbox_failures_total 2\n"
    "disparo_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/sessions/{id}/state\"} 5\n"
    "disparo_http_request_duration_seconds_count{method=\"GET\",route=\"/metrics\"} 4 1700000000000\n"
    "disparo_session_hold{reason=\"daily cap } reached\"} 1\n"
    "disparo_bucket{le=\"+Inf\"} +Inf\n"
    "disparo_garbage{a=\"b\"} twelve\n";

TEST(MetricSum, AddsEverySampleOfTheFamilyAndOnlyThatFamily) {
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_sent_total"), 10);
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_webhook_inbox_failures_total"), 2);
}

TEST(MetricSum, FiltersByLabelsEvenWhenLabelValuesHoldBracesSpacesOrATimestampFollows) {
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_sent_total", "provider=\"evolution\""), 3);
  EXPECT_DOUBLE_EQ(
      metric_sum(kExposition, "disparo_http_request_duration_seconds_count", "route=\"/v1/sessions/{id}/state\""), 5);
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_http_request_duration_seconds_count", "route=\"/metrics\""), 4);
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_session_hold", "reason=\"daily cap } reached\""), 1);
  // A label filter never matches a sample without labels.
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_webhook_inbox_failures_total", "x=\"y\""), -1);
}

TEST(MetricSum, IsMinusOneWhenNothingParsableMatches) {
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_absent_total"), -1);
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_sent"), -1);  // a prefix is not a family
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_bucket"), -1);
  EXPECT_DOUBLE_EQ(metric_sum(kExposition, "disparo_garbage"), -1);
  EXPECT_DOUBLE_EQ(metric_sum("", "disparo_sent_total"), -1);
  EXPECT_DOUBLE_EQ(metric_sum("disparo_sent_total", "disparo_sent_total"), -1);  // no value
}

}  // namespace
}  // namespace disparo
