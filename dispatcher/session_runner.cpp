#include "dispatcher/session_runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "common/rfc3339.hpp"

// gcc 12 false positive: it pairs asio's awaitable frame operator delete with the global new
// once a callee coroutine's frame allocation is inlined here (asio allocates and frees frames
// with its own matching pair; ASan builds confirm no mismatch).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace disparo::dispatch {

using std::chrono::milliseconds;

SessionRunner::SessionRunner(RunnerServices services, Provider& provider, SessionRow session,
                             LocalCalendar calendar, RunnerSettings settings)
    : services_(services),
      provider_(provider),
      session_(std::move(session)),
      pace_(session_.policy, calendar),
      settings_(settings),
      timer_(services_.io),
      random_(std::random_device{}()) {}

void SessionRunner::start() {
  asio::co_spawn(services_.io, [self = shared_from_this()] { return self->run(); }, asio::detached);
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
  // The supervisor passes every running session's row at each refresh (every 5 s); only a changed
  // policy may open the session earlier and needs the runner awake. Waking all of them each time
  // sent 1,000 idle sessions into the claim batcher at once, delaying the claims that were due.
  const bool policy_changed = !(session.policy == session_.policy);
  if (policy_changed) pace_.set_policy(session.policy);
  session_ = std::move(session);
  if (policy_changed) timer_.cancel();
}

asio::awaitable<void> SessionRunner::sleep_until(SysTime until, bool wakeable) {
  if (stopping_ || (wakeable && wake_pending_)) co_return;
  const auto delay = until - services_.clock.now();
  if (delay <= SysTime::duration::zero()) co_return;
  waiting_wakeable_ = wakeable;
  timer_.expires_after(delay);
  co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  waiting_wakeable_ = false;
}

