// SessionRunner: the send queue of one WhatsApp session, as one coroutine.
//
// Loop: ask the SessionPace when the next send may start (interval/burst, daily cap, sending
// window) and wait until then -> claim the next due message that no recipient or campaign
// spacing blocks (priority, then send_at, then acceptance order) -> send it through the provider
// -> record the outcome. One message in flight per session. When nothing is due it sleeps until
// the next scheduled send_at, poll_interval, or wake() (new work accepted for this session).
// The queue runs only while this instance holds the session's lease (a row lease in PostgreSQL,
// renewed by the claim itself). Each time the lease is gained, sends the previous holder left
// unanswered are requeued and the pace is rebuilt from the send ledger, so a restart or a
// handover between instances breaks no interval or cap.
// All methods run on the io_context's thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dispatcher/database.hpp"
#include "dispatcher/metrics.hpp"
#include "dispatcher/model/provider.hpp"
#include "dispatcher/pacing/session_pace.hpp"
#include "dispatcher/queue_store.hpp"
#include "dispatcher/retry_policy.hpp"

namespace disparo::dispatch {

struct RunnerSettings {
  std::chrono::milliseconds poll_interval{500};
  RetrySettings retry{};
  std::string instance;  // this process's stable identity, the owner of session leases
  std::chrono::seconds lease_ttl{15};
};

class SessionRunner : public std::enable_shared_from_this<SessionRunner> {
 public:
  SessionRunner(asio::io_context& io, Database& db, Provider& provider, DispatcherMetrics& metrics,
                log::Logger& log, const Clock& clock, SessionRow session, LocalCalendar calendar,
                RunnerSettings settings);

  void start();            // spawns the loop
  void wake();             // new work may be due
  void stop();             // finish the current send, then end
  void update(SessionRow session);  // new credentials or policy from the database
  bool finished() const { return finished_; }
  bool stopping() const { return stopping_; }
  std::int64_t session_id() const { return session_.endpoint.session_id; }

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> restore();
  asio::awaitable<bool> ensure_lease();
  asio::awaitable<void> step();
  asio::awaitable<void> send(ClaimedMessage work);
  asio::awaitable<void> hold(Hold reason, std::optional<SysTime> until);
  asio::awaitable<void> sleep_until(SysTime until, bool wakeable);

  asio::io_context& io_;
  Database& db_;
  Provider& provider_;
  DispatcherMetrics& metrics_;
  log::Logger& log_;
  const Clock& clock_;
  SessionRow session_;
  SessionPace pace_;
  RunnerSettings settings_;
  asio::steady_timer timer_;
  std::mt19937_64 random_;
  std::optional<std::string> published_hold_;
  std::optional<SysTime> cooldown_until_;
  bool lease_held_ = false;
  SysTime lease_checked_{};  // after a throughput error the whole session slows down
  bool hold_published_once_ = false;
  bool wake_pending_ = false;
  bool waiting_wakeable_ = false;
  bool stopping_ = false;
  bool finished_ = false;
};

}  // namespace disparo::dispatch
