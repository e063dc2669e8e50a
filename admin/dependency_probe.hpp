// DependencyProber: the admin's periodic PostgreSQL probe (SELECT 1 through the pool on a worker
// thread, bounded by a timeout), off the request path. Results go to DependencyProbeMetrics
// (disparo_dependency_*{dependency="postgres"}) and state changes to the log. The first probe
// runs at start().
//
// Use from the io_context's thread only. stop() ends the loop (AdminApp::shutdown), so the
// io_context runs out of work when the server drained. A SELECT 1 that hangs past the timeout
// counts as a failure and finishes on its worker in the background; no new probe starts on the
// workers until it returned (those rounds count as failed).
#pragma once

#include <atomic>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "adapters/postgres/pool.hpp"
#include "common/dependency_probe.hpp"
#include "common/log.hpp"

namespace disparo::admin {

class DependencyProber {
 public:
  DependencyProber(boost::asio::any_io_executor executor, pg::Pool& db, boost::asio::thread_pool& workers,
                   DependencyProbeMetrics& metrics, log::Logger& log, ProbeSettings settings);
  DependencyProber(const DependencyProber&) = delete;
  DependencyProber& operator=(const DependencyProber&) = delete;

  void start();  // spawns the loop on the executor
  void stop();   // the loop ends after the probe in progress (if any)

  // One probe now; used by the loop and by tests.
  boost::asio::awaitable<void> probe_once();

 private:
  boost::asio::awaitable<void> loop();

  boost::asio::any_io_executor executor_;
  pg::Pool& db_;
  boost::asio::thread_pool& workers_;
  DependencyProbeMetrics& metrics_;
  log::Logger& log_;
  ProbeSettings settings_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<std::atomic<bool>> busy_ = std::make_shared<std::atomic<bool>>(false);
  bool stopped_ = false;
};

}  // namespace disparo::admin
