#include "dispatcher/cloud_api_webhook.hpp"

#include <algorithm>
#include <charconv>

#include <simdjson.h>

#include "common/unix_time.hpp"

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
  return provider_unix_seconds(value);  // negative or past year 9999: 0 (found by the fuzz targets)
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

std::string cut_utf8(std::string_view text, std::size_t max) {
  std::size_t cut = std::min<std::size_t>(text.size(), max);
  while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

// A string, or a number written as text (Meta writes some ids as numbers).
std::string string_or_number(element object, const char* key) {
  std::string_view text;
  if (object[key].get(text) == simdjson::SUCCESS) return cut_utf8(text, 200);
  std::int64_t number = 0;
  if (object[key].get(number) == simdjson::SUCCESS) return std::to_string(number);
  return {};
}

void read_inbound(element message, const std::string& phone_number_id, CloudApiWebhook& out) {
  if (!message.is_object()) return;
  InboundMessage in;
  in.phone_number_id = phone_number_id;
  in.from = cut_utf8(string_at(message, "from"), 100);
  in.provider_message_id = cut_utf8(string_at(message, "id"), 200);
  in.timestamp = parse_unix_seconds(string_at(message, "timestamp"));
  in.type = cut_utf8(string_at(message, "type"), 40);
  std::string_view text;
  if (message.at_pointer("/text/body").get(text) == simdjson::SUCCESS ||
      message.at_pointer("/button/text").get(text) == simdjson::SUCCESS ||
      message.at_pointer("/button/payload").get(text) == simdjson::SUCCESS ||
      message.at_pointer("/interactive/button_reply/title").get(text) == simdjson::SUCCESS ||
      message.at_pointer("/interactive/list_reply/title").get(text) == simdjson::SUCCESS) {
    in.text = cut_utf8(text, 1024);
  }
  if (in.from.empty()) return;
  out.inbound.push_back(std::move(in));
}

bool read_template_update(element value, const std::string& waba_id, CloudApiWebhook& out) {
  TemplateStatusUpdate update;
  update.waba_id = waba_id;
  update.event = cut_utf8(string_at(value, "event"), 40);
  update.name = cut_utf8(string_at(value, "message_template_name"), 512);
  update.language = cut_utf8(string_at(value, "message_template_language"), 20);
  update.template_id = string_or_number(value, "message_template_id");
  update.reason = cut_utf8(string_at(value, "reason"), 200);
  if (update.event.empty() || update.name.empty() || update.language.empty()) return false;
  out.templates.push_back(std::move(update));
  return true;
}

bool read_quality_update(element value, const std::string& waba_id, CloudApiWebhook& out) {
  QualityUpdate update;
  update.waba_id = waba_id;
  update.phone_number_id = string_or_number(value, "phone_number_id");
  update.display_phone_number = string_or_number(value, "display_phone_number");
  update.event = cut_utf8(string_at(value, "event"), 40);
  update.quality = cut_utf8(string_at(value, "quality_rating"), 20);
  if (update.quality.empty()) update.quality = cut_utf8(string_at(value, "quality"), 20);
  update.tier = cut_utf8(string_at(value, "current_limit"), 40);
  if (update.tier.empty()) update.tier = string_or_number(value, "max_daily_conversations_per_business");
  if (update.event.empty() && update.quality.empty() && update.tier.empty()) return false;
  if (update.phone_number_id.empty() && update.display_phone_number.empty() && update.waba_id.empty()) return false;
  out.quality.push_back(std::move(update));
  return true;
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
    const std::string waba_id = string_or_number(entry, "id");
    for (element change : changes) {
      element value;
      std::string_view field;
      if (!change.is_object() || change["field"].get(field) != simdjson::SUCCESS ||
          change["value"].get(value) != simdjson::SUCCESS || !value.is_object()) {
        ++result.other_changes;
        continue;
      }
      if (field == "message_template_status_update") {
        if (!read_template_update(value, waba_id, result)) ++result.other_changes;
        continue;
      }
      if (field == "phone_number_quality_update") {
        if (!read_quality_update(value, waba_id, result)) ++result.other_changes;
        continue;
      }
      if (field != "messages") {
        ++result.other_changes;
        continue;
      }
      std::string phone_number_id;
      std::string_view pnid;
      if (value.at_pointer("/metadata/phone_number_id").get(pnid) == simdjson::SUCCESS) {
        phone_number_id = std::string(pnid);
      }
      simdjson::dom::array statuses;
      simdjson::dom::array messages;
      const bool has_statuses = value["statuses"].get(statuses) == simdjson::SUCCESS;
      const bool has_messages = value["messages"].get(messages) == simdjson::SUCCESS;
      if (!has_statuses && !has_messages) {
        ++result.other_changes;
        continue;
      }
      if (has_statuses) {
        for (element status : statuses) read_status(status, phone_number_id, result);
      }
      if (has_messages) {
        for (element message : messages) read_inbound(message, phone_number_id, result);
      }
    }
  }
  return result;
}

}  // namespace disparo::dispatch
