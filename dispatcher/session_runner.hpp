// SessionRunner: the send queue of one WhatsApp session, as one coroutine.
//
// Loop: claim the next due message (FIFO within priority) -> send it through the provider ->
// record the outcome -> wait the session's minimum interval (+ jitter). One message in flight
// per session. When nothing is due it sleeps until poll_interval passes or wake() is called
// (a send request for this session was accepted). The full pacing engine (burst, caps,
// windows) replaces the interval wait in the dispatcher-core issue.
// All methods run on the io_context's thread.
#pragma once

#include <chrono>
#include <memory>
#include <random>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/log.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/metrics.hpp"
#include "dispatcher/model/provider.hpp"
#include "dispatcher/queue_store.hpp"
#include "dispatcher/retry_policy.hpp"

namespace disparo::dispatch {

struct RunnerSettings {
  std::chrono::milliseconds poll_interval{500};
  RetrySettings retry{};
};

class SessionRunner : public std::enable_shared_from_this<SessionRunner> {
 public:
  SessionRunner(asio::io_context& io, Database& db, Provider& provider, DispatcherMetrics& metrics,
                log::Logger& log, SessionRow session, RunnerSettings settings);

  void start();            // spawns the loop
  void wake();             // new work may be due
  void stop();             // finish the current send, then end
  void update(SessionRow session);  // new credentials or interval from the database
  bool finished() const { return finished_; }
  bool stopping() const { return stopping_; }
  std::int64_t session_id() const { return session_.endpoint.session_id; }

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> send_one();  // false when nothing was due
  asio::awaitable<void> pause(std::chrono::milliseconds duration, bool wakeable);

  asio::io_context& io_;
  Database& db_;
  Provider& provider_;
  DispatcherMetrics& metrics_;
  log::Logger& log_;
  SessionRow session_;
  RunnerSettings settings_;
  asio::steady_timer timer_;
  std::mt19937_64 random_;
  bool wake_pending_ = false;
  bool waiting_wakeable_ = false;
  bool stopping_ = false;
  bool finished_ = false;
};

}  // namespace disparo::dispatch
