// CampaignMetrics: the campaign scheduler's metrics (names pinned by the campaigns contract and
// tests/golden/dispatcher_metrics.txt; the Campaigns dashboard and DisparoCampaignRunFailed use
// them), registered in the dispatcher's registry and fed one tick report at a time.
//
//   disparo_campaign_runs_total{tenant,kind,result}  result = expanded|skipped|failed|completed
//   disparo_campaign_recipients_total{tenant,kind}    messages enqueued by expansions
//   disparo_campaign_exclusions_total{tenant,kind,reason}
//   disparo_campaign_messages_total{tenant,kind,status}  final statuses, counted at completion
//   disparo_campaign_expansion_seconds                 histogram, one observation per expansion
//   disparo_campaign_runs_active{tenant}               gauge: runs in state sending (all instances)
//   disparo_campaign_scheduler_ticks_total{result}     result = ok|error
//
// Labels are tenant ids and bounded words (kinds, reasons, statuses). Series of a (tenant, kind)
// are created when the tick first sees a campaign of that kind, so they export 0 before the first
// run. Thread-safe (a mutex guards the series cache; prometheus-cpp metrics are thread-safe).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "dispatcher/campaigns/campaign_tick.hpp"

namespace disparo::dispatch {

class CampaignMetrics {
 public:
  explicit CampaignMetrics(prometheus::Registry& registry);

  void record(const CampaignTickReport& report);

 private:
  prometheus::Counter& counter(prometheus::Family<prometheus::Counter>& family,
                               const std::map<std::string, std::string>& labels);
  void ensure_kind(const std::string& tenant, const std::string& kind);

  prometheus::Family<prometheus::Counter>& runs_;
  prometheus::Family<prometheus::Counter>& recipients_;
  prometheus::Family<prometheus::Counter>& exclusions_;
  prometheus::Family<prometheus::Counter>& messages_;
  prometheus::Family<prometheus::Gauge>& active_;
  prometheus::Histogram& expansion_seconds_;
  prometheus::Family<prometheus::Counter>& ticks_;
  prometheus::Counter& ticks_ok_;
  prometheus::Counter& ticks_error_;
  std::mutex mutex_;
  // (family, labels) -> series: prometheus-cpp allocates on every labelled lookup.
  std::map<std::pair<const void*, std::map<std::string, std::string>>, prometheus::Counter*> cache_;
  std::map<std::string, prometheus::Gauge*> active_by_tenant_;
};

}  // namespace disparo::dispatch
