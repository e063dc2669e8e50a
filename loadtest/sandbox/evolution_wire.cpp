#include "loadtest/sandbox/evolution_wire.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include <simdjson.h>

#include "adapters/http/message.hpp"
#include "common/crypto.hpp"
#include "common/json_writer.hpp"

namespace disparo::sandbox {
namespace {

namespace dom = simdjson::dom;
using Messages = std::vector<std::string>;

constexpr std::array<std::string_view, 5> kActions = {"sendText", "sendMedia", "sendWhatsAppAudio",
                                                      "sendContact", "sendButtons"};
constexpr std::array<std::string_view, 4> kMediaTypes = {"image", "document", "video", "audio"};
constexpr std::int64_t kMaxDelayMs = 300'000;

// Messages in the style of the jsonschema validator Evolution uses.
std::string requires_property(std::string_view where, std::string_view name) {
  return std::string(where) + " requires property \"" + std::string(name) + "\"";
}
std::string not_of_type(std::string_view where, std::string_view name, std::string_view type) {
  return std::string(where) + "." + std::string(name) + " is not of a type(s) " + std::string(type);
}

// A required string member; false (with a message) when absent, not a string or empty.
bool required_string(dom::object obj, std::string_view where, std::string_view key,
                     std::string_view& out, Messages& errors) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) {
    errors.push_back(requires_property(where, key));
    return false;
  }
  if (e.get_string().get(out) != simdjson::SUCCESS) {
    errors.push_back(not_of_type(where, key, "string"));
    return false;
  }
  if (out.empty()) {
    errors.push_back(std::string(where) + "." + std::string(key) + " does not meet minimum length of 1");
    return false;
  }
  return true;
}

std::string_view optional_string(dom::object obj, std::string_view key, Messages& errors,
                                 std::string_view where = "instance") {
  dom::element e;
  std::string_view out;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return out;
  if (e.get_string().get(out) != simdjson::SUCCESS) errors.push_back(not_of_type(where, key, "string"));
  return out;
}

