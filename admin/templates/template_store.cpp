#include "admin/templates/template_store.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "admin/json.hpp"
#include "campaigns/client_context.hpp"
#include "campaigns/enqueue.hpp"
#include "campaigns/message_template.hpp"

namespace disparo::admin::templates {
namespace {

using campaigns::MessageTemplate;

constexpr const char* kUnique = "A template with this name already exists.";

boost::json::value opt_json(const std::optional<std::string>& v) {
  if (v) return boost::json::value(*v);
  return nullptr;
}

boost::json::object template_json(const MessageTemplate& t, std::int64_t used_by_campaigns) {
  boost::json::array params;
  for (const auto& p : t.provider_params) params.emplace_back(p);
  boost::json::array names;
  std::vector<std::string> seen;
  auto collect = [&](std::string_view text) {
    for (auto& n : campaigns::placeholders_in(text)) {
      if (std::find(seen.begin(), seen.end(), n) == seen.end()) {
        names.emplace_back(n);
        seen.push_back(std::move(n));
      }
    }
  };
  collect(t.body);
  for (const auto& p : t.provider_params) collect(p);
  return boost::json::object{{"id", t.id},
                             {"name", t.name},
                             {"kind", t.kind},
                             {"body", t.body},
                             {"media_type", opt_json(t.media_type)},
                             {"media_url", opt_json(t.media_url)},
                             {"filename", opt_json(t.filename)},
                             {"contact_name", opt_json(t.contact_name)},
                             {"contact_phone", opt_json(t.contact_phone)},
                             {"provider_template", opt_json(t.provider_template)},
                             {"provider_language", opt_json(t.provider_language)},
                             {"provider_params", std::move(params)},
                             {"placeholders", std::move(names)},
                             {"archived", t.archived_at.has_value()},
                             {"archived_at", opt_json(t.archived_at)},
                             {"used_by_campaigns", used_by_campaigns},
                             {"created_at", t.created_at},
                             {"updated_at", t.updated_at}};
}

std::string select_sql(std::string_view where) {
  return std::string("SELECT ") + campaigns::kTemplateColumns +
         ", (SELECT count(*) FROM campaigns c WHERE c.template_id = t.id AND c.archived_at IS NULL) "
         "FROM message_templates t " +
         std::string(where);
}

// Applies a (PATCH) input onto a template: absent keeps, null clears, a value sets.
void apply(std::optional<std::string>& field, const In<std::string>& in) {
  if (!in.present) return;
  field = in.value;
}
void apply_required(std::string& field, const In<std::string>& in) {
  if (in.value) field = *in.value;
}

MessageTemplate merged(MessageTemplate t, const TemplateInput& in) {
  apply_required(t.name, in.name);
  apply_required(t.kind, in.kind);
  if (in.body.present) t.body = in.body.value.value_or("");
  apply(t.media_type, in.media_type);
  apply(t.media_url, in.media_url);
  apply(t.filename, in.filename);
  apply(t.contact_name, in.contact_name);
  apply(t.contact_phone, in.contact_phone);
  apply(t.provider_template, in.provider_template);
  apply(t.provider_language, in.provider_language);
  if (in.provider_params.present) t.provider_params = in.provider_params.value.value_or(std::vector<std::string>{});
  return t;
}

std::vector<FieldError> admin_errors(const std::vector<campaigns::FieldError>& errors) {
  std::vector<FieldError> out;
  for (const auto& e : errors) out.push_back({e.field, e.message});
  return out;
}

std::string params_json(const std::vector<std::string>& params) {
  boost::json::array a;
  for (const auto& p : params) a.emplace_back(p);
  return to_json(a);
}

// The columns written by create and update, $3..$14 (after $1 tenant/id, $2 the other).
pg::Params column_params(const MessageTemplate& t) {
  return {t.name,           t.kind,          t.body,
          t.media_type,     t.media_url,     t.filename,
          t.contact_name,   t.contact_phone, t.provider_template,
          t.provider_language, params_json(t.provider_params)};
}

Reply reply(http::status status, boost::json::value body) { return Reply{status, std::move(body), {}}; }

Reply invalid(std::vector<FieldError> errors) { return Reply{http::status::unprocessable_entity, nullptr, std::move(errors)}; }

}  // namespace

Expected<Reply> list_templates(pg::Connection& conn, std::int64_t tenant_id, bool include_archived) {
  auto rows = conn.exec(select_sql("WHERE t.tenant_id = $1 AND ($2::boolean OR t.archived_at IS NULL) ORDER BY t.name, t.id"),
                        {param(tenant_id), param(include_archived)});
  if (!rows) return std::move(rows).error();
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) {
    items.push_back(template_json(campaigns::template_from_row(*rows, r), rows->int64(r, 16)));
  }
  return reply(http::status::ok, boost::json::object{{"items", std::move(items)}});
}

