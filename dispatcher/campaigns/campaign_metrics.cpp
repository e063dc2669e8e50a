#include "dispatcher/campaigns/campaign_metrics.hpp"

#include "campaigns/audience.hpp"

namespace disparo::dispatch {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// An expansion takes milliseconds for a few clients and seconds for 100,000.
const prometheus::Histogram::BucketBoundaries kExpansionBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                0.5,   1,    2.5,   5,    10,  30, 60};
constexpr const char* kResults[] = {"expanded", "skipped", "failed", "completed"};

}  // namespace

CampaignMetrics::CampaignMetrics(prometheus::Registry& registry)
    : runs_(BuildCounter()
                .Name("disparo_campaign_runs_total")
                .Help("Campaign runs by result: expanded into messages, skipped (missed beyond the "
                      "catch-up window), failed (invalid template or campaign), completed")
                .Register(registry)),
      recipients_(BuildCounter()
                      .Name("disparo_campaign_recipients_total")
                      .Help("Messages enqueued by campaign runs")
                      .Register(registry)),
      exclusions_(BuildCounter()
                      .Name("disparo_campaign_exclusions_total")
                      .Help("Clients a campaign run left out, by reason")
                      .Register(registry)),
      messages_(BuildCounter()
                    .Name("disparo_campaign_messages_total")
                    .Help("Final statuses of campaign messages, counted when their run completes")
                    .Register(registry)),
      active_(BuildGauge()
                  .Name("disparo_campaign_runs_active")
                  .Help("Campaign runs whose messages are still being sent (all instances)")
                  .Register(registry)),
      expansion_seconds_(BuildHistogram()
                             .Name("disparo_campaign_expansion_seconds")
                             .Help("Time to expand one campaign run into messages (one transaction)")
                             .Register(registry)
                             .Add({}, kExpansionBuckets)),
      ticks_(BuildCounter()
                 .Name("disparo_campaign_scheduler_ticks_total")
                 .Help("Campaign scheduler ticks by result")
                 .Register(registry)),
      ticks_ok_(ticks_.Add({{"result", "ok"}})),
      ticks_error_(ticks_.Add({{"result", "error"}})) {}

prometheus::Counter& CampaignMetrics::counter(prometheus::Family<prometheus::Counter>& family,
                                              const std::map<std::string, std::string>& labels) {
  auto key = std::make_pair(static_cast<const void*>(&family), labels);
  auto it = cache_.find(key);
  if (it == cache_.end()) it = cache_.emplace(std::move(key), &family.Add(labels)).first;
  return *it->second;
}

void CampaignMetrics::ensure_kind(const std::string& tenant, const std::string& kind) {
  for (const char* result : kResults) counter(runs_, {{"tenant", tenant}, {"kind", kind}, {"result", result}});
  counter(recipients_, {{"tenant", tenant}, {"kind", kind}});
}

void CampaignMetrics::record(const CampaignTickReport& report) {
  std::lock_guard lock(mutex_);
  (report.error ? ticks_error_ : ticks_ok_).Increment();
  for (const auto& [tenant_id, kind] : report.campaign_kinds) ensure_kind(std::to_string(tenant_id), kind);
  for (const auto& m : report.materialised) {
    if (m.skipped + m.skipped_unrecorded > 0) {
      counter(runs_, {{"tenant", std::to_string(m.tenant_id)}, {"kind", m.kind}, {"result", "skipped"}})
          .Increment(static_cast<double>(m.skipped + m.skipped_unrecorded));
    }
  }
  for (const auto& timed : report.expansions) {
    const auto& o = timed.outcome;
    const std::string tenant = std::to_string(o.tenant_id);
    counter(runs_, {{"tenant", tenant}, {"kind", o.campaign_kind}, {"result", campaigns::to_string(o.result)}})
        .Increment();
    if (o.result != campaigns::RunResult::expanded) continue;
    expansion_seconds_.Observe(timed.seconds);
    counter(recipients_, {{"tenant", tenant}, {"kind", o.campaign_kind}}).Increment(static_cast<double>(o.recipients));
    for (const auto& [reason, count] : o.excluded_by_reason) {
      counter(exclusions_, {{"tenant", tenant}, {"kind", o.campaign_kind}, {"reason", reason}})
          .Increment(static_cast<double>(count));
    }
  }
  for (const auto& run : report.completed) {
    const std::string tenant = std::to_string(run.tenant_id);
    counter(runs_, {{"tenant", tenant}, {"kind", run.kind}, {"result", "completed"}}).Increment();
    for (const auto& [status, count] : run.statuses) {
      counter(messages_, {{"tenant", tenant}, {"kind", run.kind}, {"status", status}})
          .Increment(static_cast<double>(count));
    }
  }
  if (report.error) return;  // the figures below were not read
  for (const auto& [tenant_id, active] : report.active_runs) {
    const std::string tenant = std::to_string(tenant_id);
    auto it = active_by_tenant_.find(tenant);
    if (it == active_by_tenant_.end()) it = active_by_tenant_.emplace(tenant, &active_.Add({{"tenant", tenant}})).first;
    it->second->Set(static_cast<double>(active));
  }
}

}  // namespace disparo::dispatch
