#include "dispatcher/callbacks/callback_policy.hpp"

#include <algorithm>

namespace disparo::dispatch {

const char* to_string(CallbackResult result) noexcept {
  switch (result) {
    case CallbackResult::ok:
      return "ok";
    case CallbackResult::http_error:
      return "http_error";
    case CallbackResult::network_error:
      return "network_error";
    case CallbackResult::not_sent:
      return "not_sent";
  }
  return "unknown";
}

std::chrono::milliseconds callback_backoff_ceiling(int attempts,
                                                   const CallbackRetrySettings& settings) {
  const long long cap = std::max<long long>(0, settings.max_backoff.count());
  long long ceiling = std::max<long long>(0, settings.base_backoff.count());
  // Doubling stops at the cap, so no shift can overflow however many attempts were made.
  for (int i = 1; i < attempts && ceiling < cap; ++i) ceiling *= 2;
  return std::chrono::milliseconds(std::min(ceiling, cap));
}

CallbackDecision decide_after_callback(const CallbackAttemptOutcome& outcome, int attempts,
                                       const CallbackRetrySettings& settings,
                                       std::mt19937_64& random) {
  using Action = CallbackDecision::Action;
  CallbackDecision decision;
  if (outcome.result == CallbackResult::ok) {
    decision.action = Action::delivered;
    return decision;
  }
  const bool gone = outcome.result == CallbackResult::http_error && outcome.http_status == 410;
  if (gone || outcome.result == CallbackResult::not_sent || attempts >= settings.max_attempts) {
    decision.action = Action::fail;
    return decision;
  }
  decision.action = Action::retry;
  // Full jitter: uniform in [0, ceiling], so receivers coming back up are not hit in waves.
  const auto ceiling = callback_backoff_ceiling(attempts, settings);
  decision.delay = std::chrono::milliseconds(
      std::uniform_int_distribution<long long>(0, ceiling.count())(random));
  if (outcome.retry_after) {
    const auto asked = std::chrono::duration_cast<std::chrono::milliseconds>(*outcome.retry_after);
    decision.delay = std::min(std::max(decision.delay, asked), settings.max_backoff);
  }
  return decision;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;
  long long seconds = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

}  // namespace disparo::dispatch
