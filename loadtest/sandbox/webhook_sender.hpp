// WebhookSender: after an accepted send, POSTs Meta-shaped status webhooks (sent, delivered,
// read) to the dispatcher, each after a delay, signed with X-Hub-Signature-256 over the exact
// raw body (reference 1.12). A failed POST (connection error or non-2xx) is retried with
// doubling backoff, as Meta does; every attempt is recorded.
//
// One coroutine per message keeps its statuses in order. Use from the io_context's thread only;
// the coroutines share the sender's state, so they may outlive the WebhookSender object.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "adapters/http/client.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/recorder.hpp"

namespace disparo::sandbox {

// A message the simulator accepted, with what its status webhooks need.
struct AcceptedMessage {
  std::string wamid;
  std::string wa_id;  // recipient_id of the statuses
  std::string phone_number_id;
  std::string message_type;
  int api_major = 24;  // from the path's version: conversation objects only before v24
  std::optional<std::string> biz_opaque_callback_data;
};

// What the request handler needs from the webhook side (a fake in pure tests).
class StatusScheduler {
 public:
  virtual ~StatusScheduler() = default;
  virtual void schedule(AcceptedMessage message) = 0;
};

struct WebhookOptions {
  std::string url;  // http://host:port/path of the dispatcher's webhook endpoint
  std::string app_secret;
  std::string waba_id = "100000000000000";
  std::string display_phone_number = "5511900000000";
  std::chrono::milliseconds status_delay{100};  // before each of sent, delivered, read
  int max_retries = 4;                          // after the first attempt
  std::chrono::milliseconds retry_base{500};    // first backoff; doubles per retry
};

struct WebhookSenderState;  // shared with the coroutines; defined in the .cpp

class WebhookSender final : public StatusScheduler {
 public:
  // Throws std::invalid_argument when options.url is not an http:// URL (a start-up error).
  WebhookSender(asio::io_context& io, http::Client& client, Recorder& recorder, const Clock& clock,
                log::Logger& logger, WebhookOptions options);
  ~WebhookSender() override;
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void schedule(AcceptedMessage message) override;

  // Shutdown: from now on delays and backoffs are skipped and each pending status gets one
  // attempt. Completes when nothing is in flight (true) or after `bound` (false).
  asio::awaitable<bool> drain(std::chrono::milliseconds bound);

  std::size_t in_flight() const;

 private:
  std::shared_ptr<WebhookSenderState> state_;
};

}  // namespace disparo::sandbox
