// CallbackSender: delivers status callbacks to CRMs, as one coroutine loop plus one coroutine per
// delivery in flight.
//
// Loop: claim due deliveries (as many as free slots, at most max_in_flight in flight) -> POST
// each one, signed per Standard Webhooks, with its own coroutine -> record the attempt and its
// result (callback_policy.hpp decides delivered / retry / failed). When nothing is due it sleeps
// for poll_interval or until wake() (or a finished delivery, which may unblock the next callback
// of the same message). An https URL, an invalid URL or an invalid secret is recorded as a
// failed attempt and the delivery fails, never a crash. stop() is part of the two-stage
// shutdown: no new claims, deliveries in flight finish within the grace; what is cut short is
// due again when its lease ends (at-least-once; receivers drop duplicates by webhook-id).
// All methods run on the io_context's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <random>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "adapters/http/client.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "dispatcher/callbacks/callback_policy.hpp"
#include "dispatcher/callbacks/callback_store.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/metrics.hpp"

namespace disparo::dispatch {

struct CallbackSenderSettings {
  std::chrono::milliseconds poll_interval{500};
  std::size_t max_in_flight = 16;
  // How long a claimed delivery stays reserved; must exceed the client's request timeout plus
  // the time to record the result, or a slow attempt is sent twice.
  std::chrono::milliseconds lease{60'000};
  CallbackRetrySettings retry{};
};

class CallbackSender {
 public:
  // `client` should be one for callbacks only (its own timeouts and idle connections).
  CallbackSender(asio::io_context& io, Database& db, http::Client& client,
                 DispatcherMetrics& metrics, log::Logger& log, const Clock& clock,
                 CallbackSenderSettings settings);

  void start();  // spawns the loop
  void wake();   // new deliveries may be due
  // Stops claiming and waits until deliveries in flight finish or `grace` passes; true when all
  // finished.
  asio::awaitable<bool> stop(std::chrono::milliseconds grace);
  std::size_t in_flight() const { return in_flight_; }

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> deliver(DueCallback delivery);
  asio::awaitable<CallbackAttemptOutcome> attempt(const DueCallback& delivery);
  asio::awaitable<void> record(const DueCallback& delivery, const CallbackAttemptOutcome& outcome,
                               const CallbackDecision& decision);
  asio::awaitable<void> pause(std::chrono::milliseconds duration);

  asio::io_context& io_;
  Database& db_;
  http::Client& client_;
  DispatcherMetrics& metrics_;
  log::Logger& log_;
  const Clock& clock_;
  CallbackSenderSettings settings_;
  asio::steady_timer timer_;
  std::mt19937_64 random_;
  std::size_t in_flight_ = 0;
  bool wake_pending_ = false;
  bool waiting_ = false;
  bool started_ = false;
  bool stopping_ = false;
  bool loop_finished_ = false;
};

}  // namespace disparo::dispatch
