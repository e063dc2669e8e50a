// Batcher: turns many small database requests from many coroutines into few statements.
//
// 10,000 session queues each claiming, recording and renewing on their own cost one round trip
// and one commit (one WAL flush) apiece; the disk here does ~250 flushes/s per connection. A
// Batcher collects requests while its previous statement runs (natural batching: no added
// delay when idle, bigger batches under load) and hands up to `max_batch` of them to one
// `flush` call on a pooled connection. Up to `lanes` flushes run at once, so commits overlap.
//
// submit() waits for the request's own result; post() does not wait (fire and forget) and, with
// `retry_failed`, a failed flush is retried with backoff until it succeeds or stop() - nothing
// posted is dropped while the process lives. drain() waits until everything posted is flushed.
// io_context thread only; flush runs on a database worker thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "common/expected.hpp"
#include "dispatcher/database.hpp"

namespace disparo::dispatch {

struct BatcherSettings {
  std::size_t max_batch = 500;
  int lanes = 2;
  bool retry_failed = false;  // keep failed requests and flush them again (posted work)
  std::chrono::milliseconds retry_backoff{200};
};

template <class Request, class Result>
class Batcher {
 public:
  // Results in request order, one per request; an error fails (or, with retry_failed, retries)
  // the whole batch.
  using Flush = std::function<Expected<std::vector<Result>>(pg::Connection&, const std::vector<Request>&)>;

  Batcher(asio::io_context& io, Database& db, Flush flush, BatcherSettings settings)
      : io_(io), db_(db), flush_(std::move(flush)), settings_(settings), wake_(io) {
    wake_.expires_at(asio::steady_timer::time_point::max());
  }

  void start() {
    for (int lane = 0; lane < std::max(1, settings_.lanes); ++lane) {
      ++lanes_running_;
      asio::co_spawn(io_, run_lane(), asio::detached);
    }
  }

  // Lanes finish the batch in flight and end; queued requests get an error (retry_failed: they
  // are flushed once more first, see drain()).
  void stop() {
    stopping_ = true;
    wake_.cancel();
  }

  asio::awaitable<Expected<Result>> submit(Request request) {
    auto slot = std::make_shared<Slot>(io_, std::move(request));
    queue_.push_back(slot);
    wake_.cancel();
    // The lane completes the slot and cancels its timer; single-threaded, so the timer cannot be
    // cancelled before this wait starts.
    if (!slot->result) co_await slot->done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (!slot->result) co_return make_error(ErrorKind::unavailable, "batcher stopped");
    co_return std::move(*slot->result);
  }

  void post(Request request) {
    queue_.push_back(std::make_shared<Slot>(io_, std::move(request)));
    wake_.cancel();
  }

  // Waits until nothing is queued or being flushed, or `grace` passes; true when drained.
  asio::awaitable<bool> drain(std::chrono::milliseconds grace) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer tick(io_);
    while (!queue_.empty() || in_flight_ > 0) {
      if (std::chrono::steady_clock::now() >= deadline) co_return false;
      tick.expires_after(std::chrono::milliseconds(5));
      co_await tick.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    co_return true;
  }

  std::size_t queued() const { return queue_.size(); }

  // Called with each request once it was flushed successfully (on the io_context's thread).
  void on_flushed(std::function<void(const Request&)> hook) { on_flushed_ = std::move(hook); }

 private:
  struct Slot {
    Slot(asio::io_context& io, Request r) : request(std::move(r)), done(io) {
      done.expires_at(asio::steady_timer::time_point::max());
    }
    Request request;
    std::optional<Expected<Result>> result;
    asio::steady_timer done;
  };
  using SlotPtr = std::shared_ptr<Slot>;

  asio::awaitable<void> run_lane() {
    while (true) {
      if (queue_.empty()) {
        if (stopping_) break;
        // The timer never expires: producers cancel() the waits, which leaves the expiry as is.
        co_await wake_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        continue;
      }
      const std::size_t take = std::min(queue_.size(), settings_.max_batch);
      std::vector<SlotPtr> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      std::vector<Request> requests;
      requests.reserve(batch.size());
      for (auto& slot : batch) requests.push_back(slot->request);
      ++in_flight_;
      auto flushed = co_await db_.run([this, &requests](pg::Connection& conn) { return flush_(conn, requests); });
      --in_flight_;
      if (!flushed && settings_.retry_failed && !stopping_) {
        // Put the batch back in front, in order, and wait before trying again.
        queue_.insert(queue_.begin(), batch.begin(), batch.end());
        asio::steady_timer backoff(io_);
        backoff.expires_after(settings_.retry_backoff);
        co_await backoff.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        continue;
      }
      if (flushed && on_flushed_) {
        for (const auto& slot : batch) on_flushed_(slot->request);
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (!flushed) {
          batch[i]->result.emplace(flushed.error());
        } else if (i < flushed->size()) {
          batch[i]->result.emplace(std::move((*flushed)[i]));
        } else {
          batch[i]->result.emplace(make_error(ErrorKind::internal, "batch flush returned too few results"));
        }
        batch[i]->done.cancel();
      }
    }
    // Whoever still waits learns that nothing will come.
    if (--lanes_running_ == 0) {
      for (auto& slot : queue_) slot->done.cancel();
      queue_.clear();
    }
  }

  asio::io_context& io_;
  Database& db_;
  Flush flush_;
  std::function<void(const Request&)> on_flushed_;
  BatcherSettings settings_;
  asio::steady_timer wake_;
  std::deque<SlotPtr> queue_;
  int in_flight_ = 0;
  int lanes_running_ = 0;
  bool stopping_ = false;
};

}  // namespace disparo::dispatch
