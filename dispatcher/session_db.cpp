#include "dispatcher/session_db.hpp"

#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

SessionDb::SessionDb(asio::io_context& io, Database& db, log::Logger& log, SessionDbSettings settings)
    : io_(io),
      db_(db),
      log_(log),
      settings_(std::move(settings)),
      claims_(io, db,
              [owner = settings_.instance](pg::Connection& conn, const std::vector<ClaimRequest>& requests) {
                return claim_batch(conn, owner, requests);
              },
              BatcherSettings{.max_batch = settings_.max_batch, .lanes = settings_.claim_lanes}),
      records_(io, db, record_attempts,
               BatcherSettings{.max_batch = settings_.max_batch, .lanes = settings_.record_lanes, .retry_failed = true}),
      holds_(io, db, publish_holds, BatcherSettings{.max_batch = settings_.max_batch, .lanes = 1, .retry_failed = true}),
      takeovers_(io, db,
                 [owner = settings_.instance, ttl = settings_.lease_ttl](pg::Connection& conn,
                                                                        const std::vector<TakeoverRequest>& requests) {
                   return take_over_sessions(conn, owner, ttl, requests);
                 },
                 BatcherSettings{.max_batch = settings_.max_batch, .lanes = settings_.takeover_lanes}),
      renew_timer_(io) {
  records_.on_flushed([this](const AttemptRecord& record) {
    auto found = unrecorded_.find(record.session_id);
    if (found != unrecorded_.end() && --found->second == 0) unrecorded_.erase(found);
  });
}

void SessionDb::start() {
  claims_.start();
  records_.start();
  holds_.start();
  takeovers_.start();
  asio::co_spawn(io_, renew_loop(), asio::detached);
}

asio::awaitable<Expected<ClaimResult>> SessionDb::claim(ClaimRequest request) {
  auto result = co_await claims_.submit(std::move(request));
  co_return result;
}

void SessionDb::record(AttemptRecord record) {
  ++unrecorded_[record.session_id];
  records_.post(std::move(record));
}

asio::awaitable<bool> SessionDb::record_and_wait(AttemptRecord record) {
  ++unrecorded_[record.session_id];
  auto stored = co_await records_.submit(std::move(record));
  co_return stored.has_value();
}

void SessionDb::publish_hold(HoldUpdate hold) { holds_.post(std::move(hold)); }

asio::awaitable<Expected<TakeoverResult>> SessionDb::take_over(TakeoverRequest request) {
  const auto id = request.session_id;
  // The takeover requeues the session's messages still "sending" without an answer. An answer
  // this process got but has not stored yet (the record batch is retried while PostgreSQL is
  // unreachable, and an outage longer than the lease makes this process take its own session
  // back) would be requeued and sent twice: store it first.
  asio::steady_timer tick(io_);
  while (unrecorded_.contains(id) && !stopping_) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  auto result = co_await takeovers_.submit(std::move(request));
  if (result && result->acquired) held_.insert(id);
  co_return result;
}

void SessionDb::release(std::int64_t session_id) {
  if (!held_.erase(session_id) || stopping_) return;
  // Fire and forget: an unreleased lease only delays another instance by its TTL.
  auto work = [this, session_id]() -> asio::awaitable<void> {
    const std::string owner = settings_.instance;
    auto released = [session_id, owner](pg::Connection& conn) { return release_lease(conn, session_id, owner); };
    co_await db_.run(std::move(released));
  };
  asio::co_spawn(io_, std::move(work), asio::detached);
}

asio::awaitable<void> SessionDb::renew_loop() {
  while (!stopping_) {
    renew_timer_.expires_after(settings_.lease_ttl / 3);
    co_await renew_timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (stopping_ || held_.empty()) continue;
    std::vector<std::int64_t> ids(held_.begin(), held_.end());
    const std::string owner = settings_.instance;
    const auto ttl = settings_.lease_ttl;
    auto renew = [&ids, owner, ttl](pg::Connection& conn) { return renew_leases(conn, owner, ttl, ids); };
    auto renewed = co_await db_.run(std::move(renew));
    if (!renewed) {
      // Keep the set: the claims check the lease themselves, and the next round tries again.
      log_.warn("lease_renewal_failed", {{"sessions", static_cast<std::int64_t>(ids.size())},
                                         {"error", renewed.error().message}});
      continue;
    }
    std::set<std::int64_t> still(renewed->begin(), renewed->end());
    for (auto id : ids) {
      if (!still.contains(id) && held_.erase(id)) log_.warn("session_lease_lost", {{"session", id}});
    }
  }
}

asio::awaitable<bool> SessionDb::stop(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  const bool records_flushed = co_await records_.drain(grace);
  const auto left = std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                               deadline - std::chrono::steady_clock::now()));
  co_await holds_.drain(left);
  stopping_ = true;
  renew_timer_.cancel();
  if (!held_.empty()) {
    std::vector<std::int64_t> ids(held_.begin(), held_.end());
    held_.clear();
    const std::string owner = settings_.instance;
    auto release_all = [&ids, owner](pg::Connection& conn) { return release_leases(conn, owner, ids); };
    co_await db_.run(std::move(release_all));
  }
  claims_.stop();
  records_.stop();
  holds_.stop();
  takeovers_.stop();
  co_return records_flushed;
}

}  // namespace disparo::dispatch
