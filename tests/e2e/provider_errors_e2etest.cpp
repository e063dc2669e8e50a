// End to end, every provider outcome class injected through the sandbox (PUT /_sandbox/behaviour,
// scripted errors per recipient, a slow provider): what the dispatcher does with each, as seen
// in PostgreSQL (status, attempts, reason), in the sandbox's request log (how often it was
// asked) and through the session API (pause, resume).
#include <cstdlib>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/e2e/e2e_environment.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::test {
namespace {

using namespace std::chrono_literals;

// Short retry timings so each class plays out in seconds (the defaults are 2 s .. 5 min).
void fast_retries() {
  setenv("DISPARO_SENDER_RETRY_BASE_MS", "200", 1);
  setenv("DISPARO_SENDER_RETRY_MAX_MS", "400", 1);
  setenv("DISPARO_SENDER_SLOW_DOWN_MS", "600", 1);
  setenv("DISPARO_SENDER_RECIPIENT_DEFER_MS", "600", 1);
  setenv("DISPARO_SENDER_MAX_ATTEMPTS", "3", 1);
  setenv("DISPARO_SENDER_PROVIDER_TIMEOUT_MS", "1000", 1);
}

constexpr const char* kFastSession =
    "UPDATE whatsapp_sessions SET min_interval_ms = 0, jitter_ms = 0, burst = 10, daily_cap = 1000 "
    "WHERE name = 'principal';";

struct MessageRow {
  std::string status;
  std::int64_t attempts = 0;
  std::string reason;
};

MessageRow message_to(E2eEnvironment& env, const std::string& to) {
  auto conn = env.database().connect();
  auto rows = conn.exec("SELECT status, attempts, COALESCE(status_reason, '') FROM messages WHERE recipient = $1", {to});
  if (!rows || rows->size() != 1) throw std::runtime_error("no single message to " + to);
  return {std::string(rows->text(0, 0)), rows->int64(0, 1), std::string(rows->text(0, 2))};
}

bool has_event_reason(E2eEnvironment& env, const std::string& to, const std::string& needle) {
  auto conn = env.database().connect();
  auto rows = conn.exec(
      "SELECT count(*) FROM message_events e JOIN messages m ON m.id = e.message_id "
      "WHERE m.recipient = $1 AND (e.reason LIKE '%' || $2 || '%' OR e.detail->>'error_code' = $2)",
      {to, needle});
  return rows && rows->int64(0, 0) > 0;
}

// How many send requests the sandbox received for `to`.
int provider_requests_for(E2eEnvironment& env, const std::string& to) {
  const auto response = http_get(env.sandbox_port(), "/_sandbox/requests");
  if (response.status != 200) throw std::runtime_error("sandbox requests: " + response.body);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body);
  int count = 0;
  const std::string digits = to.substr(1);
  for (auto request : simdjson::dom::array(root["requests"])) {
    std::string_view body;
    if (request["body"].get(body) == simdjson::SUCCESS && body.find(digits) != std::string_view::npos) ++count;
  }
  return count;
}

void set_behaviour(E2eEnvironment& env, const std::string& document) {
  http::Request request;
  request.method = "PUT";
  request.target = "/_sandbox/behaviour";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = document;
  const auto response = http_call(env.sandbox_port(), std::move(request));
  if (response.status != 200) throw std::runtime_error("behaviour: " + std::to_string(response.status) + " " + response.body);
}

void send_to(E2eEnvironment& env, const std::map<std::string, std::string>& texts) {
  std::string body = R"({"messages":[)";
  bool first = true;
  for (const auto& [to, text] : texts) {
    if (!first) body += ',';
    first = false;
    body += R"({"to":")" + to + R"(","text":")" + text + R"("})";
  }
  body += "]}";
  const auto response = http_post_json(env.dispatcher_port(), "/v1/messages", body, env.api_key());
  if (response.status != 202) throw std::runtime_error("accept: " + response.body);
}

