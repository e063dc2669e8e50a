#include "dispatcher/retry_policy.hpp"

#include <algorithm>

namespace disparo::dispatch {
namespace {

std::string describe(const SendOutcome& outcome) {
  std::string reason = to_string(outcome.outcome);
  if (!outcome.error_code.empty()) reason += ": provider code " + outcome.error_code;
  if (!outcome.detail.empty()) reason += " (" + outcome.detail + ")";
  return reason;
}

// Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
std::chrono::milliseconds full_jitter(int attempt, const RetrySettings& settings,
                                      std::mt19937_64& random) {
  const int exponent = std::clamp(attempt - 1, 0, 20);
  const auto ceiling = std::min<long long>(settings.max_backoff.count(),
                                           settings.base_backoff.count() * (1LL << exponent));
  std::uniform_int_distribution<long long> pick(0, ceiling);
  return std::chrono::milliseconds(pick(random));
}

}  // namespace

AfterAttempt decide_after_attempt(const SendOutcome& outcome, int attempts_so_far,
                                  const RetrySettings& settings, std::mt19937_64& random) {
  using Action = AfterAttempt::Action;
  AfterAttempt decision;
  decision.reason = describe(outcome);
  switch (outcome.outcome) {
    case OutcomeClass::accepted:
      decision.action = Action::mark_sent;
      decision.reason.clear();
      break;
    case OutcomeClass::transient:
      if (attempts_so_far >= settings.max_attempts) {
        decision.action = Action::fail;
        decision.reason = "attempts exhausted after " + std::to_string(attempts_so_far) + ": " + decision.reason;
      } else {
        decision.action = Action::requeue;
        decision.delay = full_jitter(attempts_so_far, settings, random);
      }
      break;
    case OutcomeClass::slow_down:
      decision.action = Action::requeue;
      decision.delay = settings.slow_down_delay;
      decision.refund_attempt = true;
      break;
    case OutcomeClass::recipient_deferred:
      decision.action = Action::requeue;
      decision.delay = settings.recipient_delay;
      decision.refund_attempt = true;
      break;
    case OutcomeClass::pause_session:
      decision.action = Action::pause_session;
      decision.refund_attempt = true;
      break;
    case OutcomeClass::permanent:
    case OutcomeClass::config_error:
      decision.action = Action::fail;
      break;
    case OutcomeClass::unknown:
      decision.action = Action::await_webhook;
      break;
  }
  return decision;
}

}  // namespace disparo::dispatch
