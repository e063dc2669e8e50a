#include "loadtest/sandbox/cloud_api_wire.hpp"

#include <algorithm>
#include <charconv>

#include "common/json_writer.hpp"

namespace disparo::sandbox {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

MetaError invalid_token_error() {
  return MetaError{401, 190, "Invalid OAuth access token - Cannot parse access token", {}};
}

MetaError invalid_parameter(std::string details) {
  return MetaError{400, 100, "Invalid parameter", std::move(details)};
}

MetaError missing_parameter(std::string details) {
  return MetaError{400, 131008, "Required parameter is missing", std::move(details)};
}

MetaError unknown_path_error(std::string_view path) {
  return MetaError{404, 100, "Invalid parameter", "Unknown path components: " + std::string(path)};
}

std::string render_error(const MetaError& error, std::string_view fbtrace_id) {
  disparo::JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("message", "(#" + std::to_string(error.code) + ") " + error.title);
  w.field("type", "OAuthException");
  w.field("code", std::int64_t{error.code});
  if (!error.details.empty()) {
    w.key("error_data").begin_object();
    w.field("messaging_product", "whatsapp");
    w.field("details", error.details);
    w.end_object();
  }
  w.field("fbtrace_id", fbtrace_id);
  w.end_object().end_object();
  return std::move(w).str();
}

std::optional<MessagesPath> parse_messages_path(std::string_view path) {
  // Exactly three segments: "v<major>.<minor>", a numeric phone number id, "messages".
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  const auto first = path.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = path.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view version = path.substr(0, first);
  const std::string_view id = path.substr(first + 1, second - first - 1);
  if (path.substr(second + 1) != "messages") return std::nullopt;

  if (version.size() < 4 || version.front() != 'v') return std::nullopt;
  const auto dot = version.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view major_text = version.substr(1, dot - 1);
  if (!all_digits(major_text) || !all_digits(version.substr(dot + 1)) || major_text.size() > 3) {
    return std::nullopt;
  }
  if (!all_digits(id) || id.size() > 32) return std::nullopt;

  MessagesPath out;
  out.version = std::string(version);
  std::from_chars(major_text.data(), major_text.data() + major_text.size(), out.major);
  out.phone_number_id = std::string(id);
  return out;
}

std::string wa_id_for(std::string_view to, std::string_view recipient_type) {
  if (recipient_type == "group") return std::string(to);
  std::string digits;
  for (char c : to) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

std::string render_send_success(std::string_view input, std::string_view wa_id,
                                std::string_view wamid) {
  disparo::JsonWriter w;
  w.begin_object();
  w.field("messaging_product", "whatsapp");
  w.key("contacts").begin_array().begin_object();
  w.field("input", input).field("wa_id", wa_id);
  w.end_object().end_array();
  w.key("messages").begin_array().begin_object().field("id", wamid).end_object().end_array();
  w.end_object();
  return std::move(w).str();
}

namespace {

// The status webhook is the simulator's hottest output (three per accepted message), so it is
// appended by hand: a string of plain printable ASCII (every id, status and number) is copied
// as is, anything else goes through the project's escaper.
void append_string(std::string& out, std::string_view text) {
  out += '"';
  const bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  });
  if (plain) {
    out.append(text);
  } else {
    disparo::append_json_string_body(out, text);
  }
  out += '"';
}

void append_member(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out.append(key);
  out += "\":";
  append_string(out, value);
}

void write_status(std::string& out, const StatusUpdate& update) {
  out += "{\"id\":";
  append_string(out, update.wamid);
  append_member(out, "status", update.status);
  append_member(out, "timestamp", std::to_string(update.timestamp));
  append_member(out, "recipient_id", update.recipient_id);
  if (update.biz_opaque_callback_data) {
    append_member(out, "biz_opaque_callback_data", *update.biz_opaque_callback_data);
  }
  if (update.conversation) {
    const Conversation& c = *update.conversation;
    out += ",\"conversation\":{\"id\":";
    append_string(out, c.id);
    append_member(out, "expiration_timestamp", std::to_string(c.expiration_timestamp));
    out += ",\"origin\":{\"type\":";
    append_string(out, c.origin_type);
    out += "}}";
  }
  if (update.pricing) {
    const Pricing& p = *update.pricing;
    out += ",\"pricing\":{\"billable\":";
    out += p.billable ? "true" : "false";
    append_member(out, "pricing_model", p.pricing_model);
    append_member(out, "type", p.type);
    append_member(out, "category", p.category);
    out += '}';
  }
  if (update.error) {
    // Webhook errors carry code, title, message (= title), error_data.details and href; no
    // type and no fbtrace_id (reference 1.12).
    const MetaError& e = *update.error;
    out += ",\"errors\":[{\"code\":";
    out += std::to_string(e.code);
    append_member(out, "title", e.title);
    append_member(out, "message", e.title);
    out += ",\"error_data\":{\"details\":";
    append_string(out, e.details);
    out += '}';
    append_member(out, "href",
                  "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/");
    out += "}]";
  }
  out += '}';
}

}  // namespace

std::string render_status_webhook(const BusinessAccount& account, const StatusUpdate& update) {
  return render_status_batch(account.waba_id, account.display_phone_number,
                             {NumberStatus{account.phone_number_id, update}});
}

std::string render_status_batch(std::string_view waba_id, std::string_view display_phone_number,
                                const std::vector<NumberStatus>& statuses) {
  std::vector<std::string_view> numbers;  // phone number ids in order of first appearance
  for (const NumberStatus& s : statuses) {
    if (std::find(numbers.begin(), numbers.end(), s.phone_number_id) == numbers.end()) {
      numbers.push_back(s.phone_number_id);
    }
  }
  std::string out;
  out.reserve(200 + statuses.size() * 280);
  out += "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":";
  append_string(out, waba_id);
  out += ",\"changes\":[";
  bool first_change = true;
  for (std::string_view number : numbers) {
    if (!first_change) out += ',';
    first_change = false;
    out += "{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":";
    append_string(out, display_phone_number);
    append_member(out, "phone_number_id", number);
    out += "},\"statuses\":[";
    bool first_status = true;
    for (const NumberStatus& s : statuses) {
      if (s.phone_number_id != number) continue;
      if (!first_status) out += ',';
      first_status = false;
      write_status(out, s.update);
    }
    out += "]},\"field\":\"messages\"}";
  }
  out += "]}]}";
  return out;
}

Pricing pricing_for(std::string_view message_type) {
  if (message_type == "template") return Pricing{true, "PMP", "regular", "utility"};
  return Pricing{false, "PMP", "free_customer_service", "service"};
}

bool status_carries_pricing(std::string_view status) {
  return status == "sent" || status == "delivered";
}

bool api_includes_conversation(int api_major) {
  return api_major < 24;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

}  // namespace disparo::sandbox
