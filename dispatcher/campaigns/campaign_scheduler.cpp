#include "dispatcher/campaigns/campaign_scheduler.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {
namespace {

constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace

CampaignScheduler::CampaignScheduler(asio::io_context& io, Database& db, CampaignMetrics& metrics,
                                     log::Logger& log, const Clock& clock,
                                     CampaignSchedulerSettings settings,
                                     std::function<void(std::int64_t)> wake_session)
    : io_(io),
      db_(db),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      settings_(std::move(settings)),
      wake_session_(std::move(wake_session)),
      timer_(io) {}

void CampaignScheduler::start() {
  started_ = true;
  asio::co_spawn(io_, run(), asio::detached);
}

void CampaignScheduler::log_report(const CampaignTickReport& report) {
  for (const auto& m : report.materialised) {
    log_.info("campaign_slots_materialised", {{"tenant", m.tenant_id}, {"campaign", m.campaign_id},
                                              {"requested", m.requested}, {"skipped", m.skipped},
                                              {"skipped_unrecorded", m.skipped_unrecorded}});
  }
  for (const auto& timed : report.expansions) {
    const auto& o = timed.outcome;
    log_.write(o.result == campaigns::RunResult::failed ? log::Level::warn : log::Level::info,
               "campaign_run_expanded",
               {{"tenant", o.tenant_id}, {"campaign", o.campaign_id}, {"run", o.run_id},
                {"result", campaigns::to_string(o.result)}, {"reason", o.reason},
                {"recipients", o.recipients}, {"excluded", o.excluded}, {"seconds", timed.seconds}});
  }
  for (const auto& run : report.completed) {
    log_.info("campaign_run_completed", {{"tenant", run.tenant_id}, {"run", run.run_id}});
  }
  if (report.error) log_.warn("campaign_tick_failed", {{"error", report.error->message}});
}

asio::awaitable<void> CampaignScheduler::run() {
  log_.info("campaign_scheduler_started", {{"tick_ms", static_cast<std::int64_t>(settings_.tick.count())}});
  while (!stopping_) {
    const SysTime now = clock_.now();
    const CampaignTickSettings tick_settings = settings_.tick_settings;
    auto work = [now, tick_settings](pg::Connection& conn) -> Expected<CampaignTickReport> {
      return run_campaign_tick(conn, now, tick_settings);
    };
    auto report = co_await db_.run(work);
    if (!report) {
      // No connection from the pool: count it like a failed tick.
      CampaignTickReport failed;
      failed.error = report.error();
      metrics_.record(failed);
      log_.warn("campaign_tick_failed", {{"error", report.error().message}});
    } else {
      metrics_.record(*report);
      log_report(*report);
      for (const auto& timed : report->expansions) {
        for (std::int64_t session : timed.outcome.session_ids) wake_session_(session);
      }
    }
    if (stopping_) break;
    timer_.expires_after(settings_.tick);
    co_await timer_.async_wait(use_nothrow);
  }
  loop_finished_ = true;
}

asio::awaitable<void> CampaignScheduler::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  timer_.cancel();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  asio::steady_timer poll(io_);
  while (started_ && !loop_finished_ && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(20));
    co_await poll.async_wait(use_nothrow);
  }
}

}  // namespace disparo::dispatch
