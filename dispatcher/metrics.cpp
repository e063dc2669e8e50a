#include "dispatcher/metrics.hpp"

#include <prometheus/text_serializer.h>

#include "common/process_metrics.hpp"

namespace disparo::dispatch {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Request latency from 1 ms to 10 s; provider calls up to 30 s.
const Histogram::BucketBoundaries kHttpBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
const Histogram::BucketBoundaries kProviderBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                   1,     2.5,  5,     10,   30};
const Histogram::BucketBoundaries kLatencyBuckets{0.01, 0.05, 0.1, 0.25, 0.5, 1,    2.5,  5,
                                                  10,   30,   60,  300,  900, 3600, 21600, 86400};

prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

const char* to_string(Route route) noexcept {
  switch (route) {
    case Route::messages_post: return "/v1/messages";
    case Route::message_get: return "/v1/messages/{id}";
    case Route::message_cancel: return "/v1/messages/{id}";
    case Route::session_state: return "/v1/sessions/{id}/state";
    case Route::session_pause: return "/v1/sessions/{id}/pause";
    case Route::session_resume: return "/v1/sessions/{id}/resume";
    case Route::webhook_verify: return "/webhooks/cloud_api";
    case Route::webhook_post: return "/webhooks/cloud_api";
    case Route::healthz: return "/healthz";
    case Route::readyz: return "/readyz";
    case Route::metrics: return "/metrics";
    case Route::other: return "other";
    case Route::webhook_evolution: return "/webhooks/evolution/{session}";
    case Route::session_qrcode: return "/v1/sessions/{id}/qrcode";
  }
  return "other";
}

const char* method_of(Route route) noexcept {
  switch (route) {
    case Route::messages_post:
    case Route::session_pause:
    case Route::session_resume:
    case Route::webhook_post:
    case Route::webhook_evolution: return "POST";
    case Route::message_cancel: return "DELETE";
    case Route::other: return "any";
    default: return "GET";
  }
}

DispatcherMetrics::DispatcherMetrics(std::string version)
    : registry_(std::make_shared<prometheus::Registry>()),
      messages_accepted(counter(*registry_, "disparo_messages_accepted_total",
                                "Messages durably accepted (committed) from send requests")),
      messages_replayed(counter(*registry_, "disparo_messages_idempotent_replays_total",
                                "Send requests answered with an earlier message of the same idempotency key")),
      messages_expired(counter(*registry_, "disparo_messages_expired_total",
                               "Messages whose validity ended before they could be sent")),
      messages_outcome_unknown_failed(
          counter(*registry_, "disparo_messages_outcome_unknown_total",
                  "Messages failed because the provider never answered nor reported a status")),
      retries(counter(*registry_, "disparo_message_retries_total",
                      "Attempts that put a message back in the queue for a later try")),
      session_pauses(counter(*registry_, "disparo_session_pauses_total",
                             "Sessions paused automatically after a provider error")),
      sessions_paused(BuildGauge()
                          .Name("disparo_sessions_paused")
                          .Help("Sessions currently paused (all instances; from the database)")
                          .Register(*registry_)
                          .Add({})),
      messages_requeued_after_restart(
          counter(*registry_, "disparo_messages_requeued_after_restart_total",
                  "Messages found in sending at start-up and put back in the queue")),
      webhook_signature_failures(BuildCounter()
                                     .Name("disparo_webhook_signature_failures_total")
                                     .Help("Provider webhooks refused for a missing or wrong signature or secret, by provider")
                                     .Register(*registry_)
                                     .Add({{"provider", "cloud_api"}})),
      webhook_reports_unmatched(counter(*registry_, "disparo_webhook_reports_unmatched_total",
                                        "Provider status reports for a message we do not know")),
      accept_to_sent_seconds(BuildHistogram()
                                 .Name("disparo_accept_to_sent_seconds")
                                 .Help("Time from acceptance to the provider accepting the message")
                                 .Register(*registry_)
                                 .Add({}, kLatencyBuckets)),
      sessions_running(BuildGauge()
                           .Name("disparo_sessions_running")
                           .Help("Sessions with a running send queue in this process")
                           .Register(*registry_)
                           .Add({})),
      sends_in_flight(BuildGauge()
                          .Name("disparo_provider_sends_in_flight")
                          .Help("Provider requests started and not yet answered")
                          .Register(*registry_)
                          .Add({})),
      callbacks_delivered(counter(*registry_, "disparo_callbacks_delivered_total",
                                  "Status callbacks a CRM answered with 2xx")),
      callbacks_failed(counter(*registry_, "disparo_callbacks_failed_total",
                               "Status callbacks given up: 410 Gone, unusable URL or secret, or "
                               "out of attempts")),
      sent_to_delivered_seconds(BuildHistogram()
                                    .Name("disparo_sent_to_delivered_seconds")
                                    .Help("Time from the provider accepting a message to its delivered status webhook")
                                    .Register(*registry_)
                                    .Add({}, kLatencyBuckets)),
      dependencies(*registry_, std::vector<std::string>{"postgres", "redis"}) {
  BuildGauge().Name("disparo_build_info").Help("Build information").Register(*registry_)
      .Add({{"version", std::move(version)}}).Set(1);

  auto& http_family = BuildCounter()
                          .Name("disparo_http_requests_total")
                          .Help("HTTP requests answered, by route template, method and status class")
                          .Register(*registry_);
  auto& http_latency = BuildHistogram()
                           .Name("disparo_http_request_duration_seconds")
                           .Help("Time to answer an HTTP request, by route template")
                           .Register(*registry_);
  static constexpr const char* kClasses[] = {"2xx", "4xx", "5xx"};
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    const std::string route = to_string(static_cast<Route>(r));
    for (std::size_t c = 0; c < 3; ++c) {
      http_requests_[r][c] = &http_family.Add(
          {{"route", route}, {"method", method_of(static_cast<Route>(r))}, {"code", kClasses[c]}});
    }
    http_duration_[r] = &http_latency.Add(
        {{"route", route}, {"method", method_of(static_cast<Route>(r))}}, kHttpBuckets);
  }

  provider_family_ = &BuildCounter()
                          .Name("disparo_provider_requests_total")
                          .Help("Provider send requests by provider, outcome class and provider error code")
                          .Register(*registry_);
  for (const char* provider : {"cloud_api", "evolution"}) {
    provider_family_->Add({{"provider", provider}, {"outcome", "accepted"}, {"code", ""}});
  }
  provider_duration_ = &BuildHistogram()
                            .Name("disparo_provider_request_duration_seconds")
                            .Help("Duration of provider send requests")
                            .Register(*registry_)
                            .Add({}, kProviderBuckets);

  auto& failures = BuildCounter()
                       .Name("disparo_messages_failed_total")
                       .Help("Messages that ended failed, by the class of the last provider outcome")
                       .Register(*registry_);
  for (std::size_t o = 0; o < kOutcomeCount; ++o) {
    failures_[o] = &failures.Add({{"reason", to_string(static_cast<OutcomeClass>(o))}});
  }

  auto& reports = BuildCounter()
                      .Name("disparo_webhook_status_reports_total")
                      .Help("Provider status reports received, by status and whether they moved the message")
                      .Register(*registry_);
  static constexpr const char* kKinds[] = {"sent", "delivered", "read", "failed", "other"};
  for (std::size_t k = 0; k < kReportKinds; ++k) {
    reports_[k] = &reports.Add({{"status", kKinds[k]}, {"effect", "advanced"}});
    reports_ignored_[k] = &reports.Add({{"status", kKinds[k]}, {"effect", "ignored"}});
  }

  auto& callback_attempts = BuildCounter()
                                .Name("disparo_callback_attempts_total")
                                .Help("Status callback attempts by result (not_sent: bad URL or secret)")
                                .Register(*registry_);
  static constexpr const char* kCallbackResults[] = {"ok", "http_error", "network_error",
                                                     "not_sent"};
  for (std::size_t r = 0; r < kCallbackAttemptResults; ++r) {
    callback_attempts_[r] = &callback_attempts.Add({{"result", kCallbackResults[r]}});
  }
  callback_duration_ = &BuildHistogram()
                            .Name("disparo_callback_delivery_duration_seconds")
                            .Help("Duration of one status callback POST (until answer or error)")
                            .Register(*registry_)
                            .Add({}, kProviderBuckets);
}

