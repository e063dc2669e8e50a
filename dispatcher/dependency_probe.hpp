// DependencyProber: the dispatcher's periodic PostgreSQL and Redis probes (SELECT 1 through the
// connection pool on a worker thread, PING through the Redis client), off the request path, each
// bounded by a timeout. Results go to DependencyProbeMetrics (disparo_dependency_*) and state
// changes to the log. The first round runs at start().
//
// Use from the io_context's thread only. stop() ends the loop (shutdown); a SELECT 1 that hangs
// past its timeout counts as a failure and finishes on its worker in the background: the next
// PostgreSQL probe is skipped (and counted as failed) until it returns, so a hung server never
// piles probes up on the workers.
#pragma once

#include <memory>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>

#include "adapters/postgres/pool.hpp"
#include "adapters/redis/redis.hpp"
#include "common/dependency_probe.hpp"
#include "common/log.hpp"

namespace disparo::dispatch {

class DependencyProber {
 public:
  // `redis` may be null: only PostgreSQL is probed then.
  DependencyProber(asio::io_context& io, pg::Pool& pool, asio::thread_pool& workers, redis::Client* redis,
                   DependencyProbeMetrics& metrics, log::Logger& log, ProbeSettings settings);
  DependencyProber(const DependencyProber&) = delete;
  DependencyProber& operator=(const DependencyProber&) = delete;

  void start();  // spawns the loop on `io`
  void stop();   // the loop ends after the probe in progress (if any)

  // One round (both probes) now; used by the loop and by tests.
  asio::awaitable<void> probe_all();

 private:
  struct PgProbe;  // shared with the worker that runs SELECT 1
  asio::awaitable<void> loop();
  asio::awaitable<bool> probe_postgres();
  asio::awaitable<bool> probe_redis();
  void report(const char* dependency, bool ok, std::chrono::steady_clock::duration took);

  asio::io_context& io_;
  pg::Pool& pool_;
  asio::thread_pool& workers_;
  redis::Client* redis_;
  DependencyProbeMetrics& metrics_;
  log::Logger& log_;
  ProbeSettings settings_;
  asio::steady_timer timer_;
  std::shared_ptr<PgProbe> pg_in_flight_;  // the last SELECT 1 started (finished or not)
  bool stopped_ = false;
};

}  // namespace disparo::dispatch
