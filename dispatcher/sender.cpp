#include "dispatcher/sender.hpp"

#include <set>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

Sender::Sender(asio::io_context& io, Database& db, Provider& cloud_api, DispatcherMetrics& metrics,
               log::Logger& log, const Clock& clock, SenderSettings settings)
    : io_(io), db_(db), cloud_api_(cloud_api), metrics_(metrics), log_(log), clock_(clock),
      settings_(settings), refresh_timer_(io) {}

void Sender::start() { asio::co_spawn(io_, supervise(), asio::detached); }

void Sender::wake(std::int64_t session_id) {
  if (auto found = runners_.find(session_id); found != runners_.end()) {
    found->second->wake();
  } else {
    refresh_timer_.cancel();  // a session we do not run yet (new or resumed): reload now
  }
}

void Sender::refresh_soon() { refresh_timer_.cancel(); }

Provider* Sender::provider_for(const std::string& provider) const {
  // The sandbox speaks the Cloud API wire format. Evolution API arrives with the providers issue.
  if (provider == "cloud_api" || provider == "sandbox") return &cloud_api_;
  return nullptr;
}

asio::awaitable<void> Sender::supervise() {
  // Crash recovery is per session: the runner that takes a session's lease requeues what the
  // previous holder left unanswered, before it claims anything.
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
  auto paused = co_await db_.run([](pg::Connection& conn) { return count_paused_sessions(conn); });
  if (paused) metrics_.sessions_paused.Set(static_cast<double>(*paused));
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
    auto runner = std::make_shared<SessionRunner>(io_, db_, *provider, metrics_, log_, clock_, std::move(row),
                                                  *calendar, settings_.runner);
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
  for (;;) {
    bool all_finished = true;
    for (auto& [id, runner] : runners_) all_finished = all_finished && runner->finished();
    if (all_finished) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

}  // namespace disparo::dispatch
