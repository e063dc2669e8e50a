#include "dispatcher/send_gate.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

asio::awaitable<void> SendGate::acquire() {
  if (in_use_ < capacity_ && waiters_.empty()) {
    ++in_use_;
    co_return;
  }
  auto waiter = std::make_shared<Waiter>(io_);
  waiters_.push_back(waiter);
  // release() sets `granted` and cancels the timer; the slot is handed over, in_use_ unchanged.
  while (!waiter->granted) {
    co_await waiter->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

void SendGate::release() {
  if (!waiters_.empty()) {
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;
    next->timer.cancel();
    return;
  }
  if (in_use_ > 0) --in_use_;
}

}  // namespace disparo::dispatch
