#include "campaigns/message_template.hpp"

#include <simdjson.h>

#include "common/phone.hpp"
#include "dispatcher/model/message_content.hpp"

namespace disparo::campaigns {
namespace {

bool is_http_url(std::string_view url) {
  const bool scheme = url.starts_with("https://") || url.starts_with("http://");
  if (!scheme || url.size() > kMaxMediaUrl) return false;
  const auto host_at = url.find("://") + 3;
  if (host_at >= url.size() || url[host_at] == '/') return false;
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Cloud API template names: lowercase letters, digits and underscores.
bool is_provider_template_name(std::string_view name) {
  if (name.empty() || name.size() > 512) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// "pt_BR", "en", "en_US", "es_MX".
bool is_language_code(std::string_view code) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (code.size() == 2) return lower(code[0]) && lower(code[1]);
  if (code.size() == 5) return lower(code[0]) && lower(code[1]) && code[2] == '_' && upper(code[3]) && upper(code[4]);
  return false;
}

// Counts UTF-8 code points (what WhatsApp's limits count); invalid bytes count as one each.
std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Cuts a rendered text to at most `limit` code points, never inside a UTF-8 sequence.
// Placeholder values are bounded, but a long name can still push a caption past the provider's
// limit; the provider would refuse the whole message, so we trim the tail instead.
std::string cut(std::string text, std::size_t limit) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (n == limit) {
        text.resize(i);
        return text;
      }
      ++n;
    }
  }
  return text;
}

void check_placeholders(std::vector<FieldError>& errors, std::string field, std::string_view text) {
  if (auto ok = validate_placeholders(text); !ok) errors.push_back({std::move(field), ok.error().message});
}

void must_be_absent(std::vector<FieldError>& errors, const std::optional<std::string>& value,
                    const char* field, std::string_view kind) {
  if (value) errors.push_back({field, "not allowed for kind " + std::string(kind)});
}

}  // namespace

std::vector<FieldError> validate_template(const MessageTemplate& t) {
  std::vector<FieldError> errors;
  if (t.name.empty() || code_points(t.name) > kMaxTemplateName) {
    errors.push_back({"name", "must have 1 to 200 characters"});
  }
  if (code_points(t.body) > kMaxTemplateBody) errors.push_back({"body", "must have at most 4096 characters"});
  check_placeholders(errors, "body", t.body);

  if (t.kind == "text") {
    if (t.body.empty()) errors.push_back({"body", "required for kind text"});
  } else if (t.kind == "media") {
    if (!t.media_type) {
      errors.push_back({"media_type", "required for kind media (image, video or document)"});
    } else if (*t.media_type != "image" && *t.media_type != "video" && *t.media_type != "document") {
      errors.push_back({"media_type", "must be image, video or document"});
    }
    if (code_points(t.body) > dispatch::kMaxCaption) errors.push_back({"body", "a caption has at most 1024 characters"});
    if (t.filename && (!t.media_type || *t.media_type != "document")) {
      errors.push_back({"filename", "only for media_type document"});
    }
  } else if (t.kind == "audio") {
    must_be_absent(errors, t.media_type, "media_type", t.kind);
    must_be_absent(errors, t.filename, "filename", t.kind);
    if (!t.body.empty()) errors.push_back({"body", "a voice note has no text"});
  } else if (t.kind == "contact") {
    if (!t.contact_name || t.contact_name->empty() || code_points(*t.contact_name) > 200) {
      errors.push_back({"contact_name", "required for kind contact, 1 to 200 characters"});
    }
    if (!t.contact_phone) {
      errors.push_back({"contact_phone", "required for kind contact"});
    } else {
      auto parsed = phone::normalize(*t.contact_phone);
      if (!parsed || parsed->e164 != *t.contact_phone) {
        errors.push_back({"contact_phone", "must be a phone number in E.164 (+5511987654321)"});
      }
    }
    if (!t.body.empty()) errors.push_back({"body", "a contact card has no text"});
  } else {
    errors.push_back({"kind", "must be text, media, audio or contact"});
  }

  if (t.kind == "media" || t.kind == "audio") {
    if (!t.media_url) {
      errors.push_back({"media_url", "required for kind " + t.kind});
    } else if (!is_http_url(*t.media_url)) {
      errors.push_back({"media_url", "must be an http(s) URL of at most 2048 characters"});
    }
  } else if (t.kind == "text" || t.kind == "contact") {
    must_be_absent(errors, t.media_type, "media_type", t.kind);
    must_be_absent(errors, t.media_url, "media_url", t.kind);
    must_be_absent(errors, t.filename, "filename", t.kind);
  }
  if (t.kind != "contact") {
    must_be_absent(errors, t.contact_name, "contact_name", t.kind);
    must_be_absent(errors, t.contact_phone, "contact_phone", t.kind);
  }

  if (t.provider_template.has_value() != t.provider_language.has_value()) {
    errors.push_back({t.provider_template ? "provider_language" : "provider_template",
                      "provider_template and provider_language go together"});
  }
  if (t.provider_template && !is_provider_template_name(*t.provider_template)) {
    errors.push_back({"provider_template", "must be lowercase letters, digits and underscores"});
  }
  if (t.provider_language && !is_language_code(*t.provider_language)) {
    errors.push_back({"provider_language", "must be a language code such as pt_BR"});
  }
  if (!t.provider_template && !t.provider_params.empty()) {
    errors.push_back({"provider_params", "only with provider_template"});
  }
  if (t.provider_params.size() > dispatch::kMaxTemplateParams) {
    errors.push_back({"provider_params", "at most 32 parameters"});
  }
  for (std::size_t i = 0; i < t.provider_params.size() && i < dispatch::kMaxTemplateParams; ++i) {
    const std::string field = "provider_params[" + std::to_string(i) + "]";
    const auto& param = t.provider_params[i];
    if (param.empty() || param.size() > 1024) {
      errors.push_back({field, "must have 1 to 1024 bytes"});
      continue;
    }
    check_placeholders(errors, field, param);
  }
  return errors;
}

