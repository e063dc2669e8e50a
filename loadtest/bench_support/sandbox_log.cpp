#include "loadtest/bench_support/sandbox_log.hpp"

#include <charconv>
#include <string_view>

#include <simdjson.h>

namespace disparo::bench {

Expected<SandboxLog> fetch_sandbox_log(HttpConnection& sandbox) {
  auto response = sandbox.request("GET", "/_sandbox/requests");
  if (!response) return response.error();
  if (response->status != 200) {
    return make_error(ErrorKind::internal, "GET /_sandbox/requests answered " + std::to_string(response->status));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(response->body).get(root) != simdjson::SUCCESS) {
    return make_error(ErrorKind::internal, "GET /_sandbox/requests is not JSON");
  }
  SandboxLog log;
  std::int64_t dropped = 0;
  if (root["dropped"].get(dropped) == simdjson::SUCCESS) log.dropped = dropped;
  simdjson::dom::array requests;
  if (root["requests"].get(requests) != simdjson::SUCCESS) {
    return make_error(ErrorKind::internal, "GET /_sandbox/requests has no requests array");
  }
  log.requests.reserve(requests.size());
  for (simdjson::dom::element item : requests) {
    SandboxRequest request;
    std::int64_t value = 0;
    if (item["received_at_us"].get(value) == simdjson::SUCCESS) request.received_us = value;
    if (item["status"].get(value) == simdjson::SUCCESS) request.status = static_cast<int>(value);
    std::string_view callback_data;  // the dispatcher puts the message id there
    if (item["biz_opaque_callback_data"].get(callback_data) == simdjson::SUCCESS) {
      std::from_chars(callback_data.data(), callback_data.data() + callback_data.size(), request.message_id);
    }
    log.requests.push_back(request);
  }
  return log;
}

Expected<void> clear_sandbox_log(HttpConnection& sandbox) {
  auto response = sandbox.request("DELETE", "/_sandbox/requests");
  if (!response) return response.error();
  if (response->status / 100 != 2) {
    return make_error(ErrorKind::internal, "DELETE /_sandbox/requests answered " + std::to_string(response->status));
  }
  return {};
}

}  // namespace disparo::bench
