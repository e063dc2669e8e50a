// SessionMetrics: per-session series appear with tenant/session labels, sends are counted by
// outcome class, and a deleted session's series disappear from the exposition.
#include <gtest/gtest.h>

#include <prometheus/text_serializer.h>

#include "dispatcher/session_metrics.hpp"

namespace disparo::dispatch {
namespace {

std::string exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST(SessionMetricsTest, SeriesCarryTenantAndSessionAndGoAwayWithTheSession) {
  prometheus::Registry registry;
  SessionMetrics metrics(registry);
  auto& series = metrics.series({7, 42});
  series.queue_marketing->Set(12);
  series.sent_today->Set(3);
  series.daily_cap->Set(100);
  metrics.count_send({7, 42}, OutcomeClass::accepted);
  metrics.count_send({7, 42}, OutcomeClass::accepted);
  metrics.count_send({7, 42}, OutcomeClass::slow_down);
  metrics.series({7, 43});
  metrics.set_sessions_by_state(1, 1);

  std::string text = exposition(registry);
  EXPECT_NE(text.find(R"(disparo_session_queue_depth{priority="marketing",session="42",tenant="7"} 12)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(disparo_session_sent_today{session="42",tenant="7"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(disparo_session_daily_cap{session="42",tenant="7"} 100)"), std::string::npos);
  EXPECT_NE(text.find(R"(disparo_session_sends_total{outcome="accepted",session="42",tenant="7"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(disparo_session_sends_total{outcome="slow_down",session="42",tenant="7"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(disparo_sessions{state="paused"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(disparo_session_window_open{session="43",tenant="7"} 1)"), std::string::npos);

  metrics.retain([](std::int64_t id) { return id == 43; });
  text = exposition(registry);
  EXPECT_EQ(text.find(R"(session="42")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(session="43")"), std::string::npos);
}

}  // namespace
}  // namespace disparo::dispatch