Expected<Reply> read_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec(select_sql("WHERE t.tenant_id = $1 AND t.id = $2"), {param(tenant_id), param(id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("template");
  return reply(http::status::ok, template_json(campaigns::template_from_row(*rows, 0), rows->int64(0, 16)));
}

Expected<Reply> create_template(pg::Connection& conn, std::int64_t tenant_id, const TemplateInput& in) {
  MessageTemplate t = merged(MessageTemplate{}, in);
  if (auto errors = campaigns::validate_template(t); !errors.empty()) return invalid(admin_errors(errors));
  pg::Params params{param(tenant_id), param(in.archived.value.value_or(false))};
  for (auto& p : column_params(t)) params.push_back(std::move(p));
  auto rows = conn.exec(
      "INSERT INTO message_templates (tenant_id, archived_at, name, kind, body, media_type, media_url, filename, "
      "  contact_name, contact_phone, provider_template, provider_language, provider_params) "
      "VALUES ($1, CASE WHEN $2::boolean THEN now() END, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
      "  ARRAY(SELECT json_array_elements_text($13::json))) "
      "ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id",
      params);
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::conflict, kUnique);
  auto created = read_template(conn, tenant_id, rows->int64(0, 0));
  if (created) created->status = http::status::created;
  return created;
}

Expected<Reply> update_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                const TemplateInput& in) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<Reply> {
    auto rows = tx.exec(std::string("SELECT ") + campaigns::kTemplateColumns +
                            " FROM message_templates t WHERE t.tenant_id = $1 AND t.id = $2 FOR UPDATE",
                        {param(tenant_id), param(id)});
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) return not_found_error("template");
    MessageTemplate t = merged(campaigns::template_from_row(*rows, 0), in);
    if (auto errors = campaigns::validate_template(t); !errors.empty()) return invalid(admin_errors(errors));
    pg::Params params{param(tenant_id), param(id)};
    for (auto& p : column_params(t)) params.push_back(std::move(p));
    params.push_back(in.archived.value ? param(*in.archived.value) : pg::Param());
    auto updated = tx.exec(
        "UPDATE message_templates SET name = $3, kind = $4, body = $5, media_type = $6, media_url = $7, "
        "  filename = $8, contact_name = $9, contact_phone = $10, provider_template = $11, "
        "  provider_language = $12, provider_params = ARRAY(SELECT json_array_elements_text($13::json)), "
        "  archived_at = CASE WHEN $14::boolean IS NULL THEN archived_at "
        "                     WHEN $14::boolean THEN coalesce(archived_at, now()) END, "
        "  updated_at = now() "
        "WHERE tenant_id = $1 AND id = $2",
        params);
    if (!updated) {
      if (updated.error().code == "23505") return make_error(ErrorKind::conflict, kUnique);
      return std::move(updated).error();
    }
    return read_template(tx, tenant_id, id);
  });
}

Expected<Reply> delete_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<Reply> {
    // A template referenced by a campaign (even an archived one, whose runs keep their history)
    // or by an automation is archived instead: deleting would break them or silently switch the
    // automation off.
    auto rows = tx.exec(
        "SELECT EXISTS (SELECT 1 FROM campaigns c WHERE c.template_id = t.id) OR EXISTS ("
        "         SELECT 1 FROM tenant_settings s WHERE s.tenant_id = t.tenant_id "
        "           AND t.id IN (s.welcome_template_id, s.payment_confirmation_template_id)) "
        "FROM message_templates t WHERE t.tenant_id = $1 AND t.id = $2 FOR UPDATE",
        {param(tenant_id), param(id)});
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) return not_found_error("template");
    if (rows->boolean(0, 0)) {
      auto archived = tx.exec(
          "UPDATE message_templates SET archived_at = coalesce(archived_at, now()), updated_at = now() "
          "WHERE tenant_id = $1 AND id = $2",
          {param(tenant_id), param(id)});
      if (!archived) return std::move(archived).error();
      return read_template(tx, tenant_id, id);
    }
    auto gone = tx.exec("DELETE FROM message_templates WHERE tenant_id = $1 AND id = $2", {param(tenant_id), param(id)});
    if (!gone) return std::move(gone).error();
    return reply(http::status::no_content, nullptr);
  });
}

