// SessionRunner: the send queue of one WhatsApp session, as one coroutine.
//
// Loop: ask the SessionPace when the next send may start (interval/burst, daily cap, sending
// window) and wait until then -> claim the next due message that no recipient or campaign
// spacing blocks (priority, then send_at, then acceptance order) -> send it through the provider
// (within the SendGate's global cap on requests in flight) -> post the outcome to be recorded.
// One message in flight per session. When nothing is due it sleeps until the next scheduled
// send_at, the moment a blocked recipient or group is free again, the idle poll interval, or
// wake() (new work accepted for this session).
// The queue runs only while this instance holds the session's lease (PostgreSQL row lease, see
// SessionDb). Each time the lease is gained, sends the previous holder left unanswered are
// requeued and the pace is rebuilt from the send ledger, so a restart or a handover between
// instances breaks no interval or cap. All database work goes through SessionDb's batches.
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
#include "dispatcher/metrics.hpp"
#include "dispatcher/model/provider.hpp"
#include "dispatcher/pacing/session_pace.hpp"
#include "dispatcher/queue_store.hpp"
#include "dispatcher/retry_policy.hpp"
#include "dispatcher/send_gate.hpp"
#include "dispatcher/session_db.hpp"
#include "dispatcher/session_metrics.hpp"

namespace disparo::dispatch {

struct RunnerSettings {
  // How often an idle queue looks for work it was not woken for (another instance accepted it).
  std::chrono::milliseconds poll_interval{2'000};
  // Claim a scheduled message this long before its send_at (when the pace allows a send then),
  // wait, and start the provider request at send_at: the claim's commit is not on the send's
  // critical path. The message is `sending` (not cancellable) for at most this long. 0: off.
  std::chrono::milliseconds claim_ahead{100};
  RetrySettings retry{};
};

// What every runner shares.
struct RunnerServices {
  asio::io_context& io;
  SessionDb& db;
  SendGate& gate;
  DispatcherMetrics& metrics;
  SessionMetrics& session_metrics;
  log::Logger& log;
  const Clock& clock;
};

class SessionRunner : public std::enable_shared_from_this<SessionRunner> {
 public:
  SessionRunner(RunnerServices services, Provider& provider, SessionRow session, LocalCalendar calendar,
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
  asio::awaitable<bool> take_over();
  asio::awaitable<void> step();
  asio::awaitable<void> send(ClaimedMessage work);
  void hold(Hold reason, std::optional<SysTime> until);
  void publish_pace(SysTime now, const Opening& opening);
  asio::awaitable<void> sleep_until(SysTime until, bool wakeable);
  asio::awaitable<void> wait_until_due(SysTime due);
  std::chrono::milliseconds claim_ahead(SysTime now) const;
  SessionKey key() const { return {session_.tenant_id, session_.endpoint.session_id}; }

  RunnerServices services_;
  Provider& provider_;
  SessionRow session_;
  SessionPace pace_;
  RunnerSettings settings_;
  asio::steady_timer timer_;
  std::mt19937_64 random_;
  std::optional<std::string> published_hold_;
  std::optional<SysTime> cooldown_until_;  // after a throughput error the whole session slows down
  bool hold_published_once_ = false;
  bool wake_pending_ = false;
  bool waiting_wakeable_ = false;
  bool stopping_ = false;
  bool finished_ = false;
};

}  // namespace disparo::dispatch
