#include "dispatcher/cloud_api_webhook.hpp"

#include <algorithm>
#include <charconv>

#include <simdjson.h>

namespace disparo::dispatch {
namespace {

using simdjson::dom::element;

std::string string_at(element object, const char* key) {
  std::string_view value;
  if (object[key].get(value) == simdjson::SUCCESS) return std::string(value);
  return {};
}

std::int64_t parse_unix_seconds(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return value;
}

void read_status(element status, const std::string& phone_number_id, CloudApiWebhook& out) {
  if (!status.is_object()) return;
  ProviderStatusReport report;
  report.phone_number_id = phone_number_id;
  report.provider_message_id = string_at(status, "id");
  report.status = string_at(status, "status");
  report.timestamp = parse_unix_seconds(string_at(status, "timestamp"));
  report.recipient_id = string_at(status, "recipient_id");
  report.callback_data = string_at(status, "biz_opaque_callback_data");
  element first_error;
  if (status.at_pointer("/errors/0").get(first_error) == simdjson::SUCCESS) {
    std::int64_t code = 0;
    if (first_error["code"].get(code) == simdjson::SUCCESS) report.error_code = std::to_string(code);
    std::string_view detail;
    if (first_error.at_pointer("/error_data/details").get(detail) == simdjson::SUCCESS ||
        first_error["title"].get(detail) == simdjson::SUCCESS) {
      // Cut on a character boundary: PostgreSQL refuses a half UTF-8 sequence.
      std::size_t cut = std::min<std::size_t>(detail.size(), 500);
      while (cut < detail.size() && cut > 0 && (static_cast<unsigned char>(detail[cut]) & 0xC0) == 0x80) --cut;
      report.error_detail = std::string(detail.substr(0, cut));
    }
  }
  if (report.provider_message_id.empty() || report.status.empty()) return;
  out.statuses.push_back(std::move(report));
}

}  // namespace

Expected<CloudApiWebhook> parse_cloud_api_webhook(std::string_view body) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return make_error(ErrorKind::invalid_argument, "webhook body is not a JSON object");
  }
  std::string_view object_kind;
  if (root["object"].get(object_kind) != simdjson::SUCCESS ||
      object_kind != "whatsapp_business_account") {
    return make_error(ErrorKind::invalid_argument, "object is not whatsapp_business_account");
  }
  simdjson::dom::array entries;
  if (root["entry"].get(entries) != simdjson::SUCCESS) {
    return make_error(ErrorKind::invalid_argument, "entry must be an array");
  }
  CloudApiWebhook result;
  for (element entry : entries) {
    simdjson::dom::array changes;
    if (!entry.is_object() || entry["changes"].get(changes) != simdjson::SUCCESS) continue;
    for (element change : changes) {
      element value;
      std::string_view field;
      if (!change.is_object() || change["field"].get(field) != simdjson::SUCCESS ||
          field != "messages" || change["value"].get(value) != simdjson::SUCCESS) {
        ++result.other_changes;
        continue;
      }
      std::string phone_number_id;
      std::string_view pnid;
      if (value.at_pointer("/metadata/phone_number_id").get(pnid) == simdjson::SUCCESS) {
        phone_number_id = std::string(pnid);
      }
      simdjson::dom::array statuses;
      if (value["statuses"].get(statuses) != simdjson::SUCCESS) {
        ++result.other_changes;
        continue;
      }
      for (element status : statuses) read_status(status, phone_number_id, result);
    }
  }
  return result;
}

}  // namespace disparo::dispatch