// "5511987654321", "+55 11 98765-4321" or "5511987654321@s.whatsapp.net" -> digits.
std::string number_digits(std::string_view number) {
  const auto at = number.find('@');
  if (at != std::string_view::npos) number = number.substr(0, at);
  std::string out;
  for (char c : number) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

void parse_text(dom::object root, EvolutionSend& out, Messages& errors) {
  std::string_view text;
  if (!required_string(root, "instance", "text", text, errors)) return;
  JsonWriter w;
  w.begin_object().field("conversation", text).end_object();
  out.message_type = "conversation";
  out.message_json = std::move(w).str();
}

void parse_media(dom::object root, EvolutionSend& out, Messages& errors) {
  std::string_view mediatype, media;
  if (required_string(root, "instance", "mediatype", mediatype, errors) &&
      std::find(kMediaTypes.begin(), kMediaTypes.end(), mediatype) == kMediaTypes.end()) {
    errors.push_back("instance.mediatype is not one of enum values: image,document,video,audio");
  }
  required_string(root, "instance", "media", media, errors);
  const std::string_view caption = optional_string(root, "caption", errors);
  const std::string_view file_name = optional_string(root, "fileName", errors);
  std::string_view mimetype = optional_string(root, "mimetype", errors);
  if (!errors.empty()) return;
  if (mimetype.empty()) {
    mimetype = mediatype == "image"      ? "image/png"
               : mediatype == "video"    ? "video/mp4"
               : mediatype == "audio"    ? "audio/mp4"
                                         : "application/pdf";
  }
  out.message_type = std::string(mediatype) + "Message";
  JsonWriter w;
  w.begin_object().key(out.message_type).begin_object();
  w.field("url", media).field("mimetype", mimetype);
  if (!caption.empty()) w.field("caption", caption);
  if (mediatype == "document") w.field("fileName", file_name.empty() ? "document" : file_name);
  w.end_object().end_object();
  out.message_json = std::move(w).str();
}

void parse_audio(dom::object root, EvolutionSend& out, Messages& errors) {
  std::string_view audio;
  if (!required_string(root, "instance", "audio", audio, errors)) return;
  // Sent as a voice note: PTT, OGG/Opus (reference 2.2).
  out.message_type = "audioMessage";
  JsonWriter w;
  w.begin_object().key("audioMessage").begin_object();
  w.field("url", audio).field("mimetype", "audio/ogg; codecs=opus").field("ptt", true);
  w.end_object().end_object();
  out.message_json = std::move(w).str();
}

void parse_contact(dom::object root, EvolutionSend& out, Messages& errors) {
  dom::element e;
  dom::array contacts;
  if (root.at_key("contact").get(e) != simdjson::SUCCESS) {
    errors.push_back(requires_property("instance", "contact"));
    return;
  }
  if (e.get_array().get(contacts) != simdjson::SUCCESS) {
    errors.push_back(not_of_type("instance", "contact", "array"));
    return;
  }
  if (contacts.size() == 0) {
    errors.push_back("instance.contact does not meet minimum length of 1");
    return;
  }
  struct Card {
    std::string_view name, phone;
  };
  std::vector<Card> cards;
  std::size_t i = 0;
  for (dom::element item : contacts) {
    const std::string where = "instance.contact[" + std::to_string(i++) + "]";
    dom::object c;
    if (item.get_object().get(c) != simdjson::SUCCESS) {
      errors.push_back(where + " is not of a type(s) object");
      continue;
    }
    Card card;
    required_string(c, where, "fullName", card.name, errors);
    if (required_string(c, where, "phoneNumber", card.phone, errors) && card.phone.size() < 10) {
      errors.push_back(where + ".phoneNumber does not meet minimum length of 10");
    }
    cards.push_back(card);
  }
  if (!errors.empty()) return;
  auto vcard = [](const Card& c) {
    return "BEGIN:VCARD\nVERSION:3.0\nN:" + std::string(c.name) + "\nFN:" + std::string(c.name) +
           "\nTEL;type=CELL;waid=" + number_digits(c.phone) + ":" + std::string(c.phone) +
           "\nEND:VCARD";
  };
  JsonWriter w;
  w.begin_object();
  if (cards.size() == 1) {
    out.message_type = "contactMessage";
    w.key("contactMessage").begin_object();
    w.field("displayName", cards[0].name).field("vcard", vcard(cards[0]));
    w.end_object();
  } else {
    out.message_type = "contactsArrayMessage";
    w.key("contactsArrayMessage").begin_object();
    w.field("displayName", std::to_string(cards.size()) + " contacts");
    w.key("contacts").begin_array();
    for (const Card& c : cards) {
      w.begin_object().field("displayName", c.name).field("vcard", vcard(c)).end_object();
    }
    w.end_array().end_object();
  }
  w.end_object();
  out.message_json = std::move(w).str();
}

void parse_buttons(dom::object root, EvolutionSend& out, Messages& errors) {
  std::string_view title, description;
  required_string(root, "instance", "title", title, errors);
  required_string(root, "instance", "description", description, errors);
  const std::string_view footer = optional_string(root, "footer", errors);
  dom::element e;
  dom::array buttons;
  if (root.at_key("buttons").get(e) != simdjson::SUCCESS) {
    errors.push_back(requires_property("instance", "buttons"));
    return;
  }
  if (e.get_array().get(buttons) != simdjson::SUCCESS) {
    errors.push_back(not_of_type("instance", "buttons", "array"));
    return;
  }
  if (buttons.size() == 0) errors.push_back("instance.buttons does not meet minimum length of 1");
  std::size_t replies = 0, others = 0, pix = 0, i = 0;
  JsonWriter list;
  list.begin_array();
  for (dom::element item : buttons) {
    const std::string where = "instance.buttons[" + std::to_string(i++) + "]";
    dom::object b;
    if (item.get_object().get(b) != simdjson::SUCCESS) {
      errors.push_back(where + " is not of a type(s) object");
      continue;
    }
    std::string_view type;
    if (!required_string(b, where, "type", type, errors)) continue;
    if (type == "reply") {
      ++replies;
    } else if (type == "pix") {
      ++pix;
    } else if (type == "copy" || type == "url" || type == "call") {
      ++others;
    } else {
      errors.push_back(where + ".type is not one of enum values: reply,copy,url,call,pix");
      continue;
    }
    const std::string_view text = optional_string(b, "displayText", errors, where);
    const std::string_view id = optional_string(b, "id", errors, where);
    list.begin_object().field("type", type).field("displayText", text).field("id", id).end_object();
  }
  list.end_array();
  // The service's rules (reference 2.2): at most 3 reply buttons, replies not mixed with other
  // types, one PIX button alone.
  if (replies > 3) errors.push_back("Maximum of 3 reply buttons allowed");
  if (replies > 0 && (others > 0 || pix > 0)) errors.push_back("Reply buttons cannot be mixed with other types");
  if (pix > 1 || (pix == 1 && (others > 0 || replies > 0))) {
    errors.push_back("Only one PIX button is allowed and it cannot be mixed with other buttons");
  }
  if (!errors.empty()) return;
  out.message_type = "buttonsMessage";
  JsonWriter w;
  w.begin_object().key("buttonsMessage").begin_object();
  w.field("title", title).field("contentText", description).field("footerText", footer);
  w.field_raw("buttons", list.str());
  w.end_object().end_object();
  out.message_json = std::move(w).str();
}

}  // namespace

bool is_evolution_send_action(std::string_view action) {
  return std::find(kActions.begin(), kActions.end(), action) != kActions.end();
}

std::string render_evolution_error(int status, std::string_view message_json) {
  JsonWriter w;
  w.begin_object();
  w.field("status", status);
  w.field("error", http::reason_phrase(status));
  w.key("response").begin_object().field_raw("message", message_json).end_object();
  w.end_object();
  return std::move(w).str();
}

