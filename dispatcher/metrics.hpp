// DispatcherMetrics: every metric the dispatcher exports, declared in one block, created once at
// start (labelled series up front, so they export 0) and passed by reference (STYLE.md rule 12).
// Names are pinned by tests/golden/dispatcher_metrics.txt. prometheus-cpp metrics are
// thread-safe; keep the references, never call Family::Add on a hot path.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/dependency_probe.hpp"
#include "dispatcher/model/send_outcome.hpp"

namespace disparo::dispatch {

// HTTP routes by template (never raw paths: bounded label values).
enum class Route {
  messages_post, message_get, message_cancel, session_state, session_pause, session_resume,
  webhook_verify, webhook_post, healthz, readyz, metrics, other,
  webhook_evolution, session_qrcode
};
inline constexpr std::size_t kRouteCount = 14;
const char* to_string(Route route) noexcept;  // the route template
const char* method_of(Route route) noexcept;

// Provider status reports we count.
enum class ReportKind { sent, delivered, read, failed, other };
inline constexpr std::size_t kReportKinds = 5;

inline constexpr std::size_t kOutcomeCount = 8;  // OutcomeClass values

// Status-callback attempts, by result (label values of disparo_callback_attempts_total).
enum class CallbackAttempt { ok, http_error, network_error, not_sent };
inline constexpr std::size_t kCallbackAttemptResults = 4;

class DispatcherMetrics {
  // Declared first: the public references below are built from it.
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  explicit DispatcherMetrics(std::string version);

  prometheus::Registry& registry() { return *registry_; }
  std::string serialize() const;  // text exposition format

  void count_http(Route route, int status, double seconds);
  // provider: cloud_api | evolution | sandbox; code: the provider's error code ("" on success).
  // Codes outside the documented set are counted as "other" (bounded label values).
  void count_provider(OutcomeClass outcome, double seconds, std::string_view provider = "unknown",
                      std::string_view code = "");
  void count_report(ReportKind kind, bool advanced);
  void count_failure(OutcomeClass outcome);  // a message ended failed after an attempt
  void count_callback_attempt(CallbackAttempt result, double seconds);

  prometheus::Counter& messages_accepted;
  prometheus::Counter& messages_replayed;
  prometheus::Counter& messages_expired;
  prometheus::Counter& messages_outcome_unknown_failed;
  prometheus::Counter& retries;
  prometheus::Counter& session_pauses;
  prometheus::Gauge& sessions_paused;
  prometheus::Counter& messages_requeued_after_restart;
  prometheus::Counter& webhook_signature_failures;
  prometheus::Counter& webhook_reports_unmatched;
  prometheus::Histogram& accept_to_sent_seconds;
  prometheus::Gauge& sessions_running;
  prometheus::Gauge& sends_in_flight;
  prometheus::Counter& callbacks_delivered;
  prometheus::Counter& callbacks_failed;
  // Provider accepted (the send answer) -> delivered status webhook; observed where delivered
  // statuses are applied (ProviderWebhooks, Api::post_webhook).
  prometheus::Histogram& sent_to_delivered_seconds;
  // disparo_dependency_* of the periodic probes (postgres, redis): DependencyProber.
  DependencyProbeMetrics dependencies;

 private:
  std::array<std::array<prometheus::Counter*, 3>, kRouteCount> http_requests_{};  // 2xx,4xx,5xx
  std::array<prometheus::Histogram*, kRouteCount> http_duration_{};
  prometheus::Family<prometheus::Counter>* provider_family_ = nullptr;
  // (provider, outcome, code) -> series; created on first use (prometheus-cpp allocates on
  // every labelled lookup, so each is looked up once), guarded for the worker threads.
  std::mutex provider_mutex_;
  std::map<std::string, prometheus::Counter*, std::less<>> provider_requests_;
  prometheus::Histogram* provider_duration_ = nullptr;
  std::array<prometheus::Counter*, kReportKinds> reports_{};
  std::array<prometheus::Counter*, kReportKinds> reports_ignored_{};
  std::array<prometheus::Counter*, kOutcomeCount> failures_{};
  std::array<prometheus::Counter*, kCallbackAttemptResults> callback_attempts_{};
  prometheus::Histogram* callback_duration_ = nullptr;
};

}  // namespace disparo::dispatch
