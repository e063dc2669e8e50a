// Validation of a POST /{version}/{phone_number_id}/messages body: the envelope of reference
// section 1.2 and the per-type objects of 1.3. Missing fields answer code 131008, present but
// wrong ones code 100, both HTTP 400, as Meta does (reference 1.5, 1.6).
#include <algorithm>
#include <array>

#include <simdjson.h>

#include "loadtest/sandbox/cloud_api_wire.hpp"

namespace disparo::sandbox {
namespace {

namespace dom = simdjson::dom;
using Result = std::variant<SendRequest, MetaError>;
using Failure = std::optional<MetaError>;  // nullopt = valid

constexpr std::array<std::string_view, 8> kTypes = {
    "text", "template", "image", "video", "document", "audio", "contacts", "interactive"};
constexpr std::array<std::string_view, 4> kMediaTypes = {"image", "video", "document", "audio"};
constexpr std::size_t kMaxCaption = 1024;
constexpr std::size_t kMaxInteractiveBody = 1024;
constexpr std::size_t kMaxReplyButtons = 3;

enum class Lookup { absent, wrong_type, ok };

Lookup string_member(dom::object obj, std::string_view key, std::string_view& out) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return Lookup::absent;
  return e.get_string().get(out) == simdjson::SUCCESS ? Lookup::ok : Lookup::wrong_type;
}

Lookup object_member(dom::object obj, std::string_view key, dom::object& out) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return Lookup::absent;
  return e.get_object().get(out) == simdjson::SUCCESS ? Lookup::ok : Lookup::wrong_type;
}

Lookup array_member(dom::object obj, std::string_view key, dom::array& out) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return Lookup::absent;
  return e.get_array().get(out) == simdjson::SUCCESS ? Lookup::ok : Lookup::wrong_type;
}

std::string param(std::string_view object, std::string_view field) {
  return std::string(object) + "['" + std::string(field) + "']";
}

// A required non-empty string member; `name` is how the error names it.
Failure require_string(dom::object obj, std::string_view key, std::string_view name,
                       std::string_view& out) {
  switch (string_member(obj, key, out)) {
    case Lookup::absent:
      return missing_parameter("The parameter " + std::string(name) + " is required.");
    case Lookup::wrong_type:
      return invalid_parameter("Param " + std::string(name) + " must be a string.");
    case Lookup::ok:
      break;
  }
  if (out.empty())
    return invalid_parameter("Param " + std::string(name) + " must be a non-empty string.");
  return std::nullopt;
}

// An optional string member no longer than `max` characters.
Failure optional_bounded_string(dom::object obj, std::string_view key, std::string_view name,
                                std::size_t max) {
  std::string_view value;
  const Lookup found = string_member(obj, key, value);
  if (found == Lookup::wrong_type)
    return invalid_parameter("Param " + std::string(name) + " must be a string.");
  if (found == Lookup::ok && utf8_length(value) > max) {
    return invalid_parameter("Param " + std::string(name) + " must be at most " +
                             std::to_string(max) + " characters long.");
  }
  return std::nullopt;
}

bool is_phone_like(std::string_view to) {
  // Meta accepts '+', '-', '(', ')' and spaces around the digits (reference 1.2).
  std::size_t digits = 0;
  bool seen_digit = false;
  for (char c : to) {
    if (c >= '0' && c <= '9') {
      ++digits;
      seen_digit = true;
    } else if (c == '+') {
      if (seen_digit) return false;
    } else if (c != '-' && c != '(' && c != ')' && c != ' ') {
      return false;
    }
  }
  return digits >= 7 && digits <= 15;
}

Failure check_text(dom::object text) {
  std::string_view body;
  if (auto f = require_string(text, "body", param("text", "body"), body)) return f;
  if (utf8_length(body) > kMaxTextBody) {
    return invalid_parameter("Param text['body'] must be at most " + std::to_string(kMaxTextBody) +
                             " characters long.");
  }
  return std::nullopt;
}

