// Api: the dispatcher's HTTP routes, as one function from Request to Response.
//
//   POST /v1/messages          accept one message or {"messages":[...]} (202 once committed)
//   GET  /v1/messages/{id}     current status and the whole event history
//   DELETE /v1/messages/{id}   cancel a message that has not started sending
//   GET  /v1/sessions/{id}/state            queue depth, sent today vs cap, what it waits for
//   POST /v1/sessions/{id}/pause | /resume  stop or restart a session's queue (kept)
//   GET  /webhooks/cloud_api   Meta's verification handshake (hub.challenge)
//   POST /webhooks/cloud_api   signed webhooks (X-Hub-Signature-256 over the raw body)
//   POST /webhooks/evolution/{session}  Evolution events (X-Disparo-Webhook-Secret)
//   GET  /v1/sessions/{id}/qrcode       the last QR / pairing code of an Evolution session
//   GET  /healthz, /readyz (PostgreSQL and Redis reachable), /metrics
// Errors are RFC 9457 problem+json. Runs on the io_context's thread; database work goes
// through Database::run.
#pragma once

#include <functional>
#include <string>

#include <asio/awaitable.hpp>

#include "adapters/http/message.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "dispatcher/auth.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/inbound/provider_webhooks.hpp"
#include "dispatcher/metrics.hpp"
#include "dispatcher/send_request.hpp"

namespace disparo::dispatch {

struct ApiSettings {
  std::string cloud_api_app_secret;   // empty: webhooks are refused (503)
  std::string cloud_api_verify_token;
  SendLimits limits{};
};

struct ApiDependencies {
  Database& db;
  KeyAuthenticator& auth;
  DispatcherMetrics& metrics;
  log::Logger& log;
  const Clock& clock;
  std::function<void(std::int64_t session_id)> wake_session;
  std::function<void()> refresh_sessions;  // a session was paused or resumed
  std::function<asio::awaitable<bool>()> redis_ready;  // PING within a deadline
  // Provider webhooks (Cloud API inbound/templates/quality, Evolution) and QR codes; when null,
  // POST /webhooks/cloud_api applies statuses inline as before.
  ProviderWebhooks* webhooks = nullptr;
};

class Api {
 public:
  Api(ApiDependencies deps, ApiSettings settings);

  asio::awaitable<http::Response> handle(http::Request request);

 private:
  asio::awaitable<http::Response> route(const http::Request& request, Route& matched);
  asio::awaitable<http::Response> post_messages(const http::Request& request);
  asio::awaitable<http::Response> get_message(const http::Request& request, std::string_view id);
  asio::awaitable<http::Response> cancel(const http::Request& request, std::string_view id);
  asio::awaitable<http::Response> session_route(const http::Request& request, std::string_view rest, Route& matched);
  http::Response verify_webhook(const http::Request& request) const;
  asio::awaitable<http::Response> post_webhook(const http::Request& request);
  asio::awaitable<http::Response> readyz();

  ApiDependencies deps_;
  ApiSettings settings_;
};

}  // namespace disparo::dispatch