namespace {

// Why a client cannot get this template now, or "" when it can.
std::string blocker(const campaigns::ClientTarget& target, const MessageTemplate& t) {
  if (t.archived_at) return "template_archived";
  if (target.blocked) return "blocked";
  if (target.archived) return "archived";
  if (!target.session_id) return "no_session";
  return {};
}

Expected<campaigns::ClientTarget> client_of(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                            SysTime now) {
  auto target = campaigns::load_client_target(conn, tenant_id, client_id, now);
  if (!target && target.error().kind == ErrorKind::not_found) {
    return field_error("client_id", "does not name one of this tenant's clients");
  }
  return target;
}

}  // namespace

Expected<Reply> preview_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                 std::int64_t client_id, bool show_password, SysTime now) {
  auto t = campaigns::load_template(conn, tenant_id, id);
  if (!t) return std::move(t).error();
  auto target = client_of(conn, tenant_id, client_id, now);
  if (!target) return std::move(target).error();
  // Roles that may not read client passwords see them masked (docs/admin-roles.md).
  if (!show_password && !target->context.senha.empty()) target->context.senha = "******";
  std::string reason = blocker(*target, *t);
  auto rendered = campaigns::render_message(*t, target->context, target->cloud_api());
  if (!rendered && rendered.error().code == campaigns::kNoProviderTemplate) {
    if (reason.empty()) reason = std::string(campaigns::kNoProviderTemplate);
    rendered = campaigns::render_message(*t, target->context, false);  // still show the text
  }
  if (!rendered) return std::move(rendered).error();
  boost::json::object out{{"template_id", id},
                          {"client_id", client_id},
                          {"session_id", target->session_id ? boost::json::value(*target->session_id) : nullptr},
                          {"provider", target->provider.empty() ? boost::json::value(nullptr)
                                                                : boost::json::value(target->provider)},
                          {"kind", rendered->kind},
                          {"text", rendered->text},
                          {"content", boost::json::parse(rendered->content_json)},
                          {"sendable", reason.empty()},
                          {"reason", reason.empty() ? boost::json::value(nullptr) : boost::json::value(reason)}};
  return reply(http::status::ok, std::move(out));
}

Expected<Reply> send_template(pg::Connection& conn, std::int64_t tenant_id, const SendNow& request, SysTime now) {
  auto t = campaigns::load_template(conn, tenant_id, request.template_id);
  if (!t) return std::move(t).error();
  auto target = client_of(conn, tenant_id, request.client_id, now);
  if (!target) return std::move(target).error();
  if (auto reason = blocker(*target, *t); !reason.empty()) {
    const std::string detail = reason == "template_archived" ? "The template is archived."
                               : reason == "no_session"      ? "The client has no WhatsApp session (its server's or the default)."
                                                             : "The client is " + reason + ".";
    return make_error(ErrorKind::conflict, detail, reason);
  }
  auto rendered = campaigns::render_message(*t, target->context, target->cloud_api());
  if (!rendered) {
    if (rendered.error().code == campaigns::kNoProviderTemplate) {
      return make_error(ErrorKind::conflict,
                        "The client's session is a Cloud API session and this template has no approved "
                        "provider template (provider_template).",
                        std::string(campaigns::kNoProviderTemplate));
    }
    return std::move(rendered).error();
  }
  campaigns::NewMessage m;
  m.tenant_id = tenant_id;
  m.session_id = *target->session_id;
  m.client_id = target->client_id;
  m.recipient = target->phone;
  m.kind = rendered->kind;
  m.content_json = rendered->content_json;
  m.priority = 0;  // an operator is waiting for it
  m.origin = "manual";
  if (request.idempotency_key) m.idempotency_key = "manual:" + *request.idempotency_key;
  m.metadata_json = to_json(boost::json::object{{"template_id", request.template_id}, {"api_key_id", request.key_id}});
  auto inserted = campaigns::enqueue_message(conn, m);
  if (!inserted) return std::move(inserted).error();
  if (*inserted) {
    return reply(http::status::accepted, boost::json::object{{"message_id", **inserted}, {"status", "queued"},
                                                             {"duplicate", false}});
  }
  auto existing = conn.exec("SELECT id, status FROM messages WHERE tenant_id = $1 AND idempotency_key = $2",
                            {param(tenant_id), m.idempotency_key});
  if (!existing) return std::move(existing).error();
  if (existing->size() == 0) return make_error(ErrorKind::conflict, "The idempotency key is in use; try again.");
  return reply(http::status::ok, boost::json::object{{"message_id", existing->int64(0, 0)},
                                                     {"status", existing->text(0, 1)},
                                                     {"duplicate", true}});
}

}  // namespace disparo::admin::templates
