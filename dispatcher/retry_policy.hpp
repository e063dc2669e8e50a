// RetryPolicy: what to do with a message after one provider attempt, as a pure decision.
//
// Transient errors retry with exponential backoff and full jitter up to max_attempts;
// throughput and pair-limit errors re-queue without spending an attempt; an unknown outcome
// (request written, no answer) is never retried blindly: the message waits for the provider's
// status webhook (it carries our id in biz_opaque_callback_data). Pure; thread-compatible.
#pragma once

#include <chrono>
#include <random>
#include <string>

#include "dispatcher/model/send_outcome.hpp"

namespace disparo::dispatch {

struct RetrySettings {
  int max_attempts = 5;
  std::chrono::milliseconds base_backoff{2'000};
  std::chrono::milliseconds max_backoff{300'000};
  std::chrono::milliseconds slow_down_delay{30'000};
  std::chrono::milliseconds recipient_delay{60'000};
};

struct AfterAttempt {
  enum class Action {
    mark_sent,       // provider accepted
    requeue,         // back to the queue at now + delay
    fail,            // terminal failure
    pause_session,   // stop the session; the message goes back to the queue untouched
    await_webhook,   // outcome unknown: leave it in "sending" for the status webhook
  };
  Action action = Action::fail;
  std::chrono::milliseconds delay{0};
  bool refund_attempt = false;  // rate-limit requeues do not spend an attempt
  std::string reason;           // stored in status_reason and the event
};

AfterAttempt decide_after_attempt(const SendOutcome& outcome, int attempts_so_far,
                                  const RetrySettings& settings, std::mt19937_64& random);

}  // namespace disparo::dispatch
