// ProviderMetrics: the provider-side metrics of issue 4 (webhook events by provider and type,
// Evolution webhook secret failures, inbound-message effects; sessions by state are in SessionMetrics), declared in
// one block, registered once on DispatcherMetrics::registry() and passed by reference.
// prometheus-cpp metrics are thread-safe; the references are taken at construction.
#pragma once

#include <array>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace disparo::dispatch {

enum class WebhookProvider { cloud_api, evolution };
enum class WebhookEvent { status, inbound, template_status, quality, connection, qrcode, other };
inline constexpr std::size_t kWebhookEventKinds = 7;

class ProviderMetrics {
 public:
  explicit ProviderMetrics(prometheus::Registry& registry);

  void count_event(WebhookProvider provider, WebhookEvent event, double n = 1);

  prometheus::Counter& evolution_secret_failures;  // disparo_webhook_signature_failures_total{provider="evolution"}
  prometheus::Counter& webhooks_stored;            // raw webhooks persisted in the inbox
  prometheus::Counter& webhooks_failed;            // inbox items that could not be applied (kept for retry)
  prometheus::Counter& opt_outs;
  prometheus::Counter& opt_ins;
  prometheus::Counter& inbound_unmatched;

 private:
  std::array<std::array<prometheus::Counter*, kWebhookEventKinds>, 2> events_{};
};

}  // namespace disparo::dispatch
