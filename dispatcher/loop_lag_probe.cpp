#include "dispatcher/loop_lag_probe.hpp"

#include <algorithm>

namespace disparo::dispatch {

LoopLagProbe::LoopLagProbe(asio::io_context& io, prometheus::Registry& registry, std::chrono::milliseconds period)
    : timer_(io),
      lag_(prometheus::BuildHistogram()
               .Name("disparo_event_loop_lag_seconds")
               .Help("How late the event loop ran a timer that was due (one sample per probe period)")
               .Register(registry)
               .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                0.1, 0.25, 1})),
      period_(period) {}

void LoopLagProbe::start() {
  stopped_ = false;
  arm();
}

void LoopLagProbe::stop() {
  stopped_ = true;
  timer_.cancel();
}

void LoopLagProbe::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const std::error_code& error) {
    if (error || stopped_) return;
    const auto late = std::chrono::steady_clock::now() - timer_.expiry();
    lag_.Observe(std::max(0.0, std::chrono::duration<double>(late).count()));
    arm();
  });
}

}  // namespace disparo::dispatch
