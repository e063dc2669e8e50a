#include "dispatcher/send_request.hpp"

#include <simdjson.h>

#include "common/phone.hpp"
#include "common/rfc3339.hpp"

namespace disparo::dispatch {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Collects errors for one message, prefixing field names ("messages[3].").
class Checker {
 public:
  Checker(std::vector<FieldError>& errors, std::string prefix)
      : errors_(errors), prefix_(std::move(prefix)) {}
  void fail(std::string_view field, std::string message) {
    std::string name = prefix_ + std::string(field);
    if (field.empty() && name.ends_with('.')) name.pop_back();  // the item itself: "messages[3]"
    errors_.push_back({std::move(name), std::move(message)});
  }
  std::size_t count() const { return errors_.size(); }

 private:
  std::vector<FieldError>& errors_;
  std::string prefix_;
};

std::optional<std::string_view> optional_string(object obj, const char* key, Checker& check,
                                                std::string_view field) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) {
    check.fail(field, "must be a string");
    return std::nullopt;
  }
  // PostgreSQL text cannot hold U+0000: refuse it here, naming the field, not at the database.
  if (text.find('\0') != std::string_view::npos) {
    check.fail(field, "must not contain the NUL character (\\u0000)");
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> optional_id(object obj, const char* key, Checker& check) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  std::int64_t id = 0;
  std::string_view text;
  if (value.get(id) == simdjson::SUCCESS) {
    // number form
  } else if (value.get(text) == simdjson::SUCCESS && !text.empty() && text.size() <= 18 &&
             text.find_first_not_of("0123456789") == std::string_view::npos) {
    id = std::stoll(std::string(text));
  } else {
    check.fail(key, "must be a positive integer id");
    return std::nullopt;
  }
  if (id <= 0) {
    check.fail(key, "must be a positive integer id");
    return std::nullopt;
  }
  return id;
}

bool is_http_url(std::string_view url) { return url.starts_with("https://") || url.starts_with("http://"); }

bool is_parameter_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
}

// Characters, not bytes: button titles are limited to 20 characters (reference §1.3).
std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

std::optional<MessageContent> parse_text(element value, Checker& check) {
  TextContent text;
  std::string_view body;
  if (value.get(body) == simdjson::SUCCESS) {
    text.body = std::string(body);
  } else if (value.is_object()) {
    object obj = value.get_object().value_unsafe();
    if (auto b = optional_string(obj, "body", check, "text.body")) text.body = std::string(*b);
    bool preview = false;
    if (obj["preview_url"].get(preview) == simdjson::SUCCESS) text.preview_url = preview;
  } else {
    check.fail("text", "must be a string or an object with body");
    return std::nullopt;
  }
  if (text.body.empty()) {
    check.fail("text", "must not be empty");
    return std::nullopt;
  }
  if (text.body.size() > kMaxTextBody) {
    check.fail("text", "must be at most 4096 bytes");
    return std::nullopt;
  }
  return MessageContent{std::move(text)};
}