Expected<RenderedMessage> render_message(const MessageTemplate& t, const RenderContext& context,
                                         bool cloud_api_session) {
  RenderedMessage out;
  if (cloud_api_session) {
    if (!t.provider_template || !t.provider_language) {
      return make_error(ErrorKind::conflict,
                        "template " + std::to_string(t.id) +
                            " has no approved provider template for a Cloud API session",
                        std::string(kNoProviderTemplate));
    }
    dispatch::TemplateContent content{*t.provider_template, *t.provider_language, {}};
    for (const auto& param : t.provider_params) content.body_params.push_back(render_text(param, context));
    out.kind = "template";
    for (std::size_t i = 0; i < content.body_params.size(); ++i) {
      out.text += (i ? " | " : "") + content.body_params[i];
    }
    out.content_json = dispatch::content_to_json(content);
    return out;
  }
  if (t.kind == "text") {
    out.text = cut(render_text(t.body, context), dispatch::kMaxTextBody);
    out.kind = "text";
    out.content_json = dispatch::content_to_json(dispatch::TextContent{out.text, false});
  } else if (t.kind == "media" || t.kind == "audio") {
    if (!t.media_url) return make_error(ErrorKind::invalid_argument, "template has no media_url");
    dispatch::MediaContent media;
    media.url = *t.media_url;
    if (t.kind == "audio") {
      media.type = "audio";
      media.voice = true;
    } else {
      media.type = t.media_type.value_or("image");
      out.text = cut(render_text(t.body, context), dispatch::kMaxCaption);
      media.caption = out.text;
      if (media.type == "document") media.filename = t.filename.value_or("");
    }
    out.kind = "media";
    out.content_json = dispatch::content_to_json(media);
  } else if (t.kind == "contact") {
    if (!t.contact_name || !t.contact_phone) {
      return make_error(ErrorKind::invalid_argument, "template has no contact name or phone");
    }
    dispatch::ContactContent contact{*t.contact_name, {*t.contact_phone}};
    out.kind = "contact";
    out.text = *t.contact_name + " " + *t.contact_phone;
    out.content_json = dispatch::content_to_json(contact);
  } else {
    return make_error(ErrorKind::invalid_argument, "unknown template kind " + t.kind);
  }
  return out;
}

const char* const kTemplateColumns =
    "t.id, t.tenant_id, t.name, t.kind, t.body, t.media_type, t.media_url, t.filename, t.contact_name, "
    "t.contact_phone, t.provider_template, t.provider_language, array_to_json(t.provider_params)::text, "
    "disparo_rfc3339(t.archived_at), disparo_rfc3339(t.created_at), disparo_rfc3339(t.updated_at)";

MessageTemplate template_from_row(const pg::Rows& rows, int row) {
  auto opt = [&](int col) -> std::optional<std::string> {
    if (rows.is_null(row, col)) return std::nullopt;
    return std::string(rows.text(row, col));
  };
  MessageTemplate t;
  t.id = rows.int64(row, 0);
  t.tenant_id = rows.int64(row, 1);
  t.name = rows.text(row, 2);
  t.kind = rows.text(row, 3);
  t.body = rows.text(row, 4);
  t.media_type = opt(5);
  t.media_url = opt(6);
  t.filename = opt(7);
  t.contact_name = opt(8);
  t.contact_phone = opt(9);
  t.provider_template = opt(10);
  t.provider_language = opt(11);
  // The server wrote this JSON (array_to_json of text[]): a parse failure is a bug, not input.
  simdjson::dom::parser parser;
  simdjson::padded_string json(rows.text(row, 12));
  simdjson::dom::array params;
  if (parser.parse(json).get(params) == simdjson::SUCCESS) {
    for (auto element : params) {
      std::string_view value;
      if (element.get(value) == simdjson::SUCCESS) t.provider_params.emplace_back(value);
    }
  }
  t.archived_at = opt(13);
  t.created_at = rows.text(row, 14);
  t.updated_at = rows.text(row, 15);
  return t;
}

Expected<MessageTemplate> load_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t template_id) {
  auto rows = conn.exec(std::string("SELECT ") + kTemplateColumns +
                            " FROM message_templates t WHERE t.id = $2 AND t.tenant_id = $1",
                        {std::to_string(tenant_id), std::to_string(template_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) {
    return make_error(ErrorKind::not_found, "No template with id " + std::to_string(template_id) + ".");
  }
  return template_from_row(*rows, 0);
}

}  // namespace disparo::campaigns