std::string session_id(E2eEnvironment& env) {
  auto conn = env.database().connect();
  auto rows = conn.exec("SELECT id::text FROM whatsapp_sessions WHERE name = 'principal'");
  if (!rows || rows->size() != 1) throw std::runtime_error("no demo session");
  return std::string(rows->text(0, 0));
}

bool status_is(E2eEnvironment& env, const std::string& to, std::initializer_list<const char*> statuses) {
  const auto row = message_to(env, to);
  for (const char* s : statuses) {
    if (row.status == s) return true;
  }
  return false;
}

const std::string kTransient = "+5511988880001";
const std::string kThroughput = "+5511988880002";
const std::string kPairLimit = "+5511988880003";
const std::string kNotOnWhatsApp = "+5511988880004";
const std::string kNoTemplate = "+5511988880005";
const std::string kAlwaysDown = "+5511988880006";
const std::string kHealthy = "+5511988880007";

TEST(ProviderErrors, EachClassIsRetriedDeferredOrFailedAsDocumented) {
  fast_retries();
  E2eEnvironment env(kFastSession);
  set_behaviour(env, R"({"scripted_errors":[
    {"to":")" + kTransient + R"(","code":131000,"times":1},
    {"to":")" + kThroughput + R"(","code":130429,"times":1},
    {"to":")" + kPairLimit + R"(","code":131056,"times":1},
    {"to":")" + kNotOnWhatsApp + R"(","code":131026,"times":0},
    {"to":")" + kNoTemplate + R"(","code":132001,"times":0},
    {"to":")" + kAlwaysDown + R"(","code":131016,"times":0}]})");
  send_to(env, {{kTransient, "t"}, {kThroughput, "s"}, {kPairLimit, "p"}, {kNotOnWhatsApp, "n"},
                {kNoTemplate, "c"}, {kAlwaysDown, "d"}, {kHealthy, "h"}});

  auto settled = [&] {
    return status_is(env, kTransient, {"sent", "delivered", "read"}) &&
           status_is(env, kThroughput, {"sent", "delivered", "read"}) &&
           status_is(env, kPairLimit, {"sent", "delivered", "read"}) && status_is(env, kNotOnWhatsApp, {"failed"}) &&
           status_is(env, kNoTemplate, {"failed"}) && status_is(env, kAlwaysDown, {"failed"}) &&
           status_is(env, kHealthy, {"sent", "delivered", "read"});
  };
  ASSERT_TRUE(eventually(settled, 30s, 50ms)) << env.logs();

  // transient: retried with backoff, spending an attempt
  EXPECT_EQ(message_to(env, kTransient).attempts, 2);
  EXPECT_EQ(provider_requests_for(env, kTransient), 2);
  EXPECT_TRUE(has_event_reason(env, kTransient, "131000"));
  // throughput: retried after the cool-down, the attempt refunded
  EXPECT_EQ(message_to(env, kThroughput).attempts, 1);
  EXPECT_EQ(provider_requests_for(env, kThroughput), 2);
  EXPECT_TRUE(has_event_reason(env, kThroughput, "130429"));
  // pair limit: only that recipient waited, the attempt refunded
  EXPECT_EQ(message_to(env, kPairLimit).attempts, 1);
  EXPECT_EQ(provider_requests_for(env, kPairLimit), 2);
  // permanent and configuration errors: failed at once, asked once, the code in the reason
  EXPECT_EQ(provider_requests_for(env, kNotOnWhatsApp), 1);
  EXPECT_NE(message_to(env, kNotOnWhatsApp).reason.find("131026"), std::string::npos) << message_to(env, kNotOnWhatsApp).reason;
  EXPECT_EQ(provider_requests_for(env, kNoTemplate), 1);
  EXPECT_NE(message_to(env, kNoTemplate).reason.find("132001"), std::string::npos) << message_to(env, kNoTemplate).reason;
  // a transient error that never ends: exactly max_attempts requests, then failed
  EXPECT_EQ(provider_requests_for(env, kAlwaysDown), 3);
  EXPECT_EQ(message_to(env, kAlwaysDown).attempts, 3);
  // and nobody else was held back
  EXPECT_EQ(provider_requests_for(env, kHealthy), 1);
  EXPECT_EQ(env.dispatcher().terminate(), 0) << env.logs();
}