std::optional<MessageContent> parse_template(element value, Checker& check) {
  object obj;
  if (value.get(obj) != simdjson::SUCCESS) {
    check.fail("template", "must be an object with name, language and params");
    return std::nullopt;
  }
  TemplateContent tpl;
  const auto before = check.count();
  if (auto name = optional_string(obj, "name", check, "template.name")) tpl.name = std::string(*name);
  if (tpl.name.empty() || tpl.name.size() > 512) check.fail("template.name", "is required (1-512 characters)");
  if (auto lang = optional_string(obj, "language", check, "template.language")) tpl.language = std::string(*lang);
  if (tpl.language.empty()) tpl.language = "pt_BR";
  element raw;
  if (obj["params"].get(raw) == simdjson::SUCCESS && !raw.is_null()) {
    simdjson::dom::array params;
    object named;
    if (raw.get(params) == simdjson::SUCCESS) {
      for (element param : params) {
        std::string_view text;
        if (param.get(text) != simdjson::SUCCESS) {
          check.fail("template.params", "must be an array of strings (positional) or an object of strings (named)");
          break;
        }
        tpl.body_params.emplace_back(text);
      }
    } else if (raw.get(named) == simdjson::SUCCESS) {
      for (auto field : named) {
        std::string_view text;
        if (!is_parameter_name(field.key)) {
          check.fail("template.params." + std::string(field.key), "a named parameter is lowercase letters, digits and _");
        } else if (field.value.get(text) != simdjson::SUCCESS) {
          check.fail("template.params." + std::string(field.key), "must be a string");
        } else {
          tpl.named_params.push_back({std::string(field.key), std::string(text)});
        }
      }
    } else {
      check.fail("template.params", "must be an array of strings (positional) or an object of strings (named)");
    }
    if (tpl.body_params.size() + tpl.named_params.size() > kMaxTemplateParams) {
      check.fail("template.params", "at most 32 parameters");
    }
  }
  element header;
  if (obj["header"].get(header) == simdjson::SUCCESS && !header.is_null()) {
    object header_obj;
    if (header.get(header_obj) != simdjson::SUCCESS) {
      check.fail("template.header", "must be an object with type and url");
    } else {
      TemplateHeaderMedia media;
      if (auto type = optional_string(header_obj, "type", check, "template.header.type")) media.type = std::string(*type);
      if (media.type != "image" && media.type != "video" && media.type != "document") {
        check.fail("template.header.type", "must be image, video or document");
      }
      if (auto url = optional_string(header_obj, "url", check, "template.header.url")) media.url = std::string(*url);
      if (!is_http_url(media.url)) check.fail("template.header.url", "must be an http(s) URL");
      if (auto name = optional_string(header_obj, "filename", check, "template.header.filename")) {
        media.filename = std::string(*name);
      }
      if (!media.filename.empty() && media.type != "document") {
        check.fail("template.header.filename", "only a document header has a filename");
      }
      tpl.header_media = std::move(media);
    }
  }
  element buttons;
  if (obj["buttons"].get(buttons) == simdjson::SUCCESS && !buttons.is_null()) {
    simdjson::dom::array items;
    if (buttons.get(items) != simdjson::SUCCESS || items.size() > kMaxTemplateButtons) {
      check.fail("template.buttons", "must be an array of at most 10 buttons");
    } else {
      std::size_t i = 0;
      for (element item : items) {
        const std::string field = "template.buttons[" + std::to_string(i++) + "]";
        object button;
        if (item.get(button) != simdjson::SUCCESS) {
          check.fail(field, "must be an object with type, index and text (url) or payload (quick_reply)");
          continue;
        }
        TemplateButton out;
        if (auto type = optional_string(button, "type", check, field + ".type")) out.sub_type = std::string(*type);
        if (out.sub_type != "url" && out.sub_type != "quick_reply") check.fail(field + ".type", "must be url or quick_reply");
        std::int64_t index = -1;
        if (button["index"].get(index) != simdjson::SUCCESS || index < 0 || index > 9) {
          check.fail(field + ".index", "must be the button's position in the template, 0 to 9");
        }
        out.index = static_cast<int>(index);
        const char* value_key = out.sub_type == "quick_reply" ? "payload" : "text";
        if (auto text = optional_string(button, value_key, check, field + "." + value_key)) out.text = std::string(*text);
        if (out.text.empty()) check.fail(field + "." + value_key, "is required");
        tpl.buttons.push_back(std::move(out));
      }
    }
  }
  if (check.count() != before) return std::nullopt;
  return MessageContent{std::move(tpl)};
}