Failure check_template(dom::object tpl, SendRequest& out) {
  std::string_view name, code;
  if (auto f = require_string(tpl, "name", param("template", "name"), name)) return f;
  dom::object language;
  switch (object_member(tpl, "language", language)) {
    case Lookup::absent:
      return missing_parameter("The parameter template['language'] is required.");
    case Lookup::wrong_type:
      return invalid_parameter("Param template['language'] must be an object.");
    case Lookup::ok:
      break;
  }
  if (auto f = require_string(language, "code", "template['language']['code']", code)) return f;
  out.template_name = std::string(name);
  out.template_language = std::string(code);
  dom::array components;
  if (array_member(tpl, "components", components) == Lookup::wrong_type) {
    return invalid_parameter("Param template['components'] must be an array.");
  }
  return std::nullopt;
}

Failure check_media(std::string_view type, dom::object media) {
  std::string_view link, id;
  const Lookup has_link = string_member(media, "link", link);
  const Lookup has_id = string_member(media, "id", id);
  if (has_link == Lookup::wrong_type || has_id == Lookup::wrong_type) {
    return invalid_parameter("Param " + std::string(type) + "['link'] and ['id'] must be strings.");
  }
  if (has_link == Lookup::absent && has_id == Lookup::absent) {
    return missing_parameter("The parameter " + param(type, "link") + " or " + param(type, "id") +
                             " is required.");
  }
  if (has_link == Lookup::ok && has_id == Lookup::ok) {
    return invalid_parameter("Param " + std::string(type) +
                             " must have either 'link' or 'id', not both.");
  }
  if (has_id == Lookup::ok && id.empty()) {
    return invalid_parameter("Param " + param(type, "id") + " must be a non-empty string.");
  }
  if (has_link == Lookup::ok && !link.starts_with("https://") && !link.starts_with("http://")) {
    return invalid_parameter("Param " + param(type, "link") + " must be an http(s) URL.");
  }
  return optional_bounded_string(media, "caption", param(type, "caption"), kMaxCaption);
}

Failure check_contacts(dom::array contacts) {
  if (contacts.size() == 0 || contacts.size() > kMaxContactsPerMessage) {
    return invalid_parameter("Param contacts must have between 1 and " +
                             std::to_string(kMaxContactsPerMessage) + " items.");
  }
  std::size_t index = 0;
  for (dom::element item : contacts) {
    const std::string where = "contacts[" + std::to_string(index++) + "]";
    dom::object contact, name;
    if (item.get_object().get(contact) != simdjson::SUCCESS) {
      return invalid_parameter("Param " + where + " must be an object.");
    }
    switch (object_member(contact, "name", name)) {
      case Lookup::absent:
        return missing_parameter("The parameter " + where + "['name'] is required.");
      case Lookup::wrong_type:
        return invalid_parameter("Param " + where + "['name'] must be an object.");
      case Lookup::ok:
        break;
    }
    std::string_view formatted;
    if (auto f = require_string(name, "formatted_name", where + "['name']['formatted_name']",
                                formatted)) {
      return f;
    }
  }
  return std::nullopt;
}

Failure check_interactive(dom::object interactive) {
  std::string_view kind;
  if (auto f = require_string(interactive, "type", param("interactive", "type"), kind)) return f;
  dom::object action;
  switch (object_member(interactive, "action", action)) {
    case Lookup::absent:
      return missing_parameter("The parameter interactive['action'] is required.");
    case Lookup::wrong_type:
      return invalid_parameter("Param interactive['action'] must be an object.");
    case Lookup::ok:
      break;
  }
  if (kind == "button" || kind == "list") {
    dom::object body;
    switch (object_member(interactive, "body", body)) {
      case Lookup::absent:
        return missing_parameter("The parameter interactive['body'] is required.");
      case Lookup::wrong_type:
        return invalid_parameter("Param interactive['body'] must be an object.");
      case Lookup::ok:
        break;
    }
    std::string_view text;
    if (auto f = require_string(body, "text", "interactive['body']['text']", text)) return f;
    if (utf8_length(text) > kMaxInteractiveBody) {
      return invalid_parameter(
          "Param interactive['body']['text'] must be at most 1024 characters long.");
    }
  }
  if (kind == "button") {
    dom::array buttons;
    if (array_member(action, "buttons", buttons) != Lookup::ok || buttons.size() == 0 ||
        buttons.size() > kMaxReplyButtons) {
      return invalid_parameter(
          "Param interactive['action']['buttons'] must have between 1 and 3 items.");
    }
  }
  return std::nullopt;
}

