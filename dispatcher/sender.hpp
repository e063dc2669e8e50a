// Sender: keeps one SessionRunner per active session and routes wake-ups to them.
//
// It reloads the active sessions every refresh interval (and expires overdue messages, fails
// unknown outcomes, refreshes the per-session gauges), starting runners for new or resumed
// sessions and stopping those of paused or deleted ones. Crash recovery is per session: the
// runner that takes a session's lease requeues what the previous holder left unanswered.
// stop() is stage two of shutdown: runners finish the send in flight, posted records are
// flushed and the leases released, within a grace period. io_context thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/metrics.hpp"
#include "dispatcher/model/provider.hpp"
#include "dispatcher/send_gate.hpp"
#include "dispatcher/session_db.hpp"
#include "dispatcher/session_metrics.hpp"
#include "dispatcher/session_runner.hpp"

namespace disparo::dispatch {

struct SenderSettings {
  RunnerSettings runner{};
  SessionDbSettings db{};
  std::chrono::milliseconds refresh_interval{5'000};
  std::chrono::seconds unknown_outcome_after{600};  // then "outcome unknown" ends failed
  std::size_t max_in_flight = 1024;                 // provider requests at once, all sessions
};

class Sender {
 public:
  Sender(asio::io_context& io, Database& db, Provider& cloud_api, DispatcherMetrics& metrics,
         log::Logger& log, const Clock& clock, SenderSettings settings);

  void start();
  void wake(std::int64_t session_id);
  void refresh_soon();  // reload sessions now (paused or resumed by API)
  // Stops all runners and waits until they finish or `grace` passes; true when all finished.
  asio::awaitable<bool> stop(std::chrono::milliseconds grace);

 private:
  asio::awaitable<void> supervise();
  asio::awaitable<void> refresh();
  asio::awaitable<void> refresh_gauges();
  Provider* provider_for(const std::string& provider) const;

  asio::io_context& io_;
  Database& db_;
  Provider& cloud_api_;
  DispatcherMetrics& metrics_;
  log::Logger& log_;
  const Clock& clock_;
  SenderSettings settings_;
  SessionDb session_db_;
  SendGate gate_;
  SessionMetrics session_metrics_;
  asio::steady_timer refresh_timer_;
  std::map<std::int64_t, std::shared_ptr<SessionRunner>> runners_;
  bool stopping_ = false;
};

}  // namespace disparo::dispatch
