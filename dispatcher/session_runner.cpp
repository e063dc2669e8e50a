#include "dispatcher/session_runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

using std::chrono::milliseconds;

SessionRunner::SessionRunner(asio::io_context& io, Database& db, Provider& provider,
                             DispatcherMetrics& metrics, log::Logger& log, SessionRow session,
                             RunnerSettings settings)
    : io_(io),
      db_(db),
      provider_(provider),
      metrics_(metrics),
      log_(log),
      session_(std::move(session)),
      settings_(settings),
      timer_(io),
      random_(std::random_device{}()) {}

void SessionRunner::start() {
  asio::co_spawn(io_, [self = shared_from_this()] { return self->run(); }, asio::detached);
}

void SessionRunner::wake() {
  wake_pending_ = true;
  if (waiting_wakeable_) timer_.cancel();
}

void SessionRunner::stop() {
  stopping_ = true;
  timer_.cancel();
}

void SessionRunner::update(SessionRow session) { session_ = std::move(session); }

asio::awaitable<void> SessionRunner::pause(milliseconds duration, bool wakeable) {
  if (stopping_ || (wakeable && wake_pending_)) co_return;
  waiting_wakeable_ = wakeable;
  timer_.expires_after(duration);
  co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  waiting_wakeable_ = false;
}

asio::awaitable<void> SessionRunner::run() {
  metrics_.sessions_running.Increment();
  log_.info("session_queue_started", {{"session", session_.endpoint.session_id}});
  while (!stopping_) {
    wake_pending_ = false;
    bool sent = false;
    try {
      sent = co_await send_one();
    } catch (const std::exception& e) {
      // A bug must not kill the queue silently: log it and keep going after a pause.
      log_.error("session_queue_error", {{"session", session_.endpoint.session_id}, {"error", e.what()}});
    }
    if (stopping_) break;
    if (sent) {
      // The session's pace: minimum interval plus uniform jitter; not cut short by wake().
      milliseconds gap = session_.min_interval;
      if (session_.jitter.count() > 0) {
        gap += milliseconds(std::uniform_int_distribution<long long>(0, session_.jitter.count())(random_));
      }
      if (gap.count() > 0) co_await pause(gap, false);
    } else {
      co_await pause(settings_.poll_interval, true);
    }
  }
  metrics_.sessions_running.Decrement();
  log_.info("session_queue_stopped", {{"session", session_.endpoint.session_id}});
  finished_ = true;
}

asio::awaitable<bool> SessionRunner::send_one() {
  const auto session_id = session_.endpoint.session_id;
  auto claimed = co_await db_.run([session_id](pg::Connection& conn) { return claim_next(conn, session_id); });
  if (!claimed) {
    log_.warn("claim_failed", {{"session", session_id}, {"error", claimed.error().message}});
    co_return false;
  }
  if (!*claimed) co_return false;
  ClaimedMessage work = std::move(**claimed);

  metrics_.sends_in_flight.Increment();
  const auto started = std::chrono::steady_clock::now();
  SendOutcome outcome = co_await provider_.send(session_.endpoint, work.message);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.sends_in_flight.Decrement();
  metrics_.count_provider(outcome.outcome, seconds);

  const AfterAttempt decision = decide_after_attempt(outcome, work.attempts, settings_.retry, random_);
  // Recording must not be lost to a passing database error: retry a few times. If it still
  // fails the message stays in "sending" and start-up recovery deals with it.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto recorded = co_await db_.run([&](pg::Connection& conn) {
      return record_attempt(conn, work.message.id, session_id, outcome, decision);
    });
    if (recorded) break;
    log_.warn("record_attempt_failed", {{"message", work.message.id}, {"error", recorded.error().message}});
    co_await pause(milliseconds(200 * (attempt + 1)), false);
  }
  using Action = AfterAttempt::Action;
  switch (decision.action) {
    case Action::mark_sent: {
      const double now_epoch =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      metrics_.accept_to_sent_seconds.Observe(std::max(0.0, now_epoch - work.accepted_at_epoch));
      log_.debug("message_sent", {{"message", work.message.id}, {"session", session_id}, {"to", work.message.recipient}});
      break;
    }
    case Action::fail:
      metrics_.messages_failed.Increment();
      log_.warn("message_failed", {{"message", work.message.id}, {"reason", decision.reason}});
      break;
    case Action::pause_session:
      log_.warn("session_paused", {{"session", session_id}, {"reason", decision.reason}});
      stopping_ = true;  // the supervisor restarts the queue when the session is resumed
      break;
    default:
      log_.info("message_attempt", {{"message", work.message.id}, {"outcome", to_string(outcome.outcome)},
                                    {"reason", decision.reason}});
  }
  co_return true;
}

}  // namespace disparo::dispatch