std::string DispatcherMetrics::serialize() const {
  return prometheus::TextSerializer{}.Serialize(registry_->Collect()) + process_metrics_text();
}

void DispatcherMetrics::count_http(Route route, int status, double seconds) {
  const auto r = static_cast<std::size_t>(route);
  const std::size_t c = status >= 500 ? 2 : (status >= 400 ? 1 : 0);
  http_requests_[r][c]->Increment();
  http_duration_[r]->Observe(seconds);
}

namespace {

// Label values stay bounded: known providers, and codes that are short numbers (Meta's table)
// or our own few names; anything else is "other".
std::string_view bounded_provider(std::string_view provider) {
  if (provider == "cloud_api" || provider == "evolution" || provider == "sandbox") return provider;
  return "unknown";
}

std::string_view bounded_code(std::string_view code) {
  if (code.empty()) return "";  // success: code="" (what the dashboards and alert tests expect)
  if (code.size() <= 6 && code.find_first_not_of("0123456789") == std::string_view::npos) return code;
  if (code == "not_on_whatsapp" || code == "template_not_supported") return code;
  if (code.size() == 8 && code.starts_with("http_")) return code;  // http_400 ... http_599
  return "other";
}

}  // namespace

void DispatcherMetrics::count_provider(OutcomeClass outcome, double seconds, std::string_view provider,
                                       std::string_view code) {
  const std::string_view outcome_name = to_string(outcome);
  const std::string_view p = bounded_provider(provider);
  const std::string_view c = bounded_code(code);
  std::string key;
  key.append(p).append("|").append(outcome_name).append("|").append(c);
  prometheus::Counter* counter = nullptr;
  {
    std::lock_guard lock(provider_mutex_);
    auto found = provider_requests_.find(key);
    if (found == provider_requests_.end()) {
      counter = &provider_family_->Add(
          {{"provider", std::string(p)}, {"outcome", std::string(outcome_name)}, {"code", std::string(c)}});
      provider_requests_.emplace(std::move(key), counter);
    } else {
      counter = found->second;
    }
  }
  counter->Increment();
  provider_duration_->Observe(seconds);
}

void DispatcherMetrics::count_callback_attempt(CallbackAttempt result, double seconds) {
  callback_attempts_[static_cast<std::size_t>(result)]->Increment();
  callback_duration_->Observe(seconds);
}

void DispatcherMetrics::count_failure(OutcomeClass outcome) {
  failures_[static_cast<std::size_t>(outcome)]->Increment();
}

void DispatcherMetrics::count_report(ReportKind kind, bool advanced) {
  const auto k = static_cast<std::size_t>(kind);
  (advanced ? reports_[k] : reports_ignored_[k])->Increment();
}

}  // namespace disparo::dispatch