std::optional<MessageContent> parse_media(element value, Checker& check) {
  object obj;
  if (value.get(obj) != simdjson::SUCCESS) {
    check.fail("media", "must be an object with type and url");
    return std::nullopt;
  }
  MediaContent media;
  const auto before = check.count();
  if (auto type = optional_string(obj, "type", check, "media.type")) media.type = std::string(*type);
  if (media.type != "image" && media.type != "video" && media.type != "document" && media.type != "audio") {
    check.fail("media.type", "must be image, video, document or audio");
  }
  if (auto url = optional_string(obj, "url", check, "media.url")) media.url = std::string(*url);
  if (!is_http_url(media.url)) {
    check.fail("media.url", "must be an http(s) URL");
  }
  if (auto caption = optional_string(obj, "caption", check, "media.caption")) media.caption = std::string(*caption);
  if (media.caption.size() > kMaxCaption) check.fail("media.caption", "must be at most 1024 bytes");
  if (!media.caption.empty() && media.type == "audio") check.fail("media.caption", "audio has no caption");
  if (auto filename = optional_string(obj, "filename", check, "media.filename")) media.filename = std::string(*filename);
  element voice;
  if (obj["voice"].get(voice) == simdjson::SUCCESS && !voice.is_null()) {
    if (voice.get(media.voice) != simdjson::SUCCESS) check.fail("media.voice", "must be true or false");
    if (media.voice && media.type != "audio") check.fail("media.voice", "only audio can be a voice note");
  }
  if (check.count() != before) return std::nullopt;
  return MessageContent{std::move(media)};
}

std::optional<MessageContent> parse_contact(element value, Checker& check) {
  object obj;
  if (value.get(obj) != simdjson::SUCCESS) {
    check.fail("contact", "must be an object with name and phone (or phones)");
    return std::nullopt;
  }
  ContactContent contact;
  const auto before = check.count();
  if (auto name = optional_string(obj, "name", check, "contact.name")) contact.name = std::string(*name);
  if (contact.name.empty() || contact.name.size() > 200) check.fail("contact.name", "is required (1-200 characters)");
  std::vector<std::string_view> given;
  if (auto phone = optional_string(obj, "phone", check, "contact.phone")) given.push_back(*phone);
  simdjson::dom::array phones;
  if (obj["phones"].get(phones) == simdjson::SUCCESS) {
    for (element phone : phones) {
      std::string_view text;
      if (phone.get(text) != simdjson::SUCCESS) {
        check.fail("contact.phones", "must be an array of phone numbers");
        break;
      }
      given.push_back(text);
    }
  }
  if (given.empty() || given.size() > kMaxContactPhones) check.fail("contact.phones", "give 1 to 5 phone numbers");
  for (auto text : given) {
    if (auto parsed = phone::normalize(text)) contact.phones.push_back(parsed->e164);
    else check.fail("contact.phones", "is not a valid phone number");
  }
  if (auto org = optional_string(obj, "organization", check, "contact.organization")) contact.organization = std::string(*org);
  if (auto email = optional_string(obj, "email", check, "contact.email")) contact.email = std::string(*email);
  if (contact.organization.size() > 200) check.fail("contact.organization", "must be at most 200 characters");
  if (contact.email.size() > 200 || (!contact.email.empty() && contact.email.find('@') == std::string::npos)) {
    check.fail("contact.email", "must be an e-mail address");
  }
  if (check.count() != before) return std::nullopt;
  return MessageContent{std::move(contact)};
}

