#include "dispatcher/model/message_content.hpp"

#include <simdjson.h>

#include "common/json_writer.hpp"
#include "common/overloaded.hpp"

namespace disparo::dispatch {
namespace {

Error bad_content(std::string_view what) {
  return make_error(ErrorKind::invalid_argument, "stored content: " + std::string(what));
}

std::string string_or_empty(simdjson::dom::element object, const char* key) {
  std::string_view value;
  if (object[key].get(value) == simdjson::SUCCESS) return std::string(value);
  return {};
}

}  // namespace

std::string_view kind_of(const MessageContent& content) {
  return std::visit(Overloaded{[](const TextContent&) { return std::string_view("text"); },
                               [](const TemplateContent&) { return std::string_view("template"); },
                               [](const MediaContent&) { return std::string_view("media"); },
                               [](const ContactContent&) { return std::string_view("contact"); },
                               [](const ButtonsContent&) { return std::string_view("buttons"); }},
                    content);
}

std::string content_to_json(const MessageContent& content) {
  JsonWriter json;
  json.begin_object();
  std::visit(Overloaded{[&](const TextContent& text) {
                          json.field("body", text.body).field("preview_url", text.preview_url);
                        },
                        [&](const TemplateContent& tpl) {
                          json.field("name", tpl.name).field("language", tpl.language);
                          json.key("params").begin_array();
                          for (const auto& param : tpl.body_params) json.value(param);
                          json.end_array();
                          if (!tpl.named_params.empty()) {
                            json.key("named_params").begin_array();
                            for (const auto& param : tpl.named_params) {
                              json.begin_object().field("name", param.name).field("value", param.value).end_object();
                            }
                            json.end_array();
                          }
                          if (tpl.header_media) {
                            json.key("header").begin_object();
                            json.field("type", tpl.header_media->type).field("url", tpl.header_media->url);
                            if (!tpl.header_media->filename.empty()) json.field("filename", tpl.header_media->filename);
                            json.end_object();
                          }
                          if (!tpl.buttons.empty()) {
                            json.key("buttons").begin_array();
                            for (const auto& button : tpl.buttons) {
                              json.begin_object().field("sub_type", button.sub_type).field("index", button.index);
                              json.field("text", button.text).end_object();
                            }
                            json.end_array();
                          }
                        },
                        [&](const MediaContent& media) {
                          json.field("type", media.type).field("url", media.url);
                          if (!media.caption.empty()) json.field("caption", media.caption);
                          if (!media.filename.empty()) json.field("filename", media.filename);
                          if (media.voice) json.field("voice", true);
                        },
                        [&](const ContactContent& contact) {
                          json.field("name", contact.name);
                          json.key("phones").begin_array();
                          for (const auto& phone : contact.phones) json.value(phone);
                          json.end_array();
                          if (!contact.organization.empty()) json.field("organization", contact.organization);
                          if (!contact.email.empty()) json.field("email", contact.email);
                        },
                        [&](const ButtonsContent& buttons) {
                          json.field("body", buttons.body);
                          if (!buttons.footer.empty()) json.field("footer", buttons.footer);
                          if (!buttons.header.empty()) json.field("header", buttons.header);
                          json.key("buttons").begin_array();
                          for (const auto& button : buttons.buttons) {
                            json.begin_object().field("id", button.id).field("title", button.title).end_object();
                          }
                          json.end_array();
                        }},
             content);
  json.end_object();
  return std::move(json).str();
}

Expected<MessageContent> content_from_json(std::string_view kind, std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return bad_content("not a JSON object");
  }
  if (kind == "text") {
    TextContent content;
    content.body = string_or_empty(root, "body");
    bool preview = false;
    if (root["preview_url"].get(preview) == simdjson::SUCCESS) content.preview_url = preview;
    if (content.body.empty()) return bad_content("text without body");
    return MessageContent{std::move(content)};
  }
  if (kind == "template") {
    TemplateContent content;
    content.name = string_or_empty(root, "name");
    content.language = string_or_empty(root, "language");
    simdjson::dom::array params;
    if (root["params"].get(params) == simdjson::SUCCESS) {
      for (auto param : params) {
        std::string_view value;
        if (param.get(value) != simdjson::SUCCESS) return bad_content("template param not a string");
        content.body_params.emplace_back(value);
      }
    }
    simdjson::dom::array named;
    if (root["named_params"].get(named) == simdjson::SUCCESS) {
      for (auto param : named) {
        NamedParam one{string_or_empty(param, "name"), string_or_empty(param, "value")};
        if (one.name.empty()) return bad_content("named template param without name");
        content.named_params.push_back(std::move(one));
      }
    }
    simdjson::dom::element header;
    if (root["header"].get(header) == simdjson::SUCCESS) {
      TemplateHeaderMedia media{string_or_empty(header, "type"), string_or_empty(header, "url"),
                                string_or_empty(header, "filename")};
      if (media.type.empty() || media.url.empty()) return bad_content("template header incomplete");
      content.header_media = std::move(media);
    }
    simdjson::dom::array buttons;
    if (root["buttons"].get(buttons) == simdjson::SUCCESS) {
      for (auto button : buttons) {
        std::int64_t index = -1;
        if (button["index"].get(index) != simdjson::SUCCESS || index < 0 || index > 9) {
          return bad_content("template button without index");
        }
        content.buttons.push_back({string_or_empty(button, "sub_type"), static_cast<int>(index),
                                   string_or_empty(button, "text")});
      }
    }
    if (content.name.empty() || content.language.empty()) return bad_content("template incomplete");
    return MessageContent{std::move(content)};
  }
  if (kind == "media") {
    MediaContent content;
    content.type = string_or_empty(root, "type");
    content.url = string_or_empty(root, "url");
    content.caption = string_or_empty(root, "caption");
    content.filename = string_or_empty(root, "filename");
    bool voice = false;
    if (root["voice"].get(voice) == simdjson::SUCCESS) content.voice = voice;
    if (content.type.empty() || content.url.empty()) return bad_content("media incomplete");
    return MessageContent{std::move(content)};
  }
  if (kind == "contact") {
    ContactContent content;
    content.name = string_or_empty(root, "name");
    simdjson::dom::array phones;
    if (root["phones"].get(phones) == simdjson::SUCCESS) {
      for (auto phone : phones) {
        std::string_view value;
        if (phone.get(value) != simdjson::SUCCESS) return bad_content("contact phone not a string");
        content.phones.emplace_back(value);
      }
    }
    content.organization = string_or_empty(root, "organization");
    content.email = string_or_empty(root, "email");
    if (content.name.empty() || content.phones.empty()) return bad_content("contact incomplete");
    return MessageContent{std::move(content)};
  }
  if (kind == "buttons") {
    ButtonsContent content;
    content.body = string_or_empty(root, "body");
    content.footer = string_or_empty(root, "footer");
    content.header = string_or_empty(root, "header");
    simdjson::dom::array buttons;
    if (root["buttons"].get(buttons) == simdjson::SUCCESS) {
      for (auto button : buttons) {
        content.buttons.push_back({string_or_empty(button, "id"), string_or_empty(button, "title")});
      }
    }
    if (content.body.empty() || content.buttons.empty()) return bad_content("buttons incomplete");
    return MessageContent{std::move(content)};
  }
  return bad_content("unknown kind");
}

}  // namespace disparo::dispatch
