#include "dispatcher/session_runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "common/rfc3339.hpp"

namespace disparo::dispatch {

using std::chrono::milliseconds;

SessionRunner::SessionRunner(asio::io_context& io, Database& db, Provider& provider,
                             DispatcherMetrics& metrics, log::Logger& log, const Clock& clock,
                             SessionRow session, LocalCalendar calendar, RunnerSettings settings)
    : io_(io),
      db_(db),
      provider_(provider),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      session_(std::move(session)),
      pace_(session_.policy, calendar),
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

void SessionRunner::update(SessionRow session) {
  pace_.set_policy(session.policy);
  session_ = std::move(session);
  timer_.cancel();  // a new policy may open the session earlier
}

asio::awaitable<void> SessionRunner::sleep_until(SysTime until, bool wakeable) {
  if (stopping_ || (wakeable && wake_pending_)) co_return;
  const auto delay = until - clock_.now();
  if (delay <= SysTime::duration::zero()) co_return;
  waiting_wakeable_ = wakeable;
  timer_.expires_after(delay);
  co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  waiting_wakeable_ = false;
}

asio::awaitable<bool> SessionRunner::ensure_lease() {
  const SysTime now = clock_.now();
  // Renew a third of the TTL before it runs out; claims renew it too.
  if (lease_held_ && now - lease_checked_ < settings_.lease_ttl / 3) co_return true;
  const auto id = session_.endpoint.session_id;
  const std::string owner = settings_.instance;
  const auto ttl = settings_.lease_ttl;
  auto acquired = co_await db_.run([id, &owner, ttl](pg::Connection& conn) { return acquire_lease(conn, id, owner, ttl); });
  if (!acquired) log_.warn("session_lease_failed", {{"session", id}, {"error", acquired.error().message}});
  if (!acquired || !*acquired) {
    if (lease_held_) log_.warn("session_lease_lost", {{"session", id}});
    lease_held_ = false;
    co_return false;
  }
  lease_checked_ = now;
  if (lease_held_) co_return true;
  // Newly ours: first settle what the previous holder left, then rebuild the pace.
  auto requeued = co_await db_.run([id](pg::Connection& conn) { return requeue_interrupted(conn, id); });
  if (!requeued) {
    log_.warn("requeue_interrupted_failed", {{"session", id}, {"error", requeued.error().message}});
    co_return false;
  }
  if (*requeued > 0) {
    metrics_.messages_requeued_after_restart.Increment(static_cast<double>(*requeued));
    log_.warn("requeued_interrupted_sends", {{"session", id}, {"count", *requeued}});
  }
  pace_ = SessionPace(session_.policy, pace_.calendar());
  if (!co_await restore()) co_return false;
  lease_held_ = true;
  co_return true;
}

asio::awaitable<bool> SessionRunner::restore() {
  // Today's sends (cap) and yesterday's (interval, spacing across midnight) from the ledger.
  const SysTime now = clock_.now();
  const SysTime since = pace_.calendar().start_of_day(pace_.calendar().day_of(now) - date::days{1});
  const auto id = session_.endpoint.session_id;
  auto ledger = co_await db_.run([id, since](pg::Connection& conn) { return load_ledger(conn, id, since); });
  if (!ledger) {
    log_.warn("ledger_load_failed", {{"session", id}, {"error", ledger.error().message}});
    co_return false;
  }
  for (const auto& past : *ledger) pace_.record_send(past.at, past.recipient, past.group_id, past.group_interval);
  log_.info("session_queue_started", {{"session", id}, {"sent_today", pace_.sent_today(now)},
                                      {"cap_today", pace_.cap_today(now)}});
  co_return true;
}

asio::awaitable<void> SessionRunner::run() {
  metrics_.sessions_running.Increment();
  while (!stopping_) {
    bool failed = false;
    try {
      co_await step();
    } catch (const std::exception& e) {
      // A bug must not kill the queue silently: log it and keep going after a pause.
      log_.error("session_queue_error", {{"session", session_.endpoint.session_id}, {"error", e.what()}});
      failed = true;
    }
    if (failed) co_await sleep_until(clock_.now() + settings_.poll_interval, false);
  }
  if (lease_held_) {
    const auto id = session_.endpoint.session_id;
    const std::string owner = settings_.instance;
    co_await db_.run([id, &owner](pg::Connection& conn) { return release_lease(conn, id, owner); });
  }
  metrics_.sessions_running.Decrement();
  log_.info("session_queue_stopped", {{"session", session_.endpoint.session_id}});
  finished_ = true;
}

asio::awaitable<void> SessionRunner::hold(Hold reason, std::optional<SysTime> until) {
  // Published only when it changes: one row update per change, not per loop.
  std::optional<std::string> text;
  if (reason == Hold::daily_cap) {
    text = "daily cap reached (" + std::to_string(pace_.cap_today(clock_.now())) + "): next send " +
           format_rfc3339(*until);
  } else if (reason == Hold::window) {
    text = "outside the sending window: next send " + format_rfc3339(*until);
  }
  if (hold_published_once_ && text == published_hold_) co_return;
  const auto id = session_.endpoint.session_id;
  const auto next = (reason == Hold::daily_cap || reason == Hold::window) ? until : std::nullopt;
  // Named, not a temporary inside co_await: gcc 12 destroys such temporaries twice.
  auto publish = [id, text, next](pg::Connection& conn) { return publish_hold(conn, id, text, next); };
  auto done = co_await db_.run(std::move(publish));
  if (done) {
    published_hold_ = text;
    hold_published_once_ = true;
  }
}

asio::awaitable<void> SessionRunner::step() {
  wake_pending_ = false;
  if (!co_await ensure_lease()) {
    // Another instance runs this session (or the database is unreachable): look again later.
    co_await sleep_until(clock_.now() + settings_.lease_ttl / 3, false);
    co_return;
  }
  const SysTime now = clock_.now();
  if (cooldown_until_ && *cooldown_until_ > now) {
    co_await sleep_until(*cooldown_until_, false);
    co_return;
  }
  cooldown_until_.reset();
  const Opening opening = pace_.next_opening(now);
  if (opening.at > now) {
    co_await hold(opening.reason, opening.at);
    // Interval waits are short and exact; cap and window waits are re-checked every minute in
    // case an operator changes the policy.
    const SysTime until = opening.reason == Hold::interval ? opening.at
                                                           : std::min(opening.at, now + std::chrono::minutes(1));
    co_await sleep_until(until, false);
    co_return;
  }
  co_await hold(Hold::none, std::nullopt);
  const auto id = session_.endpoint.session_id;
  auto recipients = pace_.blocked_recipients(now);
  auto groups = pace_.blocked_groups(now);
  const std::string& owner = settings_.instance;
  auto claimed = co_await db_.run([id, &owner, &recipients, &groups](pg::Connection& conn) {
    return claim_next(conn, id, owner, recipients, groups);
  });
  if (!claimed) {
    log_.warn("claim_failed", {{"session", id}, {"error", claimed.error().message}});
    co_await sleep_until(clock_.now() + settings_.poll_interval, false);
    co_return;
  }
  if (!claimed->lease_held) {
    lease_held_ = false;
    co_return;
  }
  if (!claimed->claimed) {
    // Sleep until the next scheduled message is due (exact, for scheduled sends), the poll
    // interval (blocked recipients, other instances), or a wake-up.
    SysTime until = clock_.now() + settings_.poll_interval;
    if (claimed->next_due && *claimed->next_due < until) until = *claimed->next_due;
    co_await sleep_until(until, true);
    co_return;
  }
  co_await send(std::move(*claimed->claimed));
}

asio::awaitable<void> SessionRunner::send(ClaimedMessage work) {
  const auto session_id = session_.endpoint.session_id;
  const milliseconds jitter =
      session_.policy.jitter.count() > 0
          ? milliseconds(std::uniform_int_distribution<long long>(0, session_.policy.jitter.count())(random_))
          : milliseconds(0);
  // The pace counts the send when it starts: a crash after this point never lets the cap or the
  // interval be exceeded, because the ledger row was written by the same claim statement.
  pace_.record_send(clock_.now(), work.message.recipient, work.group_id, work.group_interval, jitter);

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
    co_await sleep_until(clock_.now() + milliseconds(200 * (attempt + 1)), false);
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
      metrics_.count_failure(outcome.outcome);
      log_.warn("message_failed", {{"message", work.message.id}, {"reason", decision.reason}});
      break;
    case Action::pause_session:
      metrics_.session_pauses.Increment();
      log_.warn("session_paused", {{"session", session_id}, {"reason", decision.reason}});
      stopping_ = true;  // the supervisor restarts the queue when the session is resumed
      break;
    case Action::requeue:
      metrics_.retries.Increment();
      if (outcome.outcome == OutcomeClass::slow_down) {
        // The provider says this sender is over its throughput: the whole session waits.
        cooldown_until_ = clock_.now() + settings_.retry.slow_down_delay;
        log_.warn("session_slowed_down", {{"session", session_id}, {"reason", decision.reason}});
      }
      break;
    default:
      log_.info("message_attempt", {{"message", work.message.id}, {"outcome", to_string(outcome.outcome)},
                                    {"reason", decision.reason}});
  }
}

}  // namespace disparo::dispatch
