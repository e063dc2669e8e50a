#include "adapters/whatsapp/cloud_api_wire.hpp"

#include <simdjson.h>

#include "adapters/whatsapp/cloud_api_errors.hpp"
#include "common/json_writer.hpp"

namespace disparo::whatsapp {

using dispatch::OutcomeClass;
using dispatch::SendOutcome;

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void write_template(JsonWriter& json, const dispatch::TemplateContent& tpl) {
  json.key("template").begin_object();
  json.field("name", tpl.name);
  json.key("language").begin_object().field("code", tpl.language).end_object();
  if (!tpl.body_params.empty()) {
    json.key("components").begin_array().begin_object();
    json.field("type", "body");
    json.key("parameters").begin_array();
    for (const auto& param : tpl.body_params) {
      json.begin_object().field("type", "text").field("text", param).end_object();
    }
    json.end_array().end_object().end_array();
  }
  json.end_object();
}

void write_media(JsonWriter& json, const dispatch::MediaContent& media) {
  json.key(media.type).begin_object();
  json.field("link", media.url);
  if (!media.caption.empty() && media.type != "audio") json.field("caption", media.caption);
  if (!media.filename.empty() && media.type == "document") json.field("filename", media.filename);
  json.end_object();
}

void write_contact(JsonWriter& json, const dispatch::ContactContent& contact) {
  const auto space = contact.name.find(' ');
  json.key("contacts").begin_array().begin_object();
  json.key("name").begin_object();
  json.field("formatted_name", contact.name);
  json.field("first_name", contact.name.substr(0, space));
  json.end_object();
  json.key("phones").begin_array();
  for (const auto& phone : contact.phones) {
    std::string digits = phone.starts_with('+') ? phone.substr(1) : phone;
    // With wa_id the card offers "Message" instead of "Invite to WhatsApp" (reference §1.3).
    json.begin_object().field("phone", phone).field("type", "CELL").field("wa_id", digits).end_object();
  }
  json.end_array();
  json.end_object().end_array();
}

SendOutcome failure(OutcomeClass outcome, int status, std::string code, std::string detail) {
  SendOutcome result;
  result.outcome = outcome;
  result.http_status = status;
  result.error_code = std::move(code);
  result.detail = std::move(detail);
  return result;
}

}  // namespace

std::string build_cloud_api_body(const dispatch::OutboundMessage& message) {
  JsonWriter json;
  json.begin_object();
  json.field("messaging_product", "whatsapp");
  json.field("recipient_type", "individual");
  json.field("to", message.recipient.starts_with('+') ? message.recipient : "+" + message.recipient);
  json.field("biz_opaque_callback_data", std::to_string(message.id));
  std::visit(Overloaded{[&](const dispatch::TextContent& text) {
                          json.field("type", "text");
                          json.key("text").begin_object();
                          json.field("preview_url", text.preview_url).field("body", text.body);
                          json.end_object();
                        },
                        [&](const dispatch::TemplateContent& tpl) {
                          json.field("type", "template");
                          write_template(json, tpl);
                        },
                        [&](const dispatch::MediaContent& media) {
                          json.field("type", media.type);
                          write_media(json, media);
                        },
                        [&](const dispatch::ContactContent& contact) {
                          json.field("type", "contacts");
                          write_contact(json, contact);
                        }},
             message.content);
  json.end_object();
  return std::move(json).str();
}

SendOutcome read_cloud_api_response(int http_status, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const bool parsed = parser.parse(body.data(), body.size()).get(root) == simdjson::SUCCESS &&
                      root.is_object();
  if (http_status >= 200 && http_status < 300) {
    std::string_view id;
    if (parsed && root.at_pointer("/messages/0/id").get(id) == simdjson::SUCCESS && !id.empty()) {
      SendOutcome result;
      result.outcome = OutcomeClass::accepted;
      result.http_status = http_status;
      result.provider_message_id = std::string(id);
      std::string_view wa_id;
      if (root.at_pointer("/contacts/0/wa_id").get(wa_id) == simdjson::SUCCESS) {
        result.wa_id = std::string(wa_id);
      }
      return result;
    }
    // 2xx without a message id: we cannot know whether it will be sent.
    return failure(OutcomeClass::unknown, http_status, "", "2xx answer without messages[0].id");
  }
  int64_t code = 0;
  if (parsed && root.at_pointer("/error/code").get(code) == simdjson::SUCCESS) {
    std::string detail;
    std::string_view text;
    if (root.at_pointer("/error/error_data/details").get(text) == simdjson::SUCCESS) {
      detail = std::string(text);
    } else if (root.at_pointer("/error/message").get(text) == simdjson::SUCCESS) {
      detail = std::string(text);
    }
    return failure(classify_cloud_api_error(static_cast<long>(code)), http_status,
                   std::to_string(code), std::move(detail));
  }
  // No Meta envelope: a proxy or gateway answered. 5xx and 429 are worth retrying.
  const OutcomeClass outcome = (http_status >= 500 || http_status == 429)
                                   ? OutcomeClass::transient
                                   : OutcomeClass::permanent;
  return failure(outcome, http_status, "", "HTTP " + std::to_string(http_status) + " without error envelope");
}

}  // namespace disparo::whatsapp
