// SendGate: a cap on provider requests in flight across all session queues.
//
// 10,000 queues may be ready at once; without a cap they would open 10,000 connections to the
// provider and its answers would come back slower than the webhooks they trigger. acquire()
// waits (FIFO) for a free slot; release() hands the slot to the next waiter.
// io_context thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

namespace disparo::dispatch {

class SendGate {
 public:
  SendGate(asio::io_context& io, std::size_t capacity) : io_(io), capacity_(capacity == 0 ? 1 : capacity) {}

  // Defined out of line: gcc 12 warns (mismatched-new-delete) when a coroutine's frame
  // allocation is inlined into its caller.
  asio::awaitable<void> acquire();
  void release();

  std::size_t in_use() const { return in_use_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    explicit Waiter(asio::io_context& io) : timer(io) { timer.expires_at(asio::steady_timer::time_point::max()); }
    asio::steady_timer timer;
    bool granted = false;
  };

  asio::io_context& io_;
  std::size_t capacity_;
  std::size_t in_use_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace disparo::dispatch
