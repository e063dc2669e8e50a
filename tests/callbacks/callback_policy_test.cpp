// The callback retry policy: what each kind of answer leads to, the backoff ceilings, full jitter
// within them, Retry-After, and the printable excerpt kept in callback_attempts.error.
#include "dispatcher/callbacks/callback_policy.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "dispatcher/callbacks/callback_store.hpp"

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;
using Action = CallbackDecision::Action;

CallbackAttemptOutcome answered(int status) {
  CallbackAttemptOutcome outcome;
  outcome.result = status >= 200 && status < 300 ? CallbackResult::ok : CallbackResult::http_error;
  outcome.http_status = status;
  return outcome;
}

CallbackAttemptOutcome no_answer() {
  CallbackAttemptOutcome outcome;
  outcome.result = CallbackResult::network_error;
  outcome.error = "connect 127.0.0.1:1: Connection refused";
  return outcome;
}

class CallbackPolicyTest : public ::testing::Test {
 protected:
  CallbackDecision decide(const CallbackAttemptOutcome& outcome, int attempts) {
    return decide_after_callback(outcome, attempts, settings_, random_);
  }
  CallbackRetrySettings settings_{};
  std::mt19937_64 random_{42};
};

TEST_F(CallbackPolicyTest, AnyTwoHundredIsDelivered) {
  for (int status : {200, 201, 202, 204, 299}) {
    EXPECT_EQ(decide(answered(status), 1).action, Action::delivered) << status;
    EXPECT_EQ(decide(answered(status), settings_.max_attempts).action, Action::delivered);
  }
}

TEST_F(CallbackPolicyTest, GoneFailsAtOnce) {
  EXPECT_EQ(decide(answered(410), 1).action, Action::fail);
}

TEST_F(CallbackPolicyTest, AnAttemptThatCouldNotBeMadeFailsAtOnce) {
  CallbackAttemptOutcome outcome;
  outcome.result = CallbackResult::not_sent;
  outcome.error = "https callback URLs are not supported yet";
  EXPECT_EQ(decide(outcome, 1).action, Action::fail);
}

TEST_F(CallbackPolicyTest, OtherAnswersAndNetworkErrorsRetryUntilMaxAttempts) {
  for (int status : {301, 400, 401, 404, 408, 429, 500, 502, 503}) {
    const auto decision = decide(answered(status), 1);
    EXPECT_EQ(decision.action, Action::retry) << status;
    EXPECT_LE(decision.delay, settings_.base_backoff) << status;
  }
  EXPECT_EQ(decide(no_answer(), settings_.max_attempts - 1).action, Action::retry);
  EXPECT_EQ(decide(no_answer(), settings_.max_attempts).action, Action::fail);
  EXPECT_EQ(decide(answered(500), settings_.max_attempts).action, Action::fail);
}

TEST_F(CallbackPolicyTest, CeilingsDoubleFromTheBaseUpToTheCap) {
  EXPECT_EQ(callback_backoff_ceiling(1, settings_), 5s);
  EXPECT_EQ(callback_backoff_ceiling(2, settings_), 10s);
  EXPECT_EQ(callback_backoff_ceiling(3, settings_), 20s);
  EXPECT_EQ(callback_backoff_ceiling(10, settings_), 2560s);
  EXPECT_EQ(callback_backoff_ceiling(11, settings_), 1h);
  EXPECT_EQ(callback_backoff_ceiling(1000, settings_), 1h);
}

TEST_F(CallbackPolicyTest, DefaultScheduleSpansAboutADayAtMost) {
  std::chrono::milliseconds total{0};
  for (int attempts = 1; attempts < settings_.max_attempts; ++attempts) {
    total += callback_backoff_ceiling(attempts, settings_);
  }
  EXPECT_GT(total, 20h);
  EXPECT_LT(total, 30h);
}

TEST_F(CallbackPolicyTest, JitterSpreadsDelaysOverTheWholeRange) {
  std::chrono::milliseconds lowest = 1h;
  std::chrono::milliseconds highest = 0ms;
  for (int i = 0; i < 2000; ++i) {
    const auto delay = decide(no_answer(), 4).delay;  // ceiling 40 s
    ASSERT_GE(delay, 0ms);
    ASSERT_LE(delay, 40s);
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  EXPECT_LT(lowest, 4s);
  EXPECT_GT(highest, 36s);
}

TEST_F(CallbackPolicyTest, RetryAfterIsHonouredUpToTheCap) {
  auto busy = answered(429);
  busy.retry_after = 120s;
  const auto decision = decide(busy, 1);
  EXPECT_EQ(decision.action, Action::retry);
  EXPECT_EQ(decision.delay, 120s);
  busy.retry_after = std::chrono::seconds(24 * 3600);
  EXPECT_EQ(decide(busy, 1).delay, settings_.max_backoff);
}

TEST(CallbackRetryAfterTest, ParsesDelaySecondsOnly) {
  EXPECT_EQ(parse_retry_after("120"), 120s);
  EXPECT_EQ(parse_retry_after(" 0 "), 0s);
  EXPECT_EQ(parse_retry_after(""), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999"), std::nullopt);
}

TEST(CallbackResultTest, LabelsAreTheMetricValues) {
  EXPECT_STREQ(to_string(CallbackResult::ok), "ok");
  EXPECT_STREQ(to_string(CallbackResult::http_error), "http_error");
  EXPECT_STREQ(to_string(CallbackResult::network_error), "network_error");
  EXPECT_STREQ(to_string(CallbackResult::not_sent), "not_sent");
}

TEST(PrintableExcerptTest, KeepsPrintableAsciiWithinTheLimit) {
  EXPECT_EQ(printable_excerpt("HTTP 500: oops"), "HTTP 500: oops");
  EXPECT_EQ(printable_excerpt("a\nb\tc"), "a b c");
  EXPECT_EQ(printable_excerpt("caf\xc3\xa9\x01"), "caf???");
  EXPECT_EQ(printable_excerpt(std::string(1000, 'x'), 10), std::string(10, 'x'));
}

RC_GTEST_PROP(CallbackPolicyProperties, RetryDelayNeverExceedsItsCeiling, ()) {
  CallbackRetrySettings settings;
  std::mt19937_64 random(*rc::gen::arbitrary<std::uint64_t>());
  const int attempts = *rc::gen::inRange(1, settings.max_attempts);
  const int status = *rc::gen::inRange(300, 600);
  RC_PRE(status != 410);
  const auto decision = decide_after_callback(answered(status), attempts, settings, random);
  RC_ASSERT(decision.action == Action::retry);
  RC_ASSERT(decision.delay >= std::chrono::milliseconds(0));
  RC_ASSERT(decision.delay <= callback_backoff_ceiling(attempts, settings));
}

}  // namespace
}  // namespace disparo::dispatch