std::string render_evolution_error(int status, const std::vector<std::string>& messages) {
  JsonWriter list;
  list.begin_array();
  for (const auto& m : messages) list.value(m);
  list.end_array();
  return render_evolution_error(status, list.str());
}

struct EvolutionSendParser::Impl {
  dom::parser parser;
};

EvolutionSendParser::EvolutionSendParser() : impl_(std::make_unique<Impl>()) {}
EvolutionSendParser::~EvolutionSendParser() = default;

std::variant<EvolutionSend, EvolutionInvalid> EvolutionSendParser::parse(std::string_view action,
                                                                         std::string_view body) {
  dom::element doc;
  dom::object root;
  if (impl_->parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS) {
    return EvolutionInvalid{{"instance is not of a type(s) object"}};
  }
  Messages errors;
  EvolutionSend out;
  std::string_view number;
  if (required_string(root, "instance", "number", number, errors)) {
    out.number = number_digits(number);
    if (out.number.size() < 8) errors.push_back("instance.number is not a valid phone number");
  }
  dom::element e;
  if (root.at_key("delay").get(e) == simdjson::SUCCESS) {
    std::int64_t delay = 0;
    if (e.get_int64().get(delay) != simdjson::SUCCESS) {
      errors.push_back(not_of_type("instance", "delay", "integer"));
    } else if (delay < 0 || delay > kMaxDelayMs) {
      errors.push_back("instance.delay must be between 0 and " + std::to_string(kMaxDelayMs));
    } else {
      out.delay_ms = delay;
    }
  }
  if (action == "sendText") parse_text(root, out, errors);
  else if (action == "sendMedia") parse_media(root, out, errors);
  else if (action == "sendWhatsAppAudio") parse_audio(root, out, errors);
  else if (action == "sendContact") parse_contact(root, out, errors);
  else if (action == "sendButtons") parse_buttons(root, out, errors);
  if (!errors.empty()) return EvolutionInvalid{std::move(errors)};
  return out;
}

std::string render_stored_message(const StoredMessage& m) {
  JsonWriter w;
  w.begin_object();
  w.key("key").begin_object();
  w.field("remoteJid", m.remote_jid).field("fromMe", m.from_me).field("id", m.key_id);
  w.end_object();
  w.field("pushName", m.push_name);
  w.field("status", m.status);
  w.field_raw("message", m.message_json);
  w.field_null("contextInfo");
  w.field("messageType", m.message_type);
  w.field("messageTimestamp", m.timestamp);
  w.field("instanceId", m.instance_id);
  w.field("source", m.source);
  w.end_object();
  return std::move(w).str();
}

std::string render_evolution_status(const EvolutionStatusUpdate& u) {
  JsonWriter w;
  w.begin_object();
  w.field("keyId", u.key_id);
  w.field("remoteJid", u.remote_jid);
  w.field("fromMe", true);
  w.field_null("participant");
  w.field("status", u.status);
  w.field("instanceId", u.instance_id);
  w.field("messageId", crypto::sha256_hex(u.key_id).substr(0, 25));  // the DB row id
  w.end_object();
  return std::move(w).str();
}

std::string evolution_status_for(std::string_view cloud_status) {
  if (cloud_status == "sent") return "SERVER_ACK";
  if (cloud_status == "delivered") return "DELIVERY_ACK";
  if (cloud_status == "read") return "READ";
  return "ERROR";
}

std::string iso_time_ms(std::int64_t unix_us) {
  const std::time_t seconds = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  const int ms = static_cast<int>((unix_us / 1000) % 1000);
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buffer;
}

std::string render_evolution_envelope(const EvolutionTarget& t, std::string_view event,
                                      std::string_view data_json, std::int64_t now_us) {
  JsonWriter w;
  w.begin_object();
  w.field("event", event);
  w.field("instance", t.instance);
  w.field_raw("data", data_json);
  w.field("destination", t.url);
  w.field("date_time", iso_time_ms(now_us));
  w.field("sender", t.sender);
  w.field("server_url", t.server_url);
  w.field("apikey", t.apikey);
  w.end_object();
  return std::move(w).str();
}

std::string render_connection_update(std::string_view instance, std::string_view state,
                                     int status_reason, std::string_view owner_jid) {
  JsonWriter w;
  w.begin_object();
  w.field("instance", instance);
  if (state == "open") {
    w.field("wuid", owner_jid);
    w.field("profileName", "Disparo Sandbox");
  }
  w.field("state", state);
  w.field("statusReason", status_reason);
  w.end_object();
  return std::move(w).str();
}

std::string render_qrcode_updated(std::string_view instance, std::string_view code,
                                  std::string_view pairing_code) {
  JsonWriter w;
  w.begin_object().key("qrcode").begin_object();
  w.field("instance", instance);
  w.field("pairingCode", pairing_code);
  w.field("code", code);
  // Not a real PNG: the code itself, base64-encoded, behind the data-URL prefix Evolution uses.
  w.field("base64", "data:image/png;base64," + crypto::base64_encode(code));
  w.end_object().end_object();
  return std::move(w).str();
}

}  // namespace disparo::sandbox
