#include "dispatcher/dependency_probe.hpp"

#include <optional>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

// Shared by the loop (io thread) and the worker's completion (posted back to the io thread):
// only the io thread reads or writes it after creation.
struct DependencyProber::PgProbe {
  std::optional<bool> result;
  bool finished = false;
  asio::steady_timer* waiting = nullptr;  // the timer the loop waits on; null once it stopped waiting
};

DependencyProber::DependencyProber(asio::io_context& io, pg::Pool& pool, asio::thread_pool& workers,
                                   redis::Client* redis, DependencyProbeMetrics& metrics, log::Logger& log,
                                   ProbeSettings settings)
    : io_(io), pool_(pool), workers_(workers), redis_(redis), metrics_(metrics), log_(log),
      settings_(settings), timer_(io) {}

void DependencyProber::start() {
  asio::co_spawn(io_, loop(), asio::detached);
}

void DependencyProber::stop() {
  stopped_ = true;
  timer_.cancel();
}

asio::awaitable<void> DependencyProber::loop() {
  while (!stopped_) {
    co_await probe_all();
    if (stopped_) break;
    timer_.expires_after(settings_.interval);
    (void)co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> DependencyProber::probe_all() {
  auto started = std::chrono::steady_clock::now();
  const bool database = co_await probe_postgres();
  report("postgres", database, std::chrono::steady_clock::now() - started);
  if (redis_ != nullptr && !stopped_) {
    started = std::chrono::steady_clock::now();
    const bool redis = co_await probe_redis();
    report("redis", redis, std::chrono::steady_clock::now() - started);
  }
}

asio::awaitable<bool> DependencyProber::probe_postgres() {
  // The previous SELECT 1 still hangs on its worker: do not start another one.
  if (pg_in_flight_ && !pg_in_flight_->finished) co_return false;
  auto probe = std::make_shared<PgProbe>();
  pg_in_flight_ = probe;
  asio::steady_timer deadline(io_, settings_.timeout);
  probe->waiting = &deadline;
  const auto timeout = settings_.timeout;
  pg::Pool* pool = &pool_;
  asio::io_context* io = &io_;
  asio::post(workers_, [probe, pool, io, timeout] {
    bool ok = false;
    if (auto lease = pool->acquire(timeout)) {
      auto rows = (**lease).exec("SELECT 1");
      ok = rows && rows->size() == 1;
    }
    asio::post(*io, [probe, ok] {
      probe->finished = true;
      if (probe->waiting == nullptr) return;  // the loop gave up waiting already
      probe->result = ok;
      probe->waiting->cancel();
    });
  });
  (void)co_await deadline.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  probe->waiting = nullptr;
  co_return probe->result.value_or(false);
}

asio::awaitable<bool> DependencyProber::probe_redis() {
  // The client bounds the command by its own command_timeout (and reconnects when needed).
  auto reply = co_await redis_->command("PING");
  co_return reply && reply->type == redis::Reply::Type::status && reply->text == "PONG";
}

void DependencyProber::report(const char* dependency, bool ok, std::chrono::steady_clock::duration took) {
  const auto transition = metrics_.record(dependency, ok, took);
  if (transition == ProbeTransition::went_down) {
    log_.warn("dependency_down", {{"dependency", dependency}});
  } else if (transition == ProbeTransition::came_up) {
    log_.info("dependency_up", {{"dependency", dependency}});
  }
}

}  // namespace disparo::dispatch
