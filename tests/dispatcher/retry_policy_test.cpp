// decide_after_attempt: the action for every outcome class, full-jitter backoff bounds,
// exhaustion, and which requeues refund the attempt.
#include "dispatcher/retry_policy.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;
using Action = AfterAttempt::Action;

SendOutcome outcome_of(OutcomeClass c, std::string code = {}, std::string detail = {}) {
  SendOutcome outcome;
  outcome.outcome = c;
  outcome.error_code = std::move(code);
  outcome.detail = std::move(detail);
  return outcome;
}

AfterAttempt decide(OutcomeClass c, int attempts = 1, const RetrySettings& settings = {}) {
  std::mt19937_64 random(7);
  return decide_after_attempt(outcome_of(c, "131000", "boom"), attempts, settings, random);
}

TEST(RetryPolicy, AcceptedMarksSent) {
  const auto d = decide(OutcomeClass::accepted);
  EXPECT_EQ(d.action, Action::mark_sent);
  EXPECT_EQ(d.reason, "");
  EXPECT_FALSE(d.refund_attempt);
}

TEST(RetryPolicy, TransientRequeuesWithinBackoffAndSpendsTheAttempt) {
  RetrySettings settings;
  for (int attempt = 1; attempt < settings.max_attempts; ++attempt) {
    const auto d = decide(OutcomeClass::transient, attempt, settings);
    EXPECT_EQ(d.action, Action::requeue) << attempt;
    EXPECT_FALSE(d.refund_attempt);
    EXPECT_GE(d.delay, 0ms);
    EXPECT_LE(d.delay, settings.base_backoff * (1 << (attempt - 1))) << attempt;
    EXPECT_NE(d.reason.find("transient"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("131000"), std::string::npos) << d.reason;
  }
}

TEST(RetryPolicy, TransientFailsWhenAttemptsAreExhausted) {
  RetrySettings settings;
  settings.max_attempts = 3;
  EXPECT_EQ(decide(OutcomeClass::transient, 2, settings).action, Action::requeue);
  for (int attempts : {3, 4, 50}) {
    const auto d = decide(OutcomeClass::transient, attempts, settings);
    EXPECT_EQ(d.action, Action::fail) << attempts;
    EXPECT_NE(d.reason.find("exhausted"), std::string::npos) << d.reason;
  }
}

TEST(RetryPolicy, RateLimitsRefundTheAttempt) {
  RetrySettings settings;
  settings.slow_down_delay = 12s;
  settings.recipient_delay = 90s;
  // Refunded requeues never exhaust the attempts, however many there were.
  for (int attempts : {1, 5, 99}) {
    const auto slow = decide(OutcomeClass::slow_down, attempts, settings);
    EXPECT_EQ(slow.action, Action::requeue);
    EXPECT_EQ(slow.delay, 12s);
    EXPECT_TRUE(slow.refund_attempt);
    const auto pair = decide(OutcomeClass::recipient_deferred, attempts, settings);
    EXPECT_EQ(pair.action, Action::requeue);
    EXPECT_EQ(pair.delay, 90s);
    EXPECT_TRUE(pair.refund_attempt);
  }
}

TEST(RetryPolicy, PauseSessionKeepsTheMessage) {
  const auto d = decide(OutcomeClass::pause_session, 99);
  EXPECT_EQ(d.action, Action::pause_session);
  EXPECT_TRUE(d.refund_attempt);
  EXPECT_FALSE(d.reason.empty());
}

TEST(RetryPolicy, PermanentAndConfigErrorsFail) {
  for (auto c : {OutcomeClass::permanent, OutcomeClass::config_error}) {
    const auto d = decide(c, 1);
    EXPECT_EQ(d.action, Action::fail) << to_string(c);
    EXPECT_FALSE(d.refund_attempt);
    EXPECT_NE(d.reason.find(to_string(c)), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("boom"), std::string::npos) << d.reason;
  }
}

TEST(RetryPolicy, UnknownAwaitsTheWebhook) {
  for (int attempts : {1, 5, 6}) {
    const auto d = decide(OutcomeClass::unknown, attempts);
    EXPECT_EQ(d.action, Action::await_webhook);
    EXPECT_FALSE(d.reason.empty());
  }
}

TEST(RetryPolicy, JitterSpreadsOverTheWholeRange) {
  RetrySettings settings;
  settings.base_backoff = 1000ms;
  std::mt19937_64 random(42);
  std::chrono::milliseconds low = 1h, high = 0ms;
  for (int i = 0; i < 2000; ++i) {
    const auto d = decide_after_attempt(outcome_of(OutcomeClass::transient), 3, settings, random);
    low = std::min(low, d.delay);
    high = std::max(high, d.delay);
  }
  EXPECT_LE(high, 4000ms);
  EXPECT_GT(high, 3800ms);  // not a fixed delay
  EXPECT_LT(low, 200ms);    // full jitter starts near zero
}

RC_GTEST_PROP(RetryPolicyProperty, TransientBackoffIsBounded, (std::uint64_t seed)) {
  RetrySettings settings;
  settings.max_attempts = *rc::gen::inRange(1, 80);
  settings.base_backoff = std::chrono::milliseconds(*rc::gen::inRange(1, 10'000));
  settings.max_backoff = std::chrono::milliseconds(*rc::gen::inRange(1, 3'600'000));
  const int attempts = *rc::gen::inRange(1, 100);
  std::mt19937_64 random(seed);
  const auto d = decide_after_attempt(outcome_of(OutcomeClass::transient), attempts, settings, random);
  if (attempts >= settings.max_attempts) {
    RC_ASSERT(d.action == Action::fail);
    return;
  }
  RC_ASSERT(d.action == Action::requeue);
  RC_ASSERT(!d.refund_attempt);
  const long double exponential = static_cast<long double>(settings.base_backoff.count()) *
                                  std::pow(2.0L, attempts - 1);
  const long double ceiling = std::min<long double>(settings.max_backoff.count(), exponential);
  RC_ASSERT(d.delay.count() >= 0);
  RC_ASSERT(static_cast<long double>(d.delay.count()) <= ceiling);
}

}  // namespace
}  // namespace disparo::dispatch