std::optional<MessageContent> parse_interactive(element value, Checker& check) {
  object obj;
  if (value.get(obj) != simdjson::SUCCESS) {
    check.fail("interactive", "must be an object with body and buttons");
    return std::nullopt;
  }
  ButtonsContent content;
  const auto before = check.count();
  if (auto body = optional_string(obj, "body", check, "interactive.body")) content.body = std::string(*body);
  if (content.body.empty() || content.body.size() > kMaxButtonsBody) check.fail("interactive.body", "is required (1-1024 bytes)");
  if (auto footer = optional_string(obj, "footer", check, "interactive.footer")) content.footer = std::string(*footer);
  if (utf8_length(content.footer) > kMaxButtonsFooter) check.fail("interactive.footer", "must be at most 60 characters");
  if (auto header = optional_string(obj, "header", check, "interactive.header")) content.header = std::string(*header);
  if (utf8_length(content.header) > kMaxButtonsFooter) check.fail("interactive.header", "must be at most 60 characters");
  simdjson::dom::array buttons;
  if (obj["buttons"].get(buttons) != simdjson::SUCCESS || buttons.size() == 0 || buttons.size() > kMaxReplyButtons) {
    check.fail("interactive.buttons", "give 1 to 3 reply buttons");
  } else {
    std::size_t i = 0;
    for (element item : buttons) {
      const std::string field = "interactive.buttons[" + std::to_string(i++) + "]";
      object button;
      if (item.get(button) != simdjson::SUCCESS) {
        check.fail(field, "must be an object with id and title");
        continue;
      }
      ReplyButton out;
      if (auto id = optional_string(button, "id", check, field + ".id")) out.id = std::string(*id);
      if (out.id.empty() || out.id.size() > kMaxButtonId) check.fail(field + ".id", "is required (1-256 bytes)");
      if (auto title = optional_string(button, "title", check, field + ".title")) out.title = std::string(*title);
      if (out.title.empty() || utf8_length(out.title) > kMaxButtonTitle) {
        check.fail(field + ".title", "is required (1-20 characters)");
      }
      for (const auto& earlier : content.buttons) {
        if (earlier.id == out.id) check.fail(field + ".id", "must differ from the other buttons' ids");
      }
      content.buttons.push_back(std::move(out));
    }
  }
  if (check.count() != before) return std::nullopt;
  return MessageContent{std::move(content)};
}

std::optional<MessageContent> parse_content(object obj, Checker& check) {
  element text, tpl, media, contact, interactive;
  const bool has_text = obj["text"].get(text) == simdjson::SUCCESS && !text.is_null();
  const bool has_template = obj["template"].get(tpl) == simdjson::SUCCESS && !tpl.is_null();
  const bool has_media = obj["media"].get(media) == simdjson::SUCCESS && !media.is_null();
  const bool has_contact = obj["contact"].get(contact) == simdjson::SUCCESS && !contact.is_null();
  const bool has_interactive = obj["interactive"].get(interactive) == simdjson::SUCCESS && !interactive.is_null();
  const int kinds = int(has_text) + int(has_template) + int(has_media) + int(has_contact) + int(has_interactive);
  if (kinds != 1) {
    check.fail("content", "give exactly one of text, template, media, contact or interactive");
    return std::nullopt;
  }
  if (has_text) return parse_text(text, check);
  if (has_template) return parse_template(tpl, check);
  if (has_media) return parse_media(media, check);
  if (has_interactive) return parse_interactive(interactive, check);
  return parse_contact(contact, check);
}

std::optional<SysTime> optional_time(object obj, const char* key, Checker& check) {
  auto text = optional_string(obj, key, check, key);
  if (!text) return std::nullopt;
  auto parsed = parse_rfc3339(*text);
  if (!parsed) check.fail(key, "must be an RFC 3339 timestamp, e.g. 2026-11-23T11:25:00-03:00");
  return parsed;
}

