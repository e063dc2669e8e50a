#include "adapters/whatsapp/evolution_wire.hpp"

#include <simdjson.h>

#include "common/json_writer.hpp"
#include "common/overloaded.hpp"

namespace disparo::whatsapp {

using dispatch::OutcomeClass;
using dispatch::SendOutcome;

namespace {

std::string digits_of(std::string_view e164) {
  std::string digits;
  for (char c : e164) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

SendOutcome outcome_of(OutcomeClass outcome, int status, std::string code, std::string detail) {
  SendOutcome result;
  result.outcome = outcome;
  result.http_status = status;
  result.error_code = std::move(code);
  result.detail = std::move(detail);
  return result;
}

std::string cut(std::string_view text, std::size_t max = 300) {
  std::size_t n = std::min(text.size(), max);
  while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return std::string(text.substr(0, n));
}

}  // namespace

std::variant<EvolutionCall, SendOutcome> build_evolution_call(const dispatch::OutboundMessage& message) {
  const std::string number = digits_of(message.recipient);
  JsonWriter json;
  json.begin_object();
  json.field("number", number);
  std::string action;
  bool refused = false;
  std::visit(Overloaded{[&](const dispatch::TextContent& text) {
                          action = "sendText";
                          json.field("text", text.body).field("linkPreview", text.preview_url);
                        },
                        [&](const dispatch::TemplateContent&) { refused = true; },
                        [&](const dispatch::MediaContent& media) {
                          if (media.type == "audio" && media.voice) {
                            action = "sendWhatsAppAudio";  // sent as PTT (voice note)
                            json.field("audio", media.url);
                            return;
                          }
                          action = "sendMedia";
                          json.field("mediatype", media.type).field("media", media.url);
                          if (!media.caption.empty() && media.type != "audio") json.field("caption", media.caption);
                          if (!media.filename.empty()) json.field("fileName", media.filename);
                        },
                        [&](const dispatch::ContactContent& contact) {
                          action = "sendContact";
                          json.key("contact").begin_array();
                          for (const auto& phone : contact.phones) {
                            json.begin_object().field("fullName", contact.name).field("phoneNumber", phone);
                            json.field("wuid", digits_of(phone));
                            if (!contact.organization.empty()) json.field("organization", contact.organization);
                            if (!contact.email.empty()) json.field("email", contact.email);
                            json.end_object();
                          }
                          json.end_array();
                        },
                        [&](const dispatch::ButtonsContent& buttons) {
                          action = "sendButtons";
                          json.field("title", buttons.header).field("description", buttons.body);
                          json.field("footer", buttons.footer);
                          json.key("buttons").begin_array();
                          for (const auto& button : buttons.buttons) {
                            json.begin_object().field("type", "reply").field("displayText", button.title);
                            json.field("id", button.id).end_object();
                          }
                          json.end_array();
                        }},
             message.content);
  if (refused) {
    return outcome_of(OutcomeClass::config_error, 0, "template_not_supported",
                      "templates are sent only through Cloud API sessions");
  }
  json.end_object();
  return EvolutionCall{std::move(action), std::move(json).str()};
}

SendOutcome read_evolution_response(int http_status, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const bool parsed = parser.parse(body.data(), body.size()).get(root) == simdjson::SUCCESS && root.is_object();
  if (http_status >= 200 && http_status < 300) {
    std::string_view id;
    if (parsed && root.at_pointer("/key/id").get(id) == simdjson::SUCCESS && !id.empty()) {
      SendOutcome result;
      result.outcome = OutcomeClass::accepted;
      result.http_status = http_status;
      result.provider_message_id = std::string(id);
      std::string_view jid;
      // The resolved JID (may lack the Brazilian ninth digit): statuses come back with it.
      if (root.at_pointer("/key/remoteJid").get(jid) == simdjson::SUCCESS) result.wa_id = std::string(jid);
      return result;
    }
    return outcome_of(OutcomeClass::unknown, http_status, "", "2xx answer without key.id");
  }
  // Error envelope: response.message is an array of strings or of {jid, exists, number}.
  std::string detail;
  simdjson::dom::array messages;
  if (parsed && root.at_pointer("/response/message").get(messages) == simdjson::SUCCESS) {
    for (auto item : messages) {
      bool exists = true;
      if (item.is_object() && item["exists"].get(exists) == simdjson::SUCCESS && !exists) {
        return outcome_of(OutcomeClass::permanent, http_status, std::string(kEvolutionNotOnWhatsApp),
                          "the number is not on WhatsApp");
      }
      std::string_view text;
      if (item.get(text) == simdjson::SUCCESS && detail.empty()) detail = cut(text);
    }
  }
  if (detail.empty()) detail = "HTTP " + std::to_string(http_status) + " from Evolution API";
  const std::string code = "http_" + std::to_string(http_status);
  // 401/403: wrong apikey; 404: no such instance. Both need a person: pause the session.
  if (http_status == 401 || http_status == 403 || http_status == 404) {
    return outcome_of(OutcomeClass::pause_session, http_status, code, detail);
  }
  if (http_status == 429) return outcome_of(OutcomeClass::slow_down, http_status, code, detail);
  if (http_status >= 500) {
    // "Connection Closed": the phone is disconnected; retrying will not help until it reconnects.
    if (detail.find("Connection Closed") != std::string::npos || detail.find("not connected") != std::string::npos) {
      return outcome_of(OutcomeClass::pause_session, http_status, code, detail);
    }
    return outcome_of(OutcomeClass::transient, http_status, code, detail);
  }
  return outcome_of(OutcomeClass::permanent, http_status, code, detail);
}

}  // namespace disparo::whatsapp
