#include "admin/app.hpp"

#include <algorithm>

namespace disparo::admin {
namespace {

ServerOptions server_options(const config::HttpListen& http, std::chrono::milliseconds grace) {
  ServerOptions options;
  options.host = http.host;
  options.port = http.port;
  options.max_body_bytes = http.max_body_bytes;
  options.read_timeout = http.read_timeout;
  options.write_timeout = http.read_timeout;
  options.shutdown_grace = grace;
  return options;
}

}  // namespace

AdminApp::AdminApp(boost::asio::io_context& ioc, const config::AdminSettings& settings,
                   log::Logger& log, std::chrono::milliseconds shutdown_grace)
    : db_(settings.database.url, std::max<std::size_t>(1, settings.database.pool_size)),
      // One worker per pooled connection: a worker never waits for a connection another worker
      // could not give back.
      workers_(std::max<std::size_t>(1, settings.database.pool_size)),
      ctx_{db_, workers_, log, settings.master_key},
      api_(ctx_),
      server_(ioc.get_executor(), server_options(settings.http, shutdown_grace),
              [this](Request& request) { return api_.handle(request); }, log),
      prober_(ioc.get_executor(), db_, workers_, ctx_.metrics->dependencies(), log,
              ProbeSettings{.interval = settings.metrics.dependency_probe_interval,
                            .timeout = settings.metrics.dependency_probe_timeout}) {}

AdminApp::~AdminApp() {
  // Work already queued (a straggling /readyz probe) finishes; its answer is dropped.
  workers_.join();
}

Expected<void> AdminApp::start() {
  if (auto listening = server_.listen(); !listening) return listening;
  server_.start();
  prober_.start();
  return {};
}

void AdminApp::shutdown() {
  ctx_.draining = true;
  prober_.stop();
  server_.shutdown();
}

}  // namespace disparo::admin