void parse_one(element item, SysTime now, const SendLimits& limits, Checker& check,
               std::vector<SendRequest>& out) {
  object obj;
  if (item.get(obj) != simdjson::SUCCESS) {
    check.fail("", "must be a JSON object");
    return;
  }
  const auto before = check.count();
  SendRequest request;
  if (auto to = optional_string(obj, "to", check, "to")) {
    if (auto parsed = phone::normalize(*to)) {
      request.to = parsed->e164;
    } else {
      check.fail("to", "is not a valid phone number (e.g. +5511987654321 or (11) 98765-4321)");
    }
  } else {
    check.fail("to", "is required");
  }
  request.session_id = optional_id(obj, "session", check);
  request.server_id = optional_id(obj, "server", check);
  request.client_id = optional_id(obj, "client_id", check);
  if (request.session_id && request.server_id) check.fail("session", "give session or server, not both");
  if (auto content = parse_content(obj, check)) request.content = std::move(*content);

  if (auto key = optional_string(obj, "idempotency_key", check, "idempotency_key")) {
    if (key->empty() || key->size() > limits.max_idempotency_key) {
      check.fail("idempotency_key", "must be 1-200 characters");
    }
    request.idempotency_key = std::string(*key);
  }
  request.send_at = optional_time(obj, "send_at", check).value_or(now);
  if (request.send_at > now + limits.max_schedule_ahead) check.fail("send_at", "must be within 35 days");
  if (auto expires = optional_time(obj, "expires_at", check)) {
    request.expires_at = *expires;
    if (*expires <= request.send_at) check.fail("expires_at", "must be after send_at");
  } else {
    request.expires_at = request.send_at + limits.default_validity;
  }
  if (auto priority = optional_string(obj, "priority", check, "priority")) {
    if (*priority == "transactional") request.priority = Priority::transactional;
    else if (*priority == "marketing") request.priority = Priority::marketing;
    else check.fail("priority", "must be transactional or marketing");
  }
  element group;
  if (obj["group"].get(group) == simdjson::SUCCESS && !group.is_null()) {
    object group_obj;
    if (group.get(group_obj) != simdjson::SUCCESS) {
      check.fail("group", "must be an object with id and interval_seconds");
    } else {
      if (auto id = optional_string(group_obj, "id", check, "group.id")) request.group_id = std::string(*id);
      if (request.group_id.empty() || request.group_id.size() > 200) check.fail("group.id", "is required (1-200 characters)");
      element interval;
      if (group_obj["interval_seconds"].get(interval) == simdjson::SUCCESS && !interval.is_null()) {
        double seconds = -1;
        std::int64_t whole = 0;
        if (interval.get(whole) == simdjson::SUCCESS) seconds = static_cast<double>(whole);
        else if (interval.get(seconds) != simdjson::SUCCESS) seconds = -1;
        if (seconds < 0 || seconds > 86'400) {
          check.fail("group.interval_seconds", "must be a number of seconds from 0 to 86400");
        } else {
          request.group_interval = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
        }
      }
    }
  }
  if (auto url = optional_string(obj, "callback_url", check, "callback_url")) {
    if (!url->starts_with("https://") && !url->starts_with("http://")) {
      check.fail("callback_url", "must be an http(s) URL");
    }
    request.callback_url = std::string(*url);
  }
  element metadata;
  if (obj["metadata"].get(metadata) == simdjson::SUCCESS && !metadata.is_null()) {
    if (!metadata.is_object()) {
      check.fail("metadata", "must be a JSON object");
    } else {
      request.metadata_json = simdjson::minify(metadata);
      if (request.metadata_json.find("\\u0000") != std::string::npos) {
        check.fail("metadata", "must not contain the NUL character (\\u0000)");
      } else if (request.metadata_json.size() > limits.max_metadata_bytes) {
        check.fail("metadata", "must be at most 4096 bytes");
      }
    }
  }
  if (check.count() == before) out.push_back(std::move(request));
}

}  // namespace

ParsedSendBody parse_send_body(std::string_view body, SysTime now, const SendLimits& limits) {
  ParsedSendBody result;
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS) {
    result.errors.push_back({"", "body is not valid JSON"});
    return result;
  }
  object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    result.errors.push_back({"", "body must be a JSON object"});
    return result;
  }
  element batch;
  if (obj["messages"].get(batch) == simdjson::SUCCESS) {
    result.is_batch = true;
    simdjson::dom::array items;
    if (batch.get(items) != simdjson::SUCCESS || items.size() == 0) {
      result.errors.push_back({"messages", "must be a non-empty array"});
      return result;
    }
    if (items.size() > limits.max_batch) {
      result.errors.push_back({"messages", "at most " + std::to_string(limits.max_batch) + " per request"});
      return result;
    }
    result.messages.reserve(items.size());
    std::size_t index = 0;
    for (element item : items) {
      Checker check(result.errors, "messages[" + std::to_string(index++) + "].");
      parse_one(item, now, limits, check, result.messages);
      if (result.errors.size() > 100) break;  // enough to show what is wrong
    }
  } else {
    Checker check(result.errors, "");
    parse_one(root, now, limits, check, result.messages);
  }
  if (!result.errors.empty()) result.messages.clear();
  return result;
}

}  // namespace disparo::dispatch
