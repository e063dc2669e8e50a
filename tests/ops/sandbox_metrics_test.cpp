// The provider simulator's GET /metrics (loadtest/sandbox/sandbox_metrics.hpp), through the pure
// handler: requests counted by route class and status, scripted errors counted as injected,
// webhook attempts and finished webhooks counted from the Recorder, known series at 0 up front.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "loadtest/sandbox/sandbox_service.hpp"

namespace disparo::sandbox {
namespace {

constexpr const char* kToken = "EAAGtesttokentesttoken0001";
const std::string kTextBody =
    R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+5511999990001",)"
    R"("type":"text","text":{"body":"oi"}})";

struct NullScheduler final : StatusScheduler {
  void schedule(AcceptedMessage) override {}
};

class SandboxMetricsTest : public ::testing::Test {
 protected:
  SandboxMetricsTest()
      : sink_(std::fopen("/dev/null", "w")),
        clock_(SysTime(std::chrono::seconds(1'750'000'000))),
        logger_("sandbox-test", log::Level::error, sink_),
        engine_(default_behaviour(100), 1, clock_),
        service_(ServiceOptions{kToken}, recorder_, scheduler_, clock_, logger_, nullptr, &engine_) {}
  ~SandboxMetricsTest() override { std::fclose(sink_); }

  http::Response call(std::string method, std::string target, std::string body = {}) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::move(body);
    return service_.handle_now(r);
  }
  std::string metrics() {
    const http::Response r = call("GET", "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  }
  static bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
  }

  std::FILE* sink_;
  FakeClock clock_;
  log::Logger logger_;
  Recorder recorder_;
  NullScheduler scheduler_;
  BehaviourEngine engine_;
  SandboxService service_;
};

TEST_F(SandboxMetricsTest, KnownSeriesStartAtZeroWithTypes) {
  const std::string text = metrics();
  for (const char* line : {"# TYPE disparo_sandbox_http_requests_total counter",
                           "# TYPE disparo_sandbox_injected_errors_total counter",
                           "# TYPE disparo_sandbox_webhook_attempts_total counter",
                           "# TYPE disparo_sandbox_webhooks_total counter",
                           R"(disparo_sandbox_injected_errors_total{kind="scripted_error"} 0)",
                           R"(disparo_sandbox_injected_errors_total{kind="reset"} 0)",
                           R"(disparo_sandbox_webhooks_total{provider="cloud_api",result="failed"} 0)",
                           R"(disparo_sandbox_http_requests_total{route="cloud_api_messages",code="200"} 0)"}) {
    EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  }
  EXPECT_NE(text.find("process_resident_memory_bytes"), std::string::npos);
}

TEST_F(SandboxMetricsTest, CountsRequestsByRouteAndStatusAndScriptedErrors) {
  EXPECT_EQ(call("POST", "/v24.0/1/messages", kTextBody).status, 200);
  EXPECT_EQ(call("PUT", "/_sandbox/behaviour",
                 R"({"scripted_errors":[{"to":"+5511999990001","code":131026,"times":0}]})").status,
            200);
  EXPECT_EQ(call("POST", "/v24.0/1/messages", kTextBody).status, 400);
  EXPECT_EQ(call("POST", "/v24.0/1/messages", kTextBody).status, 400);
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  call("GET", "/no/such/thing");
  const std::string text = metrics();  // this scrape is counted after it is rendered
  for (const char* line : {R"(disparo_sandbox_http_requests_total{route="cloud_api_messages",code="200"} 1)",
                           R"(disparo_sandbox_http_requests_total{route="cloud_api_messages",code="400"} 2)",
                           R"(disparo_sandbox_http_requests_total{route="control",code="200"} 1)",
                           R"(disparo_sandbox_http_requests_total{route="healthz",code="200"} 1)",
                           R"(disparo_sandbox_injected_errors_total{kind="scripted_error"} 2)"}) {
    EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  }
  EXPECT_NE(text.find(R"(disparo_sandbox_http_requests_total{route="other",code=")"), std::string::npos) << text;
  EXPECT_TRUE(has_line(metrics(), R"(disparo_sandbox_http_requests_total{route="metrics",code="200"} 1)"));
  // DELETE /_sandbox/requests clears the recordings, never the counters.
  call("DELETE", "/_sandbox/requests");
  EXPECT_TRUE(has_line(metrics(), R"(disparo_sandbox_injected_errors_total{kind="scripted_error"} 2)"));
}

TEST_F(SandboxMetricsTest, CountsWebhookAttemptsAndFinishedWebhooks) {
  WebhookAttempt retried;
  retried.outcome = "unavailable";
  retried.final = false;
  recorder_.add_webhook(retried);
  WebhookAttempt delivered;
  delivered.attempt = 2;
  delivered.outcome = "delivered";
  recorder_.add_webhook(delivered);
  WebhookAttempt given_up;
  given_up.provider = "evolution";
  given_up.outcome = "http_error";
  recorder_.add_webhook(given_up);
  const std::string text = metrics();
  for (const char* line : {R"(disparo_sandbox_webhook_attempts_total{provider="cloud_api",outcome="unavailable"} 1)",
                           R"(disparo_sandbox_webhook_attempts_total{provider="cloud_api",outcome="delivered"} 1)",
                           R"(disparo_sandbox_webhook_attempts_total{provider="evolution",outcome="http_error"} 1)",
                           R"(disparo_sandbox_webhooks_total{provider="cloud_api",result="delivered"} 1)",
                           R"(disparo_sandbox_webhooks_total{provider="cloud_api",result="failed"} 0)",
                           R"(disparo_sandbox_webhooks_total{provider="evolution",result="failed"} 1)"}) {
    EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  }
}

TEST(SandboxRouteClass, BoundedLabels) {
  EXPECT_EQ(route_class("/v24.0/106540352242922/messages"), "cloud_api_messages");
  EXPECT_EQ(route_class("/message/sendText/inst"), "evolution");
  EXPECT_EQ(route_class("/_sandbox/requests"), "control");
  EXPECT_EQ(route_class("/healthz"), "healthz");
  EXPECT_EQ(route_class("/metrics"), "metrics");
  EXPECT_EQ(route_class("/v24.0/1/media"), "other");
}

}  // namespace
}  // namespace disparo::sandbox