asio::awaitable<void> SessionRunner::wait_until_due(SysTime due) {
  // Not cut short by stop(), update() or wake(): the message is claimed already, and it never
  // leaves before its send_at.
  for (SysTime now = services_.clock.now(); now < due; now = services_.clock.now()) {
    timer_.expires_after(due - now);
    co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

milliseconds SessionRunner::claim_ahead(SysTime now) const {
  // Only when a send may also start at the far end of the look-ahead: a window or a day that
  // ends in between must not be crossed by a message claimed before it ended.
  const milliseconds ahead = settings_.claim_ahead;
  if (ahead <= milliseconds(0)) return milliseconds(0);
  const SysTime horizon = now + ahead;
  return pace_.next_opening(horizon).at <= horizon ? ahead : milliseconds(0);
}

asio::awaitable<bool> SessionRunner::take_over() {
  // Newly ours: settle what the previous holder left, then rebuild the pace from the ledger:
  // today's sends (cap) and yesterday's (interval, spacing across midnight).
  const SysTime now = services_.clock.now();
  const auto& calendar = pace_.calendar();
  const auto id = session_.endpoint.session_id;
  TakeoverRequest request{id, calendar.start_of_day(calendar.day_of(now) - date::days{1})};
  auto taken = co_await services_.db.take_over(request);
  if (!taken) {
    services_.log.warn("session_takeover_failed", {{"session", id}, {"error", taken.error().message}});
    co_return false;
  }
  if (!taken->acquired) co_return false;
  if (taken->requeued > 0) {
    services_.metrics.messages_requeued_after_restart.Increment(static_cast<double>(taken->requeued));
    services_.log.warn("requeued_interrupted_sends", {{"session", id}, {"count", taken->requeued}});
  }
  pace_ = SessionPace(session_.policy, calendar);
  for (const auto& past : taken->ledger) pace_.record_send(past.at, past.recipient, past.group_id, past.group_interval);
  services_.log.info("session_queue_started", {{"session", id}, {"sent_today", pace_.sent_today(now)},
                                               {"cap_today", pace_.cap_today(now)}});
  co_return true;
}

asio::awaitable<void> SessionRunner::run() {
  services_.metrics.sessions_running.Increment();
  while (!stopping_) {
    bool failed = false;
    try {
      co_await step();
    } catch (const std::exception& e) {
      // A bug must not kill the queue silently: log it and keep going after a pause.
      services_.log.error("session_queue_error", {{"session", session_.endpoint.session_id}, {"error", e.what()}});
      failed = true;
    }
    if (failed) co_await sleep_until(services_.clock.now() + settings_.poll_interval, false);
  }
  services_.db.release(session_.endpoint.session_id);
  services_.metrics.sessions_running.Decrement();
  services_.log.info("session_queue_stopped", {{"session", session_.endpoint.session_id}});
  finished_ = true;
}

void SessionRunner::hold(Hold reason, std::optional<SysTime> until) {
  // Published only when it changes: one row update per change, not per loop.
  std::optional<std::string> text;
  if (reason == Hold::daily_cap) {
    text = "daily cap reached (" + std::to_string(pace_.cap_today(services_.clock.now())) + "): next send " +
           format_rfc3339(*until);
  } else if (reason == Hold::window) {
    text = "outside the sending window: next send " + format_rfc3339(*until);
  }
  if (hold_published_once_ && text == published_hold_) return;
  const auto next = (reason == Hold::daily_cap || reason == Hold::window) ? until : std::nullopt;
  services_.db.publish_hold(HoldUpdate{session_.endpoint.session_id, text, next});
  published_hold_ = text;
  hold_published_once_ = true;
}

void SessionRunner::publish_pace(SysTime now, const Opening& opening) {
  auto& series = services_.session_metrics.series(key());
  series.sent_today->Set(pace_.sent_today(now));
  series.daily_cap->Set(pace_.cap_today(now));
  series.min_interval->Set(std::chrono::duration<double>(session_.policy.min_interval).count());
  series.window_open->Set(opening.reason == Hold::window && opening.at > now ? 0 : 1);
  const auto& calendar = pace_.calendar();
  series.day_start->Set(std::chrono::duration<double>(
                            calendar.start_of_day(calendar.day_of(now)).time_since_epoch()).count());
}

asio::awaitable<void> SessionRunner::step() {
  wake_pending_ = false;
  const auto id = session_.endpoint.session_id;
  if (!services_.db.held(id) && !co_await take_over()) {
    // Another instance runs this session (or the database is unreachable): look again later.
    co_await sleep_until(services_.clock.now() + services_.db.settings().lease_ttl / 3, false);
    co_return;
  }
  const SysTime now = services_.clock.now();
  if (cooldown_until_ && *cooldown_until_ > now) {
    co_await sleep_until(*cooldown_until_, false);
    co_return;
  }
  cooldown_until_.reset();
  const Opening opening = pace_.next_opening(now);
  publish_pace(now, opening);
  if (opening.at > now) {
    hold(opening.reason, opening.at);
    // Interval waits are short and exact; cap and window waits are re-checked every minute in
    // case an operator changes the policy.
    const SysTime until = opening.reason == Hold::interval ? opening.at
                                                           : std::min(opening.at, now + std::chrono::minutes(1));
    co_await sleep_until(until, false);
    co_return;
  }
  hold(Hold::none, std::nullopt);
  const milliseconds ahead = claim_ahead(now);
  ClaimRequest request{id, pace_.blocked_recipients(now), pace_.blocked_groups(now), ahead};
  auto claimed = co_await services_.db.claim(std::move(request));
  if (!claimed) {
    services_.log.warn("claim_failed", {{"session", id}, {"error", claimed.error().message}});
    co_await sleep_until(services_.clock.now() + settings_.poll_interval, false);
    co_return;
  }
  if (!claimed->lease_held) {
    services_.db.lost(id);
    co_return;
  }
  if (!claimed->claimed) {
    // Sleep until the next scheduled message is due (exact, for scheduled sends), a blocked
    // recipient or group is free again, the idle poll interval, or a wake-up.
    const SysTime after = services_.clock.now();
    SysTime until = after + settings_.poll_interval;
    // With claim-ahead, wake that much before the next scheduled message to claim it early
    // (the look-ahead this claim used: none when the pace ruled it out, or this would spin).
    if (claimed->next_due && *claimed->next_due - ahead < until) until = *claimed->next_due - ahead;
    if (auto release = pace_.next_release(after); release && *release < until) until = *release;
    co_await sleep_until(until, true);
    co_return;
  }
  co_await send(std::move(*claimed->claimed));
}

asio::awaitable<void> SessionRunner::send(ClaimedMessage work) {
  const auto session_id = session_.endpoint.session_id;
  co_await wait_until_due(work.due);  // claimed ahead: start exactly at send_at
  const milliseconds jitter =
      session_.policy.jitter.count() > 0
          ? milliseconds(std::uniform_int_distribution<long long>(0, session_.policy.jitter.count())(random_))
          : milliseconds(0);
  // The pace counts the send when it starts: a crash after this point never lets the cap or the
  // interval be exceeded, because the ledger row was written by the same claim statement.
  pace_.record_send(services_.clock.now(), work.message.recipient, work.group_id, work.group_interval, jitter);

  auto& metrics = services_.metrics;
  co_await services_.gate.acquire();
  metrics.sends_in_flight.Increment();
  const auto started = std::chrono::steady_clock::now();
  SendOutcome outcome = co_await provider_.send(session_.endpoint, work.message);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics.sends_in_flight.Decrement();
  services_.gate.release();
  metrics.count_provider(outcome.outcome, seconds, session_.endpoint.provider, outcome.error_code);
  services_.session_metrics.count_send(key(), outcome.outcome);

  const AfterAttempt decision = decide_after_attempt(outcome, work.attempts, settings_.retry, random_);
  // Posted, not awaited: the batch is retried until it is stored. If the process dies first, the
  // message stays in "sending" and the next lease holder deals with it (delivery-semantics.md).
  using Action = AfterAttempt::Action;
  AttemptRecord record{work.message.id, session_id, outcome, decision};
  const bool pausing = decision.action == Action::pause_session;
  if (!pausing) services_.db.record(record);
  const bool stored = pausing ? co_await services_.db.record_and_wait(record) : true;
  if (!stored) services_.log.warn("pause_record_failed", {{"message", work.message.id}});
  auto& log = services_.log;
  switch (decision.action) {
    case Action::mark_sent: {
      const double now_epoch =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      metrics.accept_to_sent_seconds.Observe(std::max(0.0, now_epoch - work.accepted_at_epoch));
      log.debug("message_sent", {{"message", work.message.id}, {"session", session_id}, {"to", work.message.recipient}});
      break;
    }
    case Action::fail:
      metrics.count_failure(outcome.outcome);
      log.warn("message_failed", {{"message", work.message.id}, {"reason", decision.reason}});
      break;
    case Action::pause_session:
      metrics.session_pauses.Increment();
      log.warn("session_paused", {{"session", session_id}, {"reason", decision.reason}});
      stopping_ = true;  // the supervisor restarts the queue when the session is resumed
      break;
    case Action::requeue:
      metrics.retries.Increment();
      if (outcome.outcome == OutcomeClass::slow_down) {
        // The provider says this sender is over its throughput: the whole session waits.
        cooldown_until_ = services_.clock.now() + settings_.retry.slow_down_delay;
        log.warn("session_slowed_down", {{"session", session_id}, {"reason", decision.reason}});
      }
      break;
    default:
      log.info("message_attempt", {{"message", work.message.id}, {"outcome", to_string(outcome.outcome)},
                                   {"reason", decision.reason}});
  }
}

}  // namespace disparo::dispatch
