// Recorder: what the simulator saw and did, for tests and load-test reports.
//
// Keeps every provider-API request it received and every webhook and subscription attempt it
// made, oldest dropped past `capacity` (the count of dropped entries is reported), and renders
// them as JSON for GET /_sandbox/requests, /_sandbox/webhooks and /_sandbox/subscriptions.
// RecordDetail::lean keeps no headers, bodies or signatures (a long load test would otherwise
// hold hundreds of megabytes of them: ~6 KB per message with batched statuses).
// Not thread-safe: used from the io_context's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "adapters/http/message.hpp"
#include "loadtest/sandbox/sandbox_metrics.hpp"

namespace disparo::sandbox {

struct RecordedRequest {
  std::string provider = "cloud_api";  // "cloud_api" | "evolution"
  std::string method;
  std::string target;                // path and query as received
  http::Headers headers;             // Authorization already masked (mask_headers)
  std::string body;                  // raw
  std::int64_t received_at_us = 0;   // unix microseconds
  int status = 0;                    // the status we answered
  std::optional<std::string> wamid;  // assigned on success
  std::optional<int> error_code;     // Meta error code on failure
  std::optional<std::string> fault;  // "reset" | "http_5xx" when a behaviour injected one
  std::optional<std::string> biz_opaque_callback_data;  // of a well-formed Cloud API send
};

struct WebhookAttempt {
  std::string provider = "cloud_api";  // "cloud_api" | "evolution"
  std::string event = "statuses";      // "statuses", "messages", "messages.update", ...
  std::string wamid;   // message id(s): comma-joined for a batched POST; empty for other events
  std::string status;  // "sent" | "delivered" | "read" | "failed" | SERVER_ACK...; comma-joined
  http::Headers headers;  // extra headers sent (Evolution's custom headers)
  int attempt = 1;     // 1 = first try
  std::string url;
  std::string body;       // exact bytes sent
  std::string signature;  // X-Hub-Signature-256 value
  int http_status = 0;    // 0 when no response arrived
  std::string outcome;    // "delivered" | "http_error" | "unavailable" | "timeout" | "internal"
  std::string error;      // empty on success
  bool final = true;      // no retry follows this attempt
  std::int64_t sent_at_us = 0;
  std::int64_t duration_us = 0;
};

struct SubscriptionAttempt {
  int attempt = 1;
  std::string url;  // without the query we added
  std::string challenge;
  int http_status = 0;
  bool ok = false;      // 200 and the body equals the challenge
  std::string outcome;  // "verified" | "wrong_challenge" | "http_error" | "unavailable" | ...
  std::int64_t at_us = 0;
};

// Returns a copy with the credential part of Authorization replaced by mask_secret().
http::Headers mask_headers(const http::Headers& headers);

// What a record keeps: everything, or no headers, bodies and signatures (lean).
enum class RecordDetail { full, lean };

class Recorder {
 public:
  explicit Recorder(std::size_t capacity = 100'000, RecordDetail detail = RecordDetail::full)
      : capacity_(capacity), detail_(detail) {}

  // False with RecordDetail::lean: callers need not copy headers, bodies or signatures into a
  // record (add_request and add_webhook drop them anyway).
  bool keeps_payloads() const { return detail_ == RecordDetail::full; }

  void add_request(RecordedRequest request);
  void add_webhook(WebhookAttempt attempt);
  void add_subscription(SubscriptionAttempt attempt);
  // Clears requests and webhook attempts (DELETE /_sandbox/requests); subscriptions stay.
  void clear();

  const std::deque<RecordedRequest>& requests() const { return requests_; }
  const std::deque<WebhookAttempt>& webhooks() const { return webhooks_; }
  const std::deque<SubscriptionAttempt>& subscriptions() const { return subscriptions_; }

  std::string requests_json() const;       // {"requests":[...],"dropped":n}
  std::string webhooks_json() const;       // {"webhooks":[...],"dropped":n}
  std::string subscriptions_json() const;  // {"subscriptions":[...]}

  // Counters for GET /metrics: every webhook attempt is counted by add_webhook(); the service
  // counts requests and injected errors. clear() leaves them alone.
  SandboxMetrics& metrics() { return metrics_; }
  const SandboxMetrics& metrics() const { return metrics_; }

 private:
  std::size_t capacity_;
  RecordDetail detail_;
  std::deque<RecordedRequest> requests_;
  std::deque<WebhookAttempt> webhooks_;
  std::deque<SubscriptionAttempt> subscriptions_;
  std::uint64_t dropped_requests_ = 0;
  std::uint64_t dropped_webhooks_ = 0;
  SandboxMetrics metrics_;
};

}  // namespace disparo::sandbox
