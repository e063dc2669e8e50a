#include "dispatcher/inbound/evolution_webhook.hpp"

#include <algorithm>
#include <cctype>

#include <simdjson.h>

#include "common/unix_time.hpp"

namespace disparo::dispatch {
namespace {

using simdjson::dom::element;

std::string cut_utf8(std::string_view text, std::size_t max) {
  std::size_t cut = std::min<std::size_t>(text.size(), max);
  while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

std::string string_at(element object, const char* pointer, std::size_t max = 200) {
  std::string_view value;
  if (object.at_pointer(pointer).get(value) == simdjson::SUCCESS) return cut_utf8(value, max);
  return {};
}

// messageTimestamp is a number in v2 and a string in some examples (reference §2.3).
// Out of range (negative, past year 9999, or an unsigned beyond int64): 0, as when absent.
std::int64_t timestamp_of(element data) {
  std::int64_t number = 0;
  if (data["messageTimestamp"].get(number) == simdjson::SUCCESS) return provider_unix_seconds(number);
  std::string_view text;
  if (data["messageTimestamp"].get(text) == simdjson::SUCCESS && !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return provider_unix_seconds(std::stoll(std::string(text)));
  }
  return 0;
}

void read_status(element data, EvolutionWebhook& out) {
  if (!data.is_object()) return;
  bool from_me = true;
  if (data["fromMe"].get(from_me) == simdjson::SUCCESS && !from_me) return;  // a status of their message
  EvolutionStatus status;
  status.key_id = string_at(data, "/keyId");
  if (status.key_id.empty()) status.key_id = string_at(data, "/key/id");
  status.remote_jid = string_at(data, "/remoteJid", 100);
  if (status.remote_jid.empty()) status.remote_jid = string_at(data, "/key/remoteJid", 100);
  status.raw_status = string_at(data, "/status", 40);
  if (status.raw_status.empty()) status.raw_status = string_at(data, "/update/status", 40);
  status.status = std::string(lifecycle_of_evolution_status(status.raw_status));
  if (status.key_id.empty() || status.status.empty()) return;
  out.statuses.push_back(std::move(status));
}

void read_inbound(element data, EvolutionWebhook& out) {
  if (!data.is_object()) return;
  bool from_me = false;
  if (data.at_pointer("/key/fromMe").get(from_me) == simdjson::SUCCESS && from_me) return;  // sent from our phone
  InboundMessage in;
  in.from = string_at(data, "/key/remoteJid", 100);
  if (in.from.empty() || in.from.ends_with("@g.us") || in.from.ends_with("@broadcast")) return;
  in.provider_message_id = string_at(data, "/key/id");
  in.timestamp = timestamp_of(data);
  in.type = string_at(data, "/messageType", 40);
  for (const char* pointer : {"/message/conversation", "/message/extendedTextMessage/text",
                              "/message/buttonsResponseMessage/selectedDisplayText",
                              "/message/templateButtonReplyMessage/selectedDisplayText",
                              "/message/listResponseMessage/title"}) {
    std::string_view text;
    if (data.at_pointer(pointer).get(text) == simdjson::SUCCESS) {
      in.text = cut_utf8(text, 1024);
      break;
    }
  }
  out.inbound.push_back(std::move(in));
}

template <class Reader>
void for_each_item(element data, Reader read) {
  simdjson::dom::array items;
  if (data.get(items) == simdjson::SUCCESS) {
    for (element item : items) read(item);
  } else {
    read(data);
  }
}

}  // namespace

std::string_view lifecycle_of_evolution_status(std::string_view status) noexcept {
  if (status == "SERVER_ACK" || status == "SENT") return "sent";
  if (status == "DELIVERY_ACK" || status == "DELIVERED") return "delivered";
  if (status == "READ" || status == "PLAYED") return "read";
  if (status == "ERROR" || status == "FAILED") return "failed";
  return "";
}

Expected<EvolutionWebhook> parse_evolution_webhook(std::string_view body) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return make_error(ErrorKind::invalid_argument, "webhook body is not a JSON object");
  }
  EvolutionWebhook hook;
  std::string_view event;
  if (root["event"].get(event) != simdjson::SUCCESS || event.empty()) {
    return make_error(ErrorKind::invalid_argument, "event must be a non-empty string");
  }
  // With byEvents Evolution may send MESSAGES_UPDATE style names: compare in one spelling.
  std::string name = cut_utf8(event, 60);
  for (auto& c : name) c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  hook.event = name;
  hook.instance = string_at(root, "/instance", 100);
  element data;
  if (root["data"].get(data) != simdjson::SUCCESS) return hook;
  if (hook.event == "messages.update") {
    for_each_item(data, [&](element item) { read_status(item, hook); });
  } else if (hook.event == "messages.upsert") {
    for_each_item(data, [&](element item) { read_inbound(item, hook); });
  } else if (hook.event == "connection.update" && data.is_object()) {
    EvolutionConnection connection;
    connection.state = string_at(data, "/state", 40);
    std::int64_t reason = 0;
    if (data["statusReason"].get(reason) == simdjson::SUCCESS) connection.status_reason = reason;
    if (!connection.state.empty()) hook.connection = std::move(connection);
  } else if (hook.event == "qrcode.updated" && data.is_object()) {
    EvolutionQrCode qr;
    qr.code = string_at(data, "/qrcode/code", 4096);
    qr.pairing_code = string_at(data, "/qrcode/pairingCode", 64);
    qr.base64 = string_at(data, "/qrcode/base64", 65536);
    if (qr.code.empty() && qr.pairing_code.empty()) {  // some versions put them at data level
      qr.code = string_at(data, "/code", 4096);
      qr.pairing_code = string_at(data, "/pairingCode", 64);
      qr.base64 = string_at(data, "/base64", 65536);
    }
    if (!qr.code.empty() || !qr.pairing_code.empty()) hook.qrcode = std::move(qr);
  }
  return hook;
}

}  // namespace disparo::dispatch
