// CallbackPolicy: what happens to a status-callback delivery after one attempt, as a pure
// decision (the callback counterpart of retry_policy.hpp).
//
// 2xx: delivered. 410 Gone: the receiver says the endpoint is gone, failed at once. An attempt
// that could not be made (unsupported or invalid URL, invalid secret) cannot succeed by waiting:
// failed at once. Anything else (other statuses, network errors, timeouts) retries with
// exponential backoff and full jitter until max_attempts, then failed. A Retry-After on 429/503
// is honoured (up to the cap). Pure; thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>

namespace disparo::dispatch {

enum class CallbackResult {
  ok,             // a 2xx answer
  http_error,     // any other answer
  network_error,  // no answer: connect failure, reset, timeout, unreadable response
  not_sent,       // not attempted: the URL or the secret cannot work
};
const char* to_string(CallbackResult result) noexcept;

struct CallbackAttemptOutcome {
  CallbackResult result = CallbackResult::network_error;
  int http_status = 0;                              // when an answer came
  std::string error;                                // for people: why it did not succeed
  std::chrono::milliseconds duration{0};            // of the HTTP exchange
  std::optional<std::chrono::seconds> retry_after;  // from a 429/503 answer
};

// The defaults retry from 5 s up to 1 h apart; with full jitter the delays average half of
// their ceiling, so 36 attempts span about 13 h on average and at most about 26 h.
struct CallbackRetrySettings {
  int max_attempts = 36;
  std::chrono::milliseconds base_backoff{5'000};
  std::chrono::milliseconds max_backoff{3'600'000};
};

struct CallbackDecision {
  enum class Action { delivered, retry, fail };
  Action action = Action::fail;
  std::chrono::milliseconds delay{0};  // retry: from now
};

// `attempts` counts the attempt just made (1 after the first).
CallbackDecision decide_after_callback(const CallbackAttemptOutcome& outcome, int attempts,
                                       const CallbackRetrySettings& settings,
                                       std::mt19937_64& random);

// Delay ceiling before attempt `attempts + 1`: min(max_backoff, base_backoff * 2^(attempts-1)).
std::chrono::milliseconds callback_backoff_ceiling(int attempts,
                                                   const CallbackRetrySettings& settings);

// "120" -> 120 s; nullopt for anything else (HTTP dates are not worth the parser here).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace disparo::dispatch
