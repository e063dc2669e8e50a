// SubscriptionCheck: Meta's webhook verification handshake, played against the dispatcher.
//
// GET <webhook-url>?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<random>; the
// endpoint passes when it answers 200 with the challenge as the whole body (reference 1.12).
// At start-up the check runs in the background with retries, because the dispatcher may not be
// listening yet. Every attempt is recorded. Use from the io_context's thread only.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "adapters/http/client.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/recorder.hpp"

namespace disparo::sandbox {

struct SubscriptionOptions {
  std::string url;  // the webhook URL, as for WebhookSender
  std::string verify_token;
  int attempts = 5;                           // background attempts at start-up
  std::chrono::milliseconds retry_base{500};  // doubles per attempt
};

struct SubscriptionCheckState;  // shared with the coroutines; defined in the .cpp

class SubscriptionCheck {
 public:
  // Throws std::invalid_argument when options.url is not an http:// URL (a start-up error).
  SubscriptionCheck(asio::io_context& io, http::Client& client, Recorder& recorder,
                    const Clock& clock, log::Logger& logger, SubscriptionOptions options);
  ~SubscriptionCheck();
  SubscriptionCheck(const SubscriptionCheck&) = delete;
  SubscriptionCheck& operator=(const SubscriptionCheck&) = delete;

  // One handshake with a fresh challenge; the result is also recorded.
  asio::awaitable<SubscriptionAttempt> check_once(int attempt = 1);
  // Retries in a detached coroutine until verified or the attempts are used up.
  void start_background();

 private:
  std::shared_ptr<SubscriptionCheckState> state_;
};

}  // namespace disparo::sandbox
