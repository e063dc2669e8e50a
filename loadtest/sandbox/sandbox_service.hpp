// SandboxService: the simulator's request handler, a stand-in for graph.facebook.com and for an
// Evolution API server, on one port.
//
// Routes POST /{version}/{phone_number_id}/messages (Cloud API send, reference 1.1-1.5), the
// Evolution routes (EvolutionApi), the /_sandbox/* control and inspection endpoints, /healthz and
// /metrics (SandboxMetrics, Prometheus text).
// Handling is synchronous and socket-free apart from POST /_sandbox/subscribe and the answer
// delays (latency_ms, Evolution `delay`), which handle() waits on a timer: handle_now() answers
// at once, so tests drive it with a fake clock and a fake scheduler.
// Use from the io_context's thread only; must outlive the http::Server it serves.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>

#include "adapters/http/message.hpp"
#include "adapters/http/server.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/behaviour_engine.hpp"
#include "loadtest/sandbox/cloud_api_wire.hpp"
#include "loadtest/sandbox/evolution_api.hpp"
#include "loadtest/sandbox/recorder.hpp"
#include "loadtest/sandbox/subscription_check.hpp"
#include "loadtest/sandbox/webhook_sender.hpp"

namespace disparo::sandbox {

struct ServiceOptions {
  std::string access_token;  // the one Bearer token the simulated Graph API accepts
  std::string waba_id = "100000000000000";
  std::string display_phone_number = "5511900000000";
  EvolutionOptions evolution{};
};

class SandboxService {
 public:
  // `subscription` may be null (no --verify-token): POST /_sandbox/subscribe then answers 409.
  // `engine` may be null: the service then keeps a default-behaviour engine of its own.
  SandboxService(ServiceOptions options, Recorder& recorder, StatusScheduler& scheduler,
                 const Clock& clock, log::Logger& logger,
                 SubscriptionCheck* subscription = nullptr, BehaviourEngine* engine = nullptr);
  ~SandboxService();

  // For http::Server; calls handle().
  http::Handler handler();
  asio::awaitable<http::Response> handle(http::Request request);
  // Every route but POST /_sandbox/subscribe, answered at once (delays are in answer()).
  http::Response handle_now(const http::Request& request);
  Answer answer(const http::Request& request);  // counts it in recorder.metrics()

  BehaviourEngine& engine() { return *engine_; }

 private:
  Answer route(const http::Request& request);
  Answer provider_api(const http::Request& request, RecordedRequest& record);
  http::Response send_message(const http::Request& request, const MessagesPath& path,
                              RecordedRequest& record);
  http::Response sandbox_api(const http::Request& request);
  http::Response behaviour_route(const http::Request& request);
  http::Response inbound_route(const http::Request& request);
  http::Response template_status_route(const http::Request& request);
  http::Response quality_route(const http::Request& request);
  http::Response meta_error(const MetaError& error, RecordedRequest& record);
  bool authorized(const http::Request& request) const;
  std::string next_wamid(std::string_view wa_id);
  bool custom_webhooks_plan() const;

  ServiceOptions options_;
  Recorder& recorder_;
  StatusScheduler& scheduler_;
  const Clock& clock_;
  log::Logger& logger_;
  SubscriptionCheck* subscription_;
  std::unique_ptr<BehaviourEngine> own_engine_;
  BehaviourEngine* engine_;
  SendRequestValidator validator_;
  std::unique_ptr<EvolutionApi> evolution_;
  std::string process_token_;
  std::uint64_t sequence_ = 0;
};

}  // namespace disparo::sandbox