Failure check_typed_object(dom::object root, std::string_view type, SendRequest& out) {
  if (type == "contacts") {
    dom::array contacts;
    switch (array_member(root, "contacts", contacts)) {
      case Lookup::absent:
        return missing_parameter("The parameter contacts is required.");
      case Lookup::wrong_type:
        return invalid_parameter("Param contacts must be an array.");
      case Lookup::ok:
        return check_contacts(contacts);
    }
  }
  dom::object obj;
  switch (object_member(root, type, obj)) {
    case Lookup::absent:
      return missing_parameter("The parameter " + std::string(type) + " is required.");
    case Lookup::wrong_type:
      return invalid_parameter("Param " + std::string(type) + " must be an object.");
    case Lookup::ok:
      break;
  }
  if (type == "text") return check_text(obj);
  if (type == "template") return check_template(obj, out);
  if (type == "interactive") return check_interactive(obj);
  for (auto media : kMediaTypes) {
    if (type == media) return check_media(type, obj);
  }
  return std::nullopt;
}

Failure check_envelope(dom::object root, SendRequest& out) {
  std::string_view product;
  switch (string_member(root, "messaging_product", product)) {
    case Lookup::absent:
      return missing_parameter("The parameter messaging_product is required.");
    case Lookup::wrong_type:
      return invalid_parameter("Param messaging_product must be 'whatsapp'.");
    case Lookup::ok:
      if (product != "whatsapp")
        return invalid_parameter("Param messaging_product must be 'whatsapp'.");
  }
  std::string_view recipient_type = "individual";
  if (string_member(root, "recipient_type", recipient_type) == Lookup::wrong_type ||
      (recipient_type != "individual" && recipient_type != "group")) {
    return invalid_parameter("Param recipient_type must be one of {INDIVIDUAL, GROUP}.");
  }
  out.recipient_type = std::string(recipient_type);

  std::string_view to;
  if (auto f = require_string(root, "to", "to", to)) return f;
  if (recipient_type == "individual" && !is_phone_like(to)) {
    return invalid_parameter("Param to must be a valid phone number.");
  }
  out.to = std::string(to);

  std::string_view type = "text";  // Meta's default when "type" is omitted
  if (string_member(root, "type", type) == Lookup::wrong_type ||
      std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    return invalid_parameter(
        "Param type must be one of {TEXT, TEMPLATE, IMAGE, VIDEO, DOCUMENT, AUDIO, CONTACTS, "
        "INTERACTIVE}.");
  }
  out.type = std::string(type);

  std::string_view callback;
  switch (string_member(root, "biz_opaque_callback_data", callback)) {
    case Lookup::absent:
      break;
    case Lookup::wrong_type:
      return invalid_parameter("Param biz_opaque_callback_data must be a string.");
    case Lookup::ok:
      if (utf8_length(callback) > kMaxCallbackData) {
        return invalid_parameter(
            "Param biz_opaque_callback_data must be at most 512 characters long.");
      }
      out.biz_opaque_callback_data = std::string(callback);
  }

  dom::object context;
  switch (object_member(root, "context", context)) {
    case Lookup::absent:
      break;
    case Lookup::wrong_type:
      return invalid_parameter("Param context must be an object.");
    case Lookup::ok: {
      std::string_view message_id;
      if (auto f = require_string(context, "message_id", "context['message_id']", message_id))
        return f;
    }
  }
  return std::nullopt;
}

}  // namespace

struct SendRequestValidator::Impl {
  dom::parser parser;
};

SendRequestValidator::SendRequestValidator() : impl_(std::make_unique<Impl>()) {}
SendRequestValidator::~SendRequestValidator() = default;

Result SendRequestValidator::validate(std::string_view body) {
  dom::element doc;
  if (impl_->parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) {
    return invalid_parameter("The request body is not valid JSON.");
  }
  dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return invalid_parameter("The request body must be a JSON object.");
  }
  SendRequest out;
  if (auto f = check_envelope(root, out)) return *f;
  if (auto f = check_typed_object(root, out.type, out)) return *f;
  return out;
}

}  // namespace disparo::sandbox
