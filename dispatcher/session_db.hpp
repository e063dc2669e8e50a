// SessionDb: what the session queues ask of PostgreSQL, batched across all sessions.
//
// Every SessionRunner claims, records, publishes its hold and takes its lease through here; each
// kind of request has its own Batcher, so 10,000 queues cost a few statements (and commits) per
// batch instead of one per request. Records and holds are posted (the runner does not wait) and
// retried until they succeed; drain() flushes them at shutdown. Leases: the runner takes its
// session's lease once (take_over), then one statement every lease_ttl/3 renews all held leases;
// held() says whether the last renewal still had it. A takeover of a session whose attempts this
// process has not stored yet waits for them (see take_over).
// io_context thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/log.hpp"
#include "dispatcher/batch_queue_store.hpp"
#include "dispatcher/batcher.hpp"
#include "dispatcher/database.hpp"

namespace disparo::dispatch {

struct SessionDbSettings {
  std::string instance;  // owner name of the leases
  std::chrono::milliseconds lease_ttl{15'000};  // [sender] lease_ttl_ms
  std::size_t max_batch = 500;
  int claim_lanes = 2;
  int record_lanes = 2;
  // Takeovers (lease, requeue, ledger: ~0.5 s per 500 sessions under load) of disjoint sessions
  // may run side by side; with one lane 10,000 sessions resumed at once took ~10 s to all start.
  int takeover_lanes = 2;
};

class SessionDb {
 public:
  SessionDb(asio::io_context& io, Database& db, log::Logger& log, SessionDbSettings settings);

  void start();
  // Flushes posted records and holds (within `grace`), releases the leases, stops the batchers.
  asio::awaitable<bool> stop(std::chrono::milliseconds grace);

  asio::awaitable<Expected<ClaimResult>> claim(ClaimRequest request);
  void record(AttemptRecord record);
  // Same, but waits until it is stored (a pause must land before the queue may restart).
  asio::awaitable<bool> record_and_wait(AttemptRecord record);
  void publish_hold(HoldUpdate hold);
  asio::awaitable<Expected<TakeoverResult>> take_over(TakeoverRequest request);

  bool held(std::int64_t session_id) const { return held_.contains(session_id); }
  void lost(std::int64_t session_id) { held_.erase(session_id); }
  void release(std::int64_t session_id);  // the runner stopped: let another instance take it

  const SessionDbSettings& settings() const { return settings_; }

 private:
  asio::awaitable<void> renew_loop();

  asio::io_context& io_;
  Database& db_;
  log::Logger& log_;
  SessionDbSettings settings_;
  Batcher<ClaimRequest, ClaimResult> claims_;
  Batcher<AttemptRecord, bool> records_;
  Batcher<HoldUpdate, bool> holds_;
  Batcher<TakeoverRequest, TakeoverResult> takeovers_;
  std::set<std::int64_t> held_;
  // Attempts posted to records_ and not stored yet, per session (take_over waits for them).
  std::unordered_map<std::int64_t, int> unrecorded_;
  asio::steady_timer renew_timer_;
  bool stopping_ = false;
};

}  // namespace disparo::dispatch
