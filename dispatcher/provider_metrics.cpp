#include "dispatcher/provider_metrics.hpp"

namespace disparo::dispatch {
namespace {

using prometheus::BuildCounter;

prometheus::Counter& counter(prometheus::Registry& registry, const char* name, const char* help) {
  return BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

ProviderMetrics::ProviderMetrics(prometheus::Registry& registry)
    // Same family as the Cloud API signature failures (DispatcherMetrics), another provider label.
    : evolution_secret_failures(BuildCounter()
                                    .Name("disparo_webhook_signature_failures_total")
                                    .Help("Provider webhooks refused for a missing or wrong signature or secret, by provider")
                                    .Register(registry)
                                    .Add({{"provider", "evolution"}})),
      webhooks_stored(counter(registry, "disparo_webhook_inbox_stored_total",
                              "Provider webhooks persisted before processing (acknowledged)")),
      webhooks_failed(counter(registry, "disparo_webhook_inbox_failures_total",
                              "Attempts to apply a stored provider webhook that failed (retried later)")),
      opt_outs(counter(registry, "disparo_opt_outs_total", "Inbound opt-out keywords recorded")),
      opt_ins(counter(registry, "disparo_opt_ins_total", "Inbound opt-in keywords recorded")),
      inbound_unmatched(counter(registry, "disparo_webhook_inbound_unmatched_total",
                                "Inbound messages for no known session or not from a phone number")) {
  auto& family = BuildCounter()
                     .Name("disparo_webhook_events_total")
                     .Help("Provider webhook events applied, by provider and type")
                     .Register(registry);
  static constexpr const char* kProviders[] = {"cloud_api", "evolution"};
  static constexpr const char* kEvents[] = {"status", "inbound", "template_status", "quality",
                                            "connection", "qrcode", "other"};
  for (std::size_t p = 0; p < 2; ++p) {
    for (std::size_t e = 0; e < kWebhookEventKinds; ++e) {
      events_[p][e] = &family.Add({{"provider", kProviders[p]}, {"type", kEvents[e]}});
    }
  }
}

void ProviderMetrics::count_event(WebhookProvider provider, WebhookEvent event, double n) {
  if (n <= 0) return;
  events_[static_cast<std::size_t>(provider)][static_cast<std::size_t>(event)]->Increment(n);
}

}  // namespace disparo::dispatch
