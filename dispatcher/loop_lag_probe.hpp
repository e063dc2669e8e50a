// LoopLagProbe: how late the dispatcher's event loop runs what is due on it.
//
// Every `period` a timer expires; the time from its expiry to the moment its handler runs is
// observed in disparo_event_loop_lag_seconds. Every send waits on the loop for its instant (the
// pace, a scheduled send_at), so a lag here is lateness there: work done on the loop thread
// that takes milliseconds (a /metrics exposition once took 10-24 ms) shows up at once.
// io_context thread only.
#pragma once

#include <chrono>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace disparo::dispatch {

class LoopLagProbe {
 public:
  LoopLagProbe(asio::io_context& io, prometheus::Registry& registry,
               std::chrono::milliseconds period = std::chrono::milliseconds(100));

  void start();
  void stop();

 private:
  void arm();

  asio::steady_timer timer_;
  prometheus::Histogram& lag_;
  std::chrono::milliseconds period_;
  bool stopped_ = false;
};

}  // namespace disparo::dispatch
