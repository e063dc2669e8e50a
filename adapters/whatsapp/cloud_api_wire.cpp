#include "adapters/whatsapp/cloud_api_wire.hpp"

#include <simdjson.h>

#include "adapters/whatsapp/cloud_api_errors.hpp"
#include "common/json_writer.hpp"
#include "common/overloaded.hpp"

namespace disparo::whatsapp {

using dispatch::OutcomeClass;
using dispatch::SendOutcome;

namespace {

void write_media_object(JsonWriter& json, std::string_view type, std::string_view url, std::string_view caption,
                        std::string_view filename) {
  json.key(type).begin_object();
  json.field("link", url);
  if (!caption.empty() && type != "audio") json.field("caption", caption);
  if (!filename.empty() && type == "document") json.field("filename", filename);
}

// components[]: header (media), body (positional or named text parameters), buttons (URL
// suffix or quick-reply payload), in the shape of reference §1.3.
void write_template(JsonWriter& json, const dispatch::TemplateContent& tpl) {
  json.key("template").begin_object();
  json.field("name", tpl.name);
  json.key("language").begin_object().field("code", tpl.language).end_object();
  const bool has_body = !tpl.body_params.empty() || !tpl.named_params.empty();
  if (has_body || tpl.header_media || !tpl.buttons.empty()) {
    json.key("components").begin_array();
    if (tpl.header_media) {
      const auto& media = *tpl.header_media;
      json.begin_object().field("type", "header");
      json.key("parameters").begin_array().begin_object().field("type", media.type);
      write_media_object(json, media.type, media.url, "", media.filename);
      json.end_object();
      json.end_object().end_array();
      json.end_object();
    }
    if (has_body) {
      json.begin_object().field("type", "body");
      json.key("parameters").begin_array();
      for (const auto& param : tpl.body_params) {
        json.begin_object().field("type", "text").field("text", param).end_object();
      }
      for (const auto& param : tpl.named_params) {
        json.begin_object().field("type", "text").field("parameter_name", param.name);
        json.field("text", param.value).end_object();
      }
      json.end_array().end_object();
    }
    for (const auto& button : tpl.buttons) {
      json.begin_object().field("type", "button").field("sub_type", button.sub_type);
      json.field("index", std::to_string(button.index));  // a string: "0", "1" (reference §1.3)
      json.key("parameters").begin_array().begin_object();
      if (button.sub_type == "quick_reply") {
        json.field("type", "payload").field("payload", button.text);
      } else {
        json.field("type", "text").field("text", button.text);
      }
      json.end_object().end_array().end_object();
    }
    json.end_array();
  }
  json.end_object();
}

void write_buttons(JsonWriter& json, const dispatch::ButtonsContent& content) {
  json.key("interactive").begin_object();
  json.field("type", "button");
  if (!content.header.empty()) {
    json.key("header").begin_object().field("type", "text").field("text", content.header).end_object();
  }
  json.key("body").begin_object().field("text", content.body).end_object();
  if (!content.footer.empty()) json.key("footer").begin_object().field("text", content.footer).end_object();
  json.key("action").begin_object().key("buttons").begin_array();
  for (const auto& button : content.buttons) {
    json.begin_object().field("type", "reply");
    json.key("reply").begin_object().field("id", button.id).field("title", button.title).end_object();
    json.end_object();
  }
  json.end_array().end_object();
  json.end_object();
}

void write_media(JsonWriter& json, const dispatch::MediaContent& media) {
  write_media_object(json, media.type, media.url, media.caption, media.filename);
  if (media.voice && media.type == "audio") json.field("voice", true);  // a voice note (PTT)
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
  if (!contact.organization.empty()) {
    json.key("org").begin_object().field("company", contact.organization).end_object();
  }
  if (!contact.email.empty()) {
    json.key("emails").begin_array().begin_object().field("email", contact.email).field("type", "WORK");
    json.end_object().end_array();
  }
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
                        },
                        [&](const dispatch::ButtonsContent& buttons) {
                          json.field("type", "interactive");
                          write_buttons(json, buttons);
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
