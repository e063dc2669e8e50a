// Fuzzes parse_cloud_api_webhook, the reader of the status webhooks Meta (or anyone who finds
// the URL) POSTs to the dispatcher. Byte 0-2 are the harness's steering bytes (unused here: the
// body is parsed whole); the rest is the body. Checks that parsing never crashes or throws, is
// deterministic, that every report carries what the store needs in valid UTF-8 with a bounded
// detail, and that the reports survive being written back as a notification and read again.
#include <string>

#include <simdjson.h>

#include "common/json_writer.hpp"
#include "dispatcher/cloud_api_webhook.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/split_input.hpp"

namespace {

using disparo::dispatch::ProviderStatusReport;

bool valid_utf8(const std::string& text) { return simdjson::validate_utf8(text.data(), text.size()); }

bool same(const ProviderStatusReport& a, const ProviderStatusReport& b) {
  return a.phone_number_id == b.phone_number_id && a.provider_message_id == b.provider_message_id &&
         a.status == b.status && a.timestamp == b.timestamp && a.recipient_id == b.recipient_id &&
         a.callback_data == b.callback_data && a.error_code == b.error_code && a.error_detail == b.error_detail;
}

// One change per report, in Meta's shape, with the fields the parser reads.
std::string rewrite(const std::vector<ProviderStatusReport>& reports) {
  disparo::JsonWriter json;
  json.begin_object().field("object", "whatsapp_business_account").key("entry").begin_array();
  json.begin_object().field("id", "1").key("changes").begin_array();
  for (const auto& r : reports) {
    json.begin_object().field("field", "messages").key("value").begin_object();
    json.key("metadata").begin_object().field("phone_number_id", r.phone_number_id).end_object();
    json.key("statuses").begin_array().begin_object();
    json.field("id", r.provider_message_id).field("status", r.status);
    json.field("timestamp", std::to_string(r.timestamp));
    if (!r.recipient_id.empty()) json.field("recipient_id", r.recipient_id);
    if (!r.callback_data.empty()) json.field("biz_opaque_callback_data", r.callback_data);
    if (!r.error_code.empty() || !r.error_detail.empty()) {
      json.key("errors").begin_array().begin_object();
      if (!r.error_code.empty()) json.field_raw("code", r.error_code);
      if (!r.error_detail.empty()) json.key("error_data").begin_object().field("details", r.error_detail).end_object();
      json.end_object().end_array();
    }
    json.end_object().end_array().end_object().end_object();
  }
  json.end_array().end_object().end_array().end_object();
  return std::move(json).str();
}

}  // namespace

DISPARO_FUZZ_TARGET(cloud_api_webhook) {
  using disparo::dispatch::parse_cloud_api_webhook;
  const auto in = disparo::fuzz::split_input(data, size);
  const auto parsed = parse_cloud_api_webhook(in.whole);
  const auto again = parse_cloud_api_webhook(in.whole);
  DISPARO_FUZZ_CHECK(bool(parsed) == bool(again));
  if (!parsed) {
    DISPARO_FUZZ_CHECK(parsed.error().kind == disparo::ErrorKind::invalid_argument);
    return 0;
  }
  DISPARO_FUZZ_CHECK(parsed->statuses.size() == again->statuses.size());
  DISPARO_FUZZ_CHECK(parsed->other_changes == again->other_changes);
  // Nothing is invented: every report and skipped change came from some bytes of the body.
  DISPARO_FUZZ_CHECK(parsed->statuses.size() + parsed->other_changes <= in.whole.size());
  for (std::size_t i = 0; i < parsed->statuses.size(); ++i) {
    const auto& r = parsed->statuses[i];
    DISPARO_FUZZ_CHECK(same(r, again->statuses[i]));
    DISPARO_FUZZ_CHECK(!r.provider_message_id.empty());
    DISPARO_FUZZ_CHECK(!r.status.empty());
    DISPARO_FUZZ_CHECK(r.error_detail.size() <= 500);
    DISPARO_FUZZ_CHECK(r.timestamp >= 0 && r.timestamp <= disparo::fuzz::kLatestUnixSeconds);
    // Everything here goes into PostgreSQL text columns (UTF-8).
    for (const auto* text : {&r.phone_number_id, &r.provider_message_id, &r.status, &r.recipient_id,
                             &r.callback_data, &r.error_code, &r.error_detail}) {
      DISPARO_FUZZ_CHECK(valid_utf8(*text));
    }
    DISPARO_FUZZ_CHECK(r.error_code.empty() || r.error_code.find_first_not_of("-0123456789") == std::string::npos);
  }
  // What we read, written back in Meta's shape, reads the same.
  const auto reread = parse_cloud_api_webhook(rewrite(parsed->statuses));
  DISPARO_FUZZ_CHECK(bool(reread));
  DISPARO_FUZZ_CHECK(reread->statuses.size() == parsed->statuses.size());
  DISPARO_FUZZ_CHECK(reread->other_changes == 0);
  for (std::size_t i = 0; i < parsed->statuses.size(); ++i) {
    DISPARO_FUZZ_CHECK(same(reread->statuses[i], parsed->statuses[i]));
  }
  return 0;
}
