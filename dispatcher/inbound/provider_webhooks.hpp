// ProviderWebhooks: the dispatcher's provider webhook endpoints and their processing.
//
//   POST /webhooks/cloud_api              X-Hub-Signature-256 over the raw body (app secret)
//   POST /webhooks/evolution/{session}    X-Disparo-Webhook-Secret = the session's secret
//   GET  /v1/sessions/{id}/qrcode         the last QR / pairing code Evolution sent (tenant-scoped)
//
// "Persist, then process": a POST is authenticated and checked to be well-formed, stored raw in
// provider_webhook_inbox (one INSERT), answered 200, and then applied on a worker. The webhooks
// stored while the previous ones were being applied are applied together, in one transaction
// (a batch of 1,000 statuses is one statement, not one round trip per status). A stored webhook
// that could not be applied (database down, crash) is retried by a sweeper, which hands a
// backlog to the applier a page at a time, so it too is applied in batches.
// Use from the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "adapters/http/message.hpp"
#include "common/log.hpp"
#include "dispatcher/batcher.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/metrics.hpp"
#include "dispatcher/provider_metrics.hpp"

namespace disparo::dispatch {

struct ProviderWebhookSettings {
  std::string cloud_api_app_secret;  // empty: Cloud API webhooks are refused (503)
  std::chrono::milliseconds sweep_interval{5'000};
  int retry_after_seconds = 10;  // a stored webhook still unapplied after this is retried
  std::size_t max_batch = 64;    // stored webhooks applied in one transaction, at most
};

struct AppliedWebhook;  // what applying one stored webhook did (provider_webhooks.cpp)

class ProviderWebhooks {
 public:
  ProviderWebhooks(asio::io_context& io, Database& db, DispatcherMetrics& metrics, ProviderMetrics& provider_metrics,
                   log::Logger& log, std::function<void()> refresh_sessions, ProviderWebhookSettings settings);
  ~ProviderWebhooks();

  asio::awaitable<http::Response> cloud_api_post(const http::Request& request);
  asio::awaitable<http::Response> evolution_post(const http::Request& request, std::string_view session_id);
  asio::awaitable<http::Response> qrcode(std::int64_t tenant_id, std::int64_t session_id);

  void start();  // the sweeper (retries, sessions-by-state gauge)
  void stop();

  // Applies one stored webhook (no-op when another worker has it or it is done). True when applied.
  asio::awaitable<bool> process(std::int64_t inbox_id);

 private:
  asio::awaitable<http::Response> store_and_ack(std::string_view provider, std::optional<std::int64_t> session_id,
                                                const std::string& body);
  // Applies stored webhooks together (see sweep()); true when every one was applied.
  asio::awaitable<bool> process_together(const std::vector<std::int64_t>& inbox_ids);
  asio::awaitable<void> sweep();

  asio::io_context& io_;
  Database& db_;
  DispatcherMetrics& metrics_;
  ProviderMetrics& provider_metrics_;
  log::Logger& log_;
  std::function<void()> refresh_sessions_;
  ProviderWebhookSettings settings_;
  asio::steady_timer sweep_timer_;
  std::unique_ptr<Batcher<std::int64_t, AppliedWebhook>> applier_;
  bool stopping_ = false;
};

}  // namespace disparo::dispatch
