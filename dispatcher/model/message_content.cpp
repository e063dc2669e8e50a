#include "dispatcher/model/message_content.hpp"

#include <simdjson.h>

#include "common/json_writer.hpp"

namespace disparo::dispatch {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

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
                               [](const ContactContent&) { return std::string_view("contact"); }},
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
                        },
                        [&](const MediaContent& media) {
                          json.field("type", media.type).field("url", media.url);
                          if (!media.caption.empty()) json.field("caption", media.caption);
                          if (!media.filename.empty()) json.field("filename", media.filename);
                        },
                        [&](const ContactContent& contact) {
                          json.field("name", contact.name);
                          json.key("phones").begin_array();
                          for (const auto& phone : contact.phones) json.value(phone);
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
    if (content.name.empty() || content.language.empty()) return bad_content("template incomplete");
    return MessageContent{std::move(content)};
  }
  if (kind == "media") {
    MediaContent content;
    content.type = string_or_empty(root, "type");
    content.url = string_or_empty(root, "url");
    content.caption = string_or_empty(root, "caption");
    content.filename = string_or_empty(root, "filename");
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
    if (content.name.empty() || content.phones.empty()) return bad_content("contact incomplete");
    return MessageContent{std::move(content)};
  }
  return bad_content("unknown kind");
}

}  // namespace disparo::dispatch
