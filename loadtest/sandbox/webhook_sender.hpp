// WebhookSender: every webhook the simulator POSTs.
//
// - Status webhooks of accepted messages, per the message's plan (BehaviourEngine): Cloud API
//   statuses signed with X-Hub-Signature-256 over the exact raw body (reference 1.12), batched
//   up to `batch_max` statuses per POST; Evolution `messages.update` events (reference 2.5).
// - One-off events (inbound messages, template status, quality, connection.update,
//   qrcode.updated, send.message) via post_event().
// A failed POST (connection error or non-2xx) is retried with doubling backoff; every attempt is
// recorded. One coroutine per message keeps its statuses in plan order: a status is posted only
// after the previous one was (the delay counts from there).
//
// Use from the io_context's thread only; the coroutines share the sender's state, so they may
// outlive the WebhookSender object.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "adapters/http/client.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/behaviour_engine.hpp"
#include "loadtest/sandbox/recorder.hpp"

namespace disparo::sandbox {

// Where and how an Evolution instance's webhooks go (POST /webhook/set or the default URL).
struct EvolutionTarget {
  std::string instance;
  std::string instance_id;  // data.instanceId
  std::string url;          // empty = webhooks disabled for this instance
  http::Headers headers;    // custom headers of /webhook/set
  std::string apikey;       // envelope "apikey"
  std::string server_url;   // envelope "server_url"
  std::string sender;       // envelope "sender": the instance owner's JID
};

// A message the simulator accepted, with what its status webhooks need.
struct AcceptedMessage {
  std::string wamid;  // Cloud API wamid, or Evolution key.id
  std::string wa_id;  // recipient_id of the statuses (Evolution: the remoteJid)
  std::string phone_number_id;
  std::string message_type;
  int api_major = 24;  // from the path's version: conversation objects only before v24
  std::optional<std::string> biz_opaque_callback_data;
  // nullopt: sent, delivered, read, each after WebhookOptions::status_delay (the defaults).
  std::optional<std::vector<PlannedStatus>> plan;
  int batch_max = 1;                       // Cloud API statuses per POST
  std::chrono::milliseconds start_delay{0};  // before the plan starts (Evolution `delay`)
  std::optional<EvolutionTarget> evolution;  // set: an Evolution message (messages.update)
};

// A webhook that is not a message status: posted once (with retries) right away.
struct WebhookEvent {
  std::string provider = "cloud_api";  // "cloud_api" (signed, default URL) | "evolution"
  std::string event;                   // recorded: "messages", "connection.update", ...
  std::string url;                     // empty = the Cloud API webhook URL
  http::Headers headers;               // extra headers
  std::string body;
  std::string wamid;  // recorded; may be empty
  std::chrono::milliseconds delay{0};  // before the first attempt
};

// What the request handler needs from the webhook side (a fake in pure tests).
class StatusScheduler {
 public:
  virtual ~StatusScheduler() = default;
  virtual void schedule(AcceptedMessage message) = 0;
  virtual void post_event(WebhookEvent /*event*/) {}
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
  void post_event(WebhookEvent event) override;

  // Shutdown: from now on delays and backoffs are skipped and each pending status gets one
  // attempt. Completes when nothing is in flight (true) or after `bound` (false).
  asio::awaitable<bool> drain(std::chrono::milliseconds bound);

  std::size_t in_flight() const;

 private:
  std::shared_ptr<WebhookSenderState> state_;
};

}  // namespace disparo::sandbox
