// LoopLagProbe: a loop that is kept busy past a timer's expiry shows up as lag; an idle loop
// does not.
#include "dispatcher/loop_lag_probe.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

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

// Runs the loop with the probe for `run`; at `busy_at` a handler holds the loop for `busy`.
void run_probe(prometheus::Registry& registry, milliseconds run, milliseconds busy) {
  asio::io_context io;
  LoopLagProbe probe(io, registry, milliseconds(10));
  probe.start();
  asio::steady_timer busy_timer(io, milliseconds(25));
  busy_timer.async_wait([busy](std::error_code) { std::this_thread::sleep_for(busy); });
  asio::steady_timer end(io, run);
  end.async_wait([&probe](std::error_code) { probe.stop(); });
  io.run();
}

TEST(LoopLagProbe, ABusyLoopIsSeenAsLag) {
  prometheus::Registry registry;
  run_probe(registry, milliseconds(200), milliseconds(80));
  const auto lag = lag_of(registry);
  EXPECT_GE(lag.sample_count, 5u);
  // The probe's timer due at 30 ms ran when the 80 ms handler returned (~105 ms): >= 50 ms late.
  EXPECT_GE(lag.sample_sum, 0.05);
}

TEST(LoopLagProbe, AnIdleLoopHasAlmostNone) {
  prometheus::Registry registry;
  run_probe(registry, milliseconds(200), milliseconds(0));
  const auto lag = lag_of(registry);
  EXPECT_GE(lag.sample_count, 5u);
  // Generous for a shared CI machine: what matters is the contrast with the busy loop.
  EXPECT_LT(lag.sample_sum, 0.04);
}

}  // namespace
}  // namespace disparo::dispatch
