#include "loadtest/sandbox/sandbox_metrics.hpp"

#include "common/process_metrics.hpp"
#include "loadtest/sandbox/cloud_api_wire.hpp"
#include "loadtest/sandbox/evolution_api.hpp"
#include "loadtest/sandbox/recorder.hpp"

namespace disparo::sandbox {
namespace {

// Label values here are our own bounded words; escaping keeps the text valid whatever they are.
std::string escaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" counter\n");
}

void sample(std::string& out, std::string_view name, std::string_view label1, std::string_view value1,
            std::string_view label2, std::string_view value2, std::uint64_t count) {
  out.append(name).append("{").append(label1).append("=\"").append(escaped(value1)).append("\"");
  if (!label2.empty()) out.append(",").append(label2).append("=\"").append(escaped(value2)).append("\"");
  out.append("} ").append(std::to_string(count)).append("\n");
}

}  // namespace

std::string_view route_class(std::string_view path) {
  if (path == "/healthz") return "healthz";
  if (path == "/metrics") return "metrics";
  if (path.starts_with("/_sandbox/")) return "control";
  if (EvolutionApi::owns(path)) return "evolution";
  if (parse_messages_path(path)) return "cloud_api_messages";
  return "other";
}

SandboxMetrics::SandboxMetrics() {
  // Known series at 0 from the start, so increase() sees their first increment.
  for (const char* kind : {"scripted_error", "reset", "http_5xx"}) injected_[kind] = 0;
  for (const char* provider : {"cloud_api", "evolution"}) {
    webhook_attempts_[{provider, "delivered"}] = 0;
    webhooks_[{provider, "delivered"}] = 0;
    webhooks_[{provider, "failed"}] = 0;
  }
  requests_[{"cloud_api_messages", "200"}] = 0;
}

void SandboxMetrics::count_request(std::string_view route, int status) {
  ++requests_[{std::string(route), status == 0 ? std::string("reset") : std::to_string(status)}];
}

void SandboxMetrics::count_injected(std::string_view kind) { ++injected_[std::string(kind)]; }

void SandboxMetrics::count_webhook(const WebhookAttempt& attempt) {
  ++webhook_attempts_[{attempt.provider, attempt.outcome}];
  if (attempt.final) ++webhooks_[{attempt.provider, attempt.outcome == "delivered" ? "delivered" : "failed"}];
}

std::string SandboxMetrics::exposition() const {
  std::string out;
  header(out, "disparo_sandbox_http_requests_total", "Requests the simulator answered, by route class and HTTP status");
  for (const auto& [labels, count] : requests_) {
    sample(out, "disparo_sandbox_http_requests_total", "route", labels.first, "code", labels.second, count);
  }
  header(out, "disparo_sandbox_injected_errors_total",
         "Failures injected by the behaviour document: scripted errors, connection resets, HTTP 5xx");
  for (const auto& [kind, count] : injected_) {
    sample(out, "disparo_sandbox_injected_errors_total", "kind", kind, "", "", count);
  }
  header(out, "disparo_sandbox_webhook_attempts_total", "Webhook POST attempts, by provider and outcome");
  for (const auto& [labels, count] : webhook_attempts_) {
    sample(out, "disparo_sandbox_webhook_attempts_total", "provider", labels.first, "outcome", labels.second, count);
  }
  header(out, "disparo_sandbox_webhooks_total", "Webhooks finished: delivered, or failed after the last retry");
  for (const auto& [labels, count] : webhooks_) {
    sample(out, "disparo_sandbox_webhooks_total", "provider", labels.first, "result", labels.second, count);
  }
  return out + process_metrics_text();
}

}  // namespace disparo::sandbox
