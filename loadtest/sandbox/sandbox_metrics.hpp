// SandboxMetrics: the simulator's own Prometheus metrics, served on GET /metrics so the
// operations e2e test (tests/ops/prometheus_e2etest.cpp) and load tests can scrape it next to the
// dispatcher and the admin:
//
//   disparo_sandbox_http_requests_total{route, code}        requests answered, by route class
//                                                           and HTTP status ("reset": connection
//                                                           reset on purpose)
//   disparo_sandbox_injected_errors_total{kind}             behaviour-injected failures:
//                                                           scripted_error, reset, http_5xx
//   disparo_sandbox_webhook_attempts_total{provider, outcome}  every webhook POST attempt
//   disparo_sandbox_webhooks_total{provider, result}        webhooks finished: delivered, or
//                                                           failed after the last retry
//
// plus the process metrics of common/process_metrics.hpp. Counters never reset (not even by
// DELETE /_sandbox/requests). The text is written here (the simulator does not link
// prometheus-cpp). Not thread-safe: the io_context's thread only, like the Recorder that owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace disparo::sandbox {

struct WebhookAttempt;

// The route label of a request path: cloud_api_messages, evolution, control (/_sandbox/*),
// healthz, metrics or other (bounded label values).
std::string_view route_class(std::string_view path);

class SandboxMetrics {
 public:
  SandboxMetrics();

  void count_request(std::string_view route, int status);  // status 0: the connection was reset
  void count_injected(std::string_view kind);              // scripted_error | reset | http_5xx
  void count_webhook(const WebhookAttempt& attempt);

  // The Prometheus text exposition format (0.0.4), process metrics included.
  std::string exposition() const;

 private:
  using Labels = std::pair<std::string, std::string>;
  std::map<Labels, std::uint64_t> requests_;          // (route, code)
  std::map<std::string, std::uint64_t> injected_;     // kind
  std::map<Labels, std::uint64_t> webhook_attempts_;  // (provider, outcome)
  std::map<Labels, std::uint64_t> webhooks_;          // (provider, result)
};

}  // namespace disparo::sandbox
