// A tenant's message template (a message_templates row): validation when it is saved, rendering
// into a message's content for one client, and loading from PostgreSQL.
//
// validate_template and render_message are pure (any thread); load_template blocks on the
// connection (worker threads only, like every pg call).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "campaigns/placeholders.hpp"
#include "common/expected.hpp"

namespace disparo::campaigns {

// Mirrors message_templates (0007_campaigns.sql).
struct MessageTemplate {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string name;
  std::string kind = "text";  // text | media | audio | contact
  std::string body;           // text, or the media caption; placeholders allowed
  std::optional<std::string> media_type;  // image | video | document (kind media)
  std::optional<std::string> media_url;   // http(s) URL (media, audio)
  std::optional<std::string> filename;    // document only
  std::optional<std::string> contact_name;   // kind contact
  std::optional<std::string> contact_phone;  // kind contact, E.164
  std::optional<std::string> provider_template;  // Cloud API template name; nullopt = no mapping
  std::optional<std::string> provider_language;  // "pt_BR"
  std::vector<std::string> provider_params;      // {{1}}, {{2}}, ... each a text with placeholders
  std::optional<std::string> archived_at;        // RFC 3339
  std::string created_at;                        // RFC 3339
  std::string updated_at;
};

// One invalid field: `field` names the JSON member ("body", "provider_params[1]").
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// Limits (the table's CHECKs and the provider's).
inline constexpr std::size_t kMaxTemplateName = 200;
inline constexpr std::size_t kMaxTemplateBody = 4096;
inline constexpr std::size_t kMaxMediaUrl = 2048;

// Every problem of a template about to be saved; empty = valid. Checks the name, the kind and the
// fields it needs (and those it must not have), URLs, lengths (caption 1024 for media), the
// placeholders of the body and of every provider param, the E.164 contact phone, and that a
// provider mapping has both name and language.
std::vector<FieldError> validate_template(const MessageTemplate& tmpl);

struct RenderedMessage {
  std::string kind;          // messages.kind: text | media | contact | template
  std::string content_json;  // dispatch::content_to_json of the content
  std::string text;          // the rendered body / caption (what a person reads; for preview)
};

// Error code of render_message when a Cloud API session meets a template without a mapping.
inline constexpr std::string_view kNoProviderTemplate = "no_provider_template";

// Renders for one client. text -> TextContent, media -> MediaContent with caption, audio ->
// MediaContent{audio, voice = true}, contact -> ContactContent. On a Cloud API session
// (cloud_api_session) a template with a provider mapping becomes TemplateContent{name, language,
// body_params = rendered provider_params}; without a mapping the result is an error of kind
// ErrorKind::conflict with code kNoProviderTemplate ("failed precondition": Cloud API only sends
// approved templates outside the 24 h window).
Expected<RenderedMessage> render_message(const MessageTemplate& tmpl, const RenderContext& context,
                                         bool cloud_api_session);

// The template `template_id` of `tenant_id` (archived ones included; check archived_at);
// not_found when absent or another tenant's.
Expected<MessageTemplate> load_template(pg::Connection& conn, std::int64_t tenant_id,
                                        std::int64_t template_id);

// The SELECT column list load_template uses (alias t), and the reader of one row of it, for
// callers that list templates with the same shape.
extern const char* const kTemplateColumns;
MessageTemplate template_from_row(const pg::Rows& rows, int row);

}  // namespace disparo::campaigns
