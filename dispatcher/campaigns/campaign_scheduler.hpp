// CampaignScheduler: the dispatcher's campaign scheduler loop, one coroutine that runs a campaign
// tick (campaign_tick.hpp) on a database worker every tick_ms, records its metrics and wakes the
// queues of the sessions that got campaign messages. Several dispatchers may run it at once
// (row locks decide who does what). stop() is part of the two-stage shutdown: a tick in flight
// finishes (or its transaction is rolled back when the process dies; nothing is half-written).
// All methods run on the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dispatcher/campaigns/campaign_metrics.hpp"
#include "dispatcher/campaigns/campaign_tick.hpp"
#include "dispatcher/database.hpp"

namespace disparo::dispatch {

struct CampaignSchedulerSettings {
  std::chrono::milliseconds tick{2'000};  // [campaigns] tick_ms
  CampaignTickSettings tick_settings{};   // catch_up from [campaigns] catch_up_minutes
};

class CampaignScheduler {
 public:
  CampaignScheduler(asio::io_context& io, Database& db, CampaignMetrics& metrics, log::Logger& log,
                    const Clock& clock, CampaignSchedulerSettings settings,
                    std::function<void(std::int64_t)> wake_session);

  void start();
  asio::awaitable<void> stop(std::chrono::milliseconds grace);

 private:
  asio::awaitable<void> run();
  void log_report(const CampaignTickReport& report);

  asio::io_context& io_;
  Database& db_;
  CampaignMetrics& metrics_;
  log::Logger& log_;
  const Clock& clock_;
  CampaignSchedulerSettings settings_;
  std::function<void(std::int64_t)> wake_session_;
  asio::steady_timer timer_;
  bool started_ = false;
  bool stopping_ = false;
  bool loop_finished_ = false;
};

}  // namespace disparo::dispatch
