// SandboxService: the simulator's request handler, a stand-in for graph.facebook.com.
//
// Routes POST /{version}/{phone_number_id}/messages (Cloud API send, reference 1.1-1.5), the
// /_sandbox/* inspection endpoints and /healthz. Handling is synchronous and socket-free apart
// from POST /_sandbox/subscribe: it records the request and hands accepted messages to a
// StatusScheduler, so tests drive handle_now() with a fake clock and a fake scheduler.
// Use from the io_context's thread only; must outlive the http::Server it serves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>

#include "adapters/http/message.hpp"
#include "adapters/http/server.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/cloud_api_wire.hpp"
#include "loadtest/sandbox/recorder.hpp"
#include "loadtest/sandbox/subscription_check.hpp"
#include "loadtest/sandbox/webhook_sender.hpp"

namespace disparo::sandbox {

struct ServiceOptions {
  std::string access_token;  // the one Bearer token the simulated Graph API accepts
};

class SandboxService {
 public:
  // `subscription` may be null (no --verify-token): POST /_sandbox/subscribe then answers 409.
  SandboxService(ServiceOptions options, Recorder& recorder, StatusScheduler& scheduler,
                 const Clock& clock, log::Logger& logger,
                 SubscriptionCheck* subscription = nullptr);

  // For http::Server; calls handle().
  http::Handler handler();
  asio::awaitable<http::Response> handle(http::Request request);
  // Every route but POST /_sandbox/subscribe.
  http::Response handle_now(const http::Request& request);

 private:
  http::Response provider_api(const http::Request& request, RecordedRequest& record);
  http::Response send_message(const http::Request& request, const MessagesPath& path,
                              RecordedRequest& record);
  http::Response sandbox_api(const http::Request& request);
  http::Response meta_error(const MetaError& error, RecordedRequest& record);
  bool authorized(const http::Request& request) const;
  std::string next_wamid(std::string_view wa_id);

  ServiceOptions options_;
  Recorder& recorder_;
  StatusScheduler& scheduler_;
  const Clock& clock_;
  log::Logger& logger_;
  SubscriptionCheck* subscription_;
  SendRequestValidator validator_;
  std::uint64_t sequence_ = 0;
};

}  // namespace disparo::sandbox
