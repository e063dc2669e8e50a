#include "dispatcher/sender.hpp"

#include <set>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

Sender::Sender(asio::io_context& io, Database& db, Provider& cloud_api, DispatcherMetrics& metrics,
               log::Logger& log, const Clock& clock, SenderSettings settings)
    : io_(io),
      db_(db),
      cloud_api_(cloud_api),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      settings_(settings),
      session_db_(io, db, log, settings_.db),
      gate_(io, settings_.max_in_flight),
      session_metrics_(metrics.registry()),
      refresh_timer_(io) {}

void Sender::start() {
  session_db_.start();
  asio::co_spawn(io_, supervise(), asio::detached);
}

void Sender::wake(std::int64_t session_id) {
  if (auto found = runners_.find(session_id); found != runners_.end()) {
    found->second->wake();
  } else {
    refresh_timer_.cancel();  // a session we do not run yet (new or resumed): reload now
  }
}

void Sender::refresh_soon() { refresh_timer_.cancel(); }

Provider* Sender::provider_for(const std::string& provider) const {
  // The sandbox speaks the Cloud API wire format; the provider given here (App wires a
  // whatsapp::ProviderSwitch) picks the Evolution adapter for "evolution" sessions itself.
  if (provider == "cloud_api" || provider == "sandbox" || provider == "evolution") return &cloud_api_;
  return nullptr;
}

asio::awaitable<void> Sender::supervise() {
  while (!stopping_) {
    co_await refresh();
    refresh_timer_.expires_after(settings_.refresh_interval);
    co_await refresh_timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Sender::refresh() {
  // Messages held back (cap, window, paused session) still expire on time.
  auto expired = co_await db_.run([](pg::Connection& conn) { return expire_overdue(conn); });
  if (expired && *expired > 0) {
    metrics_.messages_expired.Increment(static_cast<double>(*expired));
    log_.info("messages_expired", {{"count", *expired}});
  }
  const auto unknown_after = settings_.unknown_outcome_after;
  auto unknown = co_await db_.run([unknown_after](pg::Connection& conn) { return fail_unknown_outcomes(conn, unknown_after); });
  if (unknown && *unknown > 0) {
    metrics_.messages_outcome_unknown_failed.Increment(static_cast<double>(*unknown));
    log_.warn("messages_outcome_unknown", {{"count", *unknown}});
  }
  co_await refresh_gauges();
  auto sessions = co_await db_.run([](pg::Connection& conn) { return load_active_sessions(conn); });
  if (!sessions) {
    log_.warn("load_sessions_failed", {{"error", sessions.error().message}});
    co_return;
  }
  if (stopping_) co_return;
  std::set<std::int64_t> active;
  for (auto& row : *sessions) {
    const auto id = row.endpoint.session_id;
    Provider* provider = provider_for(row.endpoint.provider);
    if (provider == nullptr) continue;
    active.insert(id);
    auto found = runners_.find(id);
    if (found != runners_.end() && !found->second->finished() && !found->second->stopping()) {
      found->second->update(std::move(row));
      continue;
    }
    if (found != runners_.end() && !found->second->finished()) continue;  // let it end first
    auto calendar = LocalCalendar::for_zone(row.time_zone);
    if (!calendar) {
      log_.warn("unknown_time_zone", {{"session", id}, {"zone", row.time_zone}});
      calendar = LocalCalendar::for_zone("America/Sao_Paulo");
    }
    RunnerServices services{io_, session_db_, gate_, metrics_, session_metrics_, log_, clock_};
    auto runner = std::make_shared<SessionRunner>(services, *provider, std::move(row), *calendar, settings_.runner);
    runners_[id] = runner;
    runner->start();
  }
  for (auto it = runners_.begin(); it != runners_.end();) {
    if (!active.contains(it->first)) it->second->stop();
    if (it->second->finished()) {
      it = runners_.erase(it);
    } else {
      ++it;
    }
  }
}

asio::awaitable<bool> Sender::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  refresh_timer_.cancel();
  for (auto& [id, runner] : runners_) runner->stop();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  asio::steady_timer tick(io_);
  bool all_finished = false;
  for (;;) {
    all_finished = true;
    for (auto& [id, runner] : runners_) all_finished = all_finished && runner->finished();
    if (all_finished || std::chrono::steady_clock::now() >= deadline) break;
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  // Posted outcomes must be stored before the process ends; what is not (grace over) stays in
  // "sending" for the next lease holder.
  const auto left = std::max(std::chrono::milliseconds(500), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                 deadline - std::chrono::steady_clock::now()));
  const bool flushed = co_await session_db_.stop(left);
  co_return all_finished && flushed;
}

asio::awaitable<void> Sender::refresh_gauges() {
  auto stats = co_await db_.run([](pg::Connection& conn) { return load_session_stats(conn); });
  if (!stats) {
    log_.warn("session_stats_failed", {{"error", stats.error().message}});
    co_return;
  }
  std::set<std::int64_t> alive;
  double active = 0, paused = 0;
  for (const auto& s : *stats) {
    alive.insert(s.session_id);
    (s.paused ? paused : active) += 1;
    auto& series = session_metrics_.series({s.tenant_id, s.session_id});
    series.queue_transactional->Set(static_cast<double>(s.queued_transactional));
    series.queue_marketing->Set(static_cast<double>(s.queued_marketing));
    series.oldest_age->Set(s.oldest_due_age_seconds);
    series.paused->Set(s.paused ? 1 : 0);
  }
  session_metrics_.retain([&alive](std::int64_t id) { return alive.contains(id); });
  session_metrics_.set_sessions_by_state(active, paused);
  metrics_.sessions_paused.Set(paused);
}

}  // namespace disparo::dispatch
