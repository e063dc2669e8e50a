// Message templates of a tenant over SQL: list, read, create, update, delete (archives a template
// still in use), preview for a client and send-now to a client. Each returns a Reply: the HTTP
// status and body, or the field errors of a 422. Blocking SQL: worker threads only (with_db).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/http_types.hpp"
#include "admin/problem.hpp"
#include "admin/resource_support.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"

namespace disparo::admin::templates {

// What a store call answers when it did not fail: a status and body, or field errors (422).
struct Reply {
  http::status status = http::status::ok;
  boost::json::value body;          // unused with no_content
  std::vector<FieldError> errors;   // non-empty: answer 422 with them
};

// The members of POST/PATCH /v1/templates (PATCH: absent = unchanged, null = cleared).
struct TemplateInput {
  In<std::string> name;
  In<std::string> kind;
  In<std::string> body;
  In<std::string> media_type;
  In<std::string> media_url;
  In<std::string> filename;
  In<std::string> contact_name;
  In<std::string> contact_phone;  // normalised to E.164 by the reader
  In<std::string> provider_template;
  In<std::string> provider_language;
  In<std::vector<std::string>> provider_params;
  In<bool> archived;
};

Expected<Reply> list_templates(pg::Connection& conn, std::int64_t tenant_id, bool include_archived);
Expected<Reply> read_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);
Expected<Reply> create_template(pg::Connection& conn, std::int64_t tenant_id, const TemplateInput& in);
Expected<Reply> update_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                const TemplateInput& in);
// 204 when deleted; 200 with the archived template when a campaign or an automation uses it.
Expected<Reply> delete_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

// The template rendered for one client as it would be sent now ({senha} masked unless
// `show_password`), with whether it can be sent and why not.
Expected<Reply> preview_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                 std::int64_t client_id, bool show_password, SysTime now);

struct SendNow {
  std::int64_t template_id = 0;
  std::int64_t client_id = 0;
  std::optional<std::string> idempotency_key;  // stored as "manual:<key>"
  std::int64_t key_id = 0;                     // the API key that asked (metadata)
};
// 202 {message_id, status: "queued"}: a transactional message with origin 'manual' that the
// dispatcher sends like any other; 200 {message_id, duplicate: true} for a repeated key;
// 409 when the client is blocked/archived, has no session, the template is archived or a Cloud
// API session has no provider template; 422 when client_id is not the tenant's.
Expected<Reply> send_template(pg::Connection& conn, std::int64_t tenant_id, const SendNow& request, SysTime now);

}  // namespace disparo::admin::templates