TEST(ProviderErrors, AnAccountErrorPausesTheSessionUntilResumed) {
  fast_retries();
  E2eEnvironment env(kFastSession);
  const std::string locked = "+5511977770001";
  const std::string waiting = "+5511977770002";
  set_behaviour(env, R"({"scripted_errors":[{"to":")" + locked + R"(","code":131031,"times":1}]})");
  send_to(env, {{locked, "primeiro"}});
  const std::string session = session_id(env);
  auto paused = [&] {
    const auto state = http_get(env.dispatcher_port(), "/v1/sessions/" + session + "/state", env.api_key());
    return state.status == 200 && state.body.find("\"state\":\"paused\"") != std::string::npos;
  };
  ASSERT_TRUE(eventually(paused, 15s, 50ms)) << env.logs();
  const auto state = http_get(env.dispatcher_port(), "/v1/sessions/" + session + "/state", env.api_key());
  EXPECT_NE(state.body.find("131031"), std::string::npos) << state.body;  // the reason is visible
  EXPECT_EQ(message_to(env, locked).status, "queued");                   // the queue is kept
  {
    auto conn = env.database().connect();
    auto events = conn.exec("SELECT count(*) FROM session_events WHERE state = 'paused' AND session_id = $1::bigint",
                            {session});
    ASSERT_TRUE(events);
    EXPECT_EQ(events->int64(0, 0), 1);
  }
  // Nothing leaves a paused session.
  send_to(env, {{waiting, "segundo"}});
  std::this_thread::sleep_for(1500ms);  // a window in which a wrong implementation would send
  EXPECT_EQ(provider_requests_for(env, waiting), 0);
  EXPECT_EQ(provider_requests_for(env, locked), 1);

  const auto resumed = http_post_json(env.dispatcher_port(), "/v1/sessions/" + session + "/resume", "{}", env.api_key());
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  auto both_sent = [&] {
    return status_is(env, locked, {"sent", "delivered", "read"}) && status_is(env, waiting, {"sent", "delivered", "read"});
  };
  ASSERT_TRUE(eventually(both_sent, 15s, 50ms)) << env.logs();
  EXPECT_EQ(provider_requests_for(env, locked), 2);
  EXPECT_EQ(provider_requests_for(env, waiting), 1);
  EXPECT_EQ(env.dispatcher().terminate(), 0) << env.logs();
}

TEST(ProviderErrors, NoAnswerIsNeverResentAndTheStatusWebhookCompletesIt) {
  fast_retries();
  E2eEnvironment env(kFastSession);
  const std::string slow = "+5511966660001";
  // The provider answers after 2.5 s; the dispatcher gives up after 1 s, with the request written.
  // Its status webhooks come 4 s after the request.
  set_behaviour(env, R"({"latency_ms":{"min":2500,"max":2500},"webhooks":{"delay_ms":{"min":4000,"max":4000}}})");
  send_to(env, {{slow, "devagar"}});
  auto unknown = [&] {
    const auto row = message_to(env, slow);
    return row.status == "sending" && row.reason.rfind("outcome unknown", 0) == 0;
  };
  ASSERT_TRUE(eventually(unknown, 10s, 20ms)) << message_to(env, slow).status << " / " << message_to(env, slow).reason
                                              << "\n" << env.logs();
  // The provider did take it: its status webhooks find the message by our id (callback data).
  ASSERT_TRUE(eventually([&] { return status_is(env, slow, {"sent", "delivered", "read"}); }, 15s, 50ms)) << env.logs();
  EXPECT_EQ(provider_requests_for(env, slow), 1);  // at most once: never resent
  EXPECT_EQ(message_to(env, slow).attempts, 1);
  EXPECT_EQ(env.dispatcher().terminate(), 0) << env.logs();
}

}  // namespace
}  // namespace disparo::test
