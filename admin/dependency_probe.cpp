#include "admin/dependency_probe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "admin/offload.hpp"

namespace disparo::admin {

DependencyProber::DependencyProber(boost::asio::any_io_executor executor, pg::Pool& db,
                                   boost::asio::thread_pool& workers, DependencyProbeMetrics& metrics,
                                   log::Logger& log, ProbeSettings settings)
    : executor_(executor), db_(db), workers_(workers), metrics_(metrics), log_(log), settings_(settings),
      timer_(executor) {}

void DependencyProber::start() {
  boost::asio::co_spawn(executor_, loop(), boost::asio::detached);
}

void DependencyProber::stop() {
  stopped_ = true;
  timer_.cancel();
}

boost::asio::awaitable<void> DependencyProber::loop() {
  while (!stopped_) {
    co_await probe_once();
    if (stopped_) break;
    timer_.expires_after(settings_.interval);
    (void)co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

boost::asio::awaitable<void> DependencyProber::probe_once() {
  const auto started = std::chrono::steady_clock::now();
  bool ok = false;
  bool expected_idle = false;
  if (busy_->compare_exchange_strong(expected_idle, true)) {
    // Captures only the pool (outlives the workers: AdminApp joins them first) and the flag.
    auto select_one = [db = &db_, busy = busy_, timeout = settings_.timeout]() noexcept {
      bool answered = false;
      if (auto lease = db->acquire(timeout)) {
        auto rows = (**lease).exec("SELECT 1");
        answered = rows && rows->size() == 1;
      }
      busy->store(false);
      return answered;
    };
    auto result = co_await offload_within(workers_, settings_.timeout, std::move(select_one));
    ok = result.value_or(false);
  }
  const auto transition = metrics_.record("postgres", ok, std::chrono::steady_clock::now() - started);
  if (transition == ProbeTransition::went_down) {
    log_.warn("dependency_down", {{"dependency", "postgres"}});
  } else if (transition == ProbeTransition::came_up) {
    log_.info("dependency_up", {{"dependency", "postgres"}});
  }
}

}  // namespace disparo::admin
