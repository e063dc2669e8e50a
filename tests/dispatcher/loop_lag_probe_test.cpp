// LoopLagProbe: a loop that is kept busy past a timer's expiry shows up as lag; an idle loop
// does not.
#include "dispatcher/loop_lag_probe.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <asio/post.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

namespace disparo::dispatch {
namespace {

using std::chrono::milliseconds;

prometheus::ClientMetric::Histogram lag_of(prometheus::Registry& registry) {
  for (const auto& family : registry.Collect()) {
    if (family.name == "disparo_event_loop_lag_seconds") return family.metric.at(0).histogram;
  }
  throw std::runtime_error("no disparo_event_loop_lag_seconds");
}

// The lag observed over 200 ms of a loop with the probe (every 10 ms) that, 25 ms in, runs one
// handler holding the loop for `busy`.
prometheus::ClientMetric::Histogram lag_with_busy_handler(milliseconds busy) {
  prometheus::Registry registry;
  asio::io_context io;
  LoopLagProbe probe(io, registry, milliseconds(10));
  probe.start();
  asio::steady_timer busy_timer(io, milliseconds(25));
  busy_timer.async_wait([busy](std::error_code) { std::this_thread::sleep_for(busy); });
  asio::steady_timer end(io, milliseconds(200));
  end.async_wait([&probe](std::error_code) { probe.stop(); });
  io.run();
  return lag_of(registry);
}

TEST(LoopLagProbe, ABusyLoopIsSeenAsLag) {
  const auto lag = lag_with_busy_handler(milliseconds(80));
  EXPECT_GE(lag.sample_count, 5u);
  // The probe's timer due at 30 ms ran when the 80 ms handler returned (~105 ms): >= 50 ms late.
  EXPECT_GE(lag.sample_sum, 0.05);
}

TEST(LoopLagProbe, AnIdleLoopHasAlmostNone) {
  const auto lag = lag_with_busy_handler(milliseconds(0));
  EXPECT_GE(lag.sample_count, 5u);
  // Generous for a shared CI machine: what matters is the contrast with the busy loop.
  EXPECT_LT(lag.sample_sum, 0.04);
}

}  // namespace
}  // namespace disparo::dispatch
