#include "dispatcher/app.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>

#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/thread_pool.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "adapters/postgres/pool.hpp"
#include "adapters/redis/redis.hpp"
#include "adapters/whatsapp/cloud_api_provider.hpp"
#include "adapters/whatsapp/evolution_provider.hpp"
#include "dispatcher/api.hpp"
#include "dispatcher/auth.hpp"
#include "dispatcher/callbacks/callback_sender.hpp"
#include "dispatcher/campaigns/campaign_scheduler.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/dependency_probe.hpp"
#include "dispatcher/inbound/provider_webhooks.hpp"
#include "dispatcher/loop_lag_probe.hpp"
#include "dispatcher/provider_metrics.hpp"
#include "dispatcher/metrics.hpp"
#include "dispatcher/sender.hpp"

#ifndef DISPARO_VERSION
#define DISPARO_VERSION "dev"
#endif

namespace disparo::dispatch {

namespace {

http::ServerOptions server_options(const config::DispatcherSettings& settings) {
  http::ServerOptions options;
  options.host = settings.http.host;
  options.port = settings.http.port;
  options.limits.body_bytes = settings.http.max_body_bytes;
  options.read_timeout = settings.http.read_timeout;
  return options;
}

// Stable across restarts (host and port), so a restarted process takes its sessions' leases
// back at once instead of waiting for them to expire.
std::string instance_name(const config::DispatcherSettings& settings) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  return std::string(host) + ":" + std::to_string(settings.http.port);
}

redis::Options redis_options(const config::Redis& settings) {
  redis::Options options;
  options.host = settings.host;
  options.port = settings.port;
  options.password = settings.password;
  return options;
}

RetrySettings retry_settings(const config::DispatcherSettings& s) {
  return RetrySettings{.max_attempts = s.max_attempts,
                       .base_backoff = s.retry_base,
                       .max_backoff = std::max(s.retry_max, s.retry_base),
                       .slow_down_delay = s.slow_down,
                       .recipient_delay = s.recipient_defer};
}

}  // namespace

