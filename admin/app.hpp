// AdminApp: the admin service assembled — database pool, worker threads, routes, metrics and
// the HTTP listener — on a caller's io_context. Used by `disparo-admin serve` and, on port 0,
// by the in-process tests.
//
// Construct, start() and shut down on the io_context's thread (or before it runs); the
// io_context must be run by exactly one thread. The destructor waits for in-flight database
// work; destroy the app before the io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "adapters/postgres/pool.hpp"
#include "admin/api.hpp"
#include "admin/api_context.hpp"
#include "admin/dependency_probe.hpp"
#include "admin/http_server.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"
#include "config/config.hpp"

namespace disparo::admin {

class AdminApp {
 public:
  AdminApp(boost::asio::io_context& ioc, const config::AdminSettings& settings, log::Logger& log,
           std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10));
  ~AdminApp();
  AdminApp(const AdminApp&) = delete;
  AdminApp& operator=(const AdminApp&) = delete;

  // Binds the listener and starts accepting. `unavailable` when the address cannot be bound.
  Expected<void> start();
  std::uint16_t port() const { return server_.port(); }

  // Stage 1: /readyz turns 503, no new connections, busy ones finish. Stage 2 follows after
  // the grace period by itself, or at once with close_all().
  void shutdown();
  void close_all() { server_.close_all(); }
  void on_drained(std::function<void()> callback) { server_.on_drained(std::move(callback)); }

  Api& api() { return api_; }

 private:
  pg::Pool db_;
  boost::asio::thread_pool workers_;
  ApiContext ctx_;
  Api api_;
  HttpServer server_;
  DependencyProber prober_;  // disparo_dependency_up{dependency="postgres"}
};

}  // namespace disparo::admin