struct DispatcherApp::Parts {
  Parts(config::DispatcherSettings s, log::Logger& logger)
      : settings(std::move(s)),
        log(logger),
        workers(settings.database.pool_size),
        pool(settings.database.url, settings.database.pool_size),
        db(pool, workers),
        metrics(DISPARO_VERSION),
        auth(db, clock),
        // As many idle keep-alive connections as sends may be in flight: with fewer, every burst
        // closed the surplus and the next one connected again (and would pay a TLS handshake each).
        http_client(io, http::ClientOptions{.connect_timeout = std::chrono::milliseconds(3'000),
                                            .request_timeout = settings.provider_timeout,
                                            .max_idle_per_host = settings.max_in_flight,
                                            .ca_file = settings.provider_ca_file}),
        cloud_api(http_client),
        evolution(http_client),
        providers(cloud_api, evolution),
        sender(io, db, providers, metrics, log, clock,
               SenderSettings{.runner = RunnerSettings{.poll_interval = settings.poll_interval,
                                                       .claim_ahead = settings.claim_ahead,
                                                       .retry = retry_settings(settings)},
                              .db = SessionDbSettings{.instance = instance_name(settings), .lease_ttl = settings.lease_ttl},
                              .unknown_outcome_after = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::max<std::chrono::milliseconds>(settings.unknown_outcome, std::chrono::seconds(1))),
                              .max_in_flight = settings.max_in_flight}),
        // Callbacks get their own client: CRM endpoints have their own timeouts and idle pools.
        callback_client(io, http::ClientOptions{.connect_timeout = std::chrono::milliseconds(3'000),
                                                .request_timeout = std::chrono::milliseconds(10'000)}),
        callbacks(io, db, callback_client, metrics, log, clock, CallbackSenderSettings{}),
        redis(io, redis_options(settings.redis)),
        provider_metrics(metrics.registry()),
        webhooks(io, db, metrics, provider_metrics, log, [this]() { sender.refresh_soon(); },
                 ProviderWebhookSettings{.cloud_api_app_secret = settings.cloud_api_app_secret}),
        api(ApiDependencies{.db = db,
                            .auth = auth,
                            .metrics = metrics,
                            .log = log,
                            .clock = clock,
                            .wake_session = [this](std::int64_t id) { sender.wake(id); },
                            .refresh_sessions = [this]() { sender.refresh_soon(); },
                            .redis_ready = [this]() { return redis_ping(); },
                            .webhooks = &webhooks},
            ApiSettings{.cloud_api_app_secret = settings.cloud_api_app_secret,
                        .cloud_api_verify_token = settings.cloud_api_verify_token,
                        .limits = SendLimits{.max_batch = settings.max_batch}}),
        server(io, server_options(settings), [this](http::Request request) { return api.handle(std::move(request)); }),
        campaign_metrics(metrics.registry()),
        campaign_scheduler(io, db, campaign_metrics, log, clock,
                  CampaignSchedulerSettings{
                      .tick = settings.campaigns_tick,
                      .tick_settings = CampaignTickSettings{
                          .catch_up = settings.campaigns_catch_up,
                          .expansion = disparo::campaigns::ExpansionSettings{.catch_up = settings.campaigns_catch_up}}},
                  [this](std::int64_t session) { sender.wake(session); }),
        prober(io, pool, workers, &redis, metrics.dependencies, log,
               ProbeSettings{.interval = settings.metrics.dependency_probe_interval,
                             .timeout = settings.metrics.dependency_probe_timeout}),
        loop_lag(io, metrics.registry()),
        signals(io, SIGINT, SIGTERM) {}

  asio::awaitable<bool> redis_ping() {
    std::vector<std::string> ping{std::string("PING")};  // gcc 12: no braced list across co_await
    auto reply = co_await redis.command(std::move(ping));
    co_return reply && reply->type == redis::Reply::Type::status && reply->text == "PONG";
  }

  asio::awaitable<void> shutdown() {
    if (stopping) co_return;
    stopping = true;
    log.info("shutdown_started", {{"grace_ms", static_cast<std::int64_t>(settings.shutdown_grace.count())}});
    const auto grace_ends = std::chrono::steady_clock::now() + settings.shutdown_grace;
    server.stop();  // stage 1: no new requests
    webhooks.stop();
    co_await campaign_scheduler.stop(settings.shutdown_grace);  // a tick in flight commits or rolls back
    prober.stop();
    loop_lag.stop();
    const bool clean = co_await sender.stop(settings.shutdown_grace);  // stage 2: in-flight sends
    // Callback POSTs ran meanwhile; what is still in flight gets the rest of the grace (an
    // unfinished one is due again when its lease ends).
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        grace_ends - std::chrono::steady_clock::now());
    const bool callbacks_clean = co_await callbacks.stop(std::max(left, std::chrono::milliseconds(0)));
    callback_client.close_idle();
    http_client.close_idle();
    redis.close();
    signals.cancel();
    log.info("shutdown_finished", {{"clean", clean && callbacks_clean}});
    io.stop();
  }

  config::DispatcherSettings settings;
  log::Logger& log;
  asio::io_context io{1};
  asio::thread_pool workers;
  pg::Pool pool;
  Database db;
  SystemClock clock;
  DispatcherMetrics metrics;
  KeyAuthenticator auth;
  http::Client http_client;
  whatsapp::CloudApiProvider cloud_api;
  whatsapp::EvolutionProvider evolution;
  whatsapp::ProviderSwitch providers;  // picks cloud_api or evolution by the session's provider
  Sender sender;
  http::Client callback_client;
  CallbackSender callbacks;
  redis::Client redis;
  ProviderMetrics provider_metrics;
  ProviderWebhooks webhooks;
  Api api;
  http::Server server;
  CampaignMetrics campaign_metrics;
  CampaignScheduler campaign_scheduler;
  DependencyProber prober;  // after redis and the pool: it uses both
  LoopLagProbe loop_lag;
  asio::signal_set signals;
  bool stopping = false;
};

DispatcherApp::DispatcherApp(config::DispatcherSettings settings, log::Logger& log)
    : parts_(std::make_unique<Parts>(std::move(settings), log)) {}

DispatcherApp::~DispatcherApp() {
  parts_->workers.join();
}

void DispatcherApp::start() {
  Parts& p = *parts_;
  p.server.start();
  p.sender.start();
  p.callbacks.start();
  p.webhooks.start();
  if (p.settings.campaigns_enabled) p.campaign_scheduler.start();
  p.prober.start();
  p.loop_lag.start();
  asio::co_spawn(p.io, [&p]() -> asio::awaitable<void> {
    auto connected = co_await p.redis.connect();
    if (!connected) p.log.warn("redis_unreachable", {{"error", connected.error().message}});
  }, asio::detached);
  p.signals.async_wait([&p](const std::error_code& error, int signal) {
    if (error) return;
    p.log.info("signal_received", {{"signal", signal}});
    asio::co_spawn(p.io, p.shutdown(), asio::detached);
  });
  p.log.info("dispatcher_listening", {{"host", p.settings.http.host}, {"port", static_cast<int>(p.server.port())}});
}

unsigned short DispatcherApp::port() const { return parts_->server.port(); }

void DispatcherApp::run() { parts_->io.run(); }

void DispatcherApp::request_stop() {
  Parts& p = *parts_;
  asio::post(p.io, [&p] { asio::co_spawn(p.io, p.shutdown(), asio::detached); });
}

}  // namespace disparo::dispatch
