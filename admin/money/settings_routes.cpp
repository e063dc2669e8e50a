#include "admin/money/settings_routes.hpp"

#include <tuple>

#include <boost/json.hpp>

#include "admin/json.hpp"
#include "admin/money/http_helpers.hpp"
#include "campaigns/placeholders.hpp"

namespace disparo::admin {
namespace money {
namespace {

boost::json::value optional_id(const std::optional<std::int64_t>& id) {
  if (id) return *id;
  return nullptr;
}

// A template id member: null clears; otherwise a positive integer.
void read_template_id(const boost::json::value& v, std::string_view key, bool& set, std::optional<std::int64_t>& out,
                      std::vector<FieldError>& errors) {
  set = true;
  if (v.is_null()) return;
  if (!v.is_int64() || v.get_int64() < 1) {
    errors.push_back({std::string(key), "must be a template id or null"});
    return;
  }
  out = v.get_int64();
}

boost::json::object settings_json(const TenantSettings& s) {
  return boost::json::object{{"asaas_webhook_token_set", s.asaas_token_set},
                             {"asaas_webhook_path", "/webhooks/asaas/" + s.tenant_slug},
                             {"payment_confirmation_enabled", s.payment_confirmation_enabled},
                             {"payment_confirmation_text", s.payment_confirmation_text},
                             {"welcome_enabled", s.welcome_enabled},
                             {"welcome_template_id", optional_id(s.welcome_template_id)},
                             {"payment_confirmation_template_id", optional_id(s.payment_confirmation_template_id)}};
}

struct PatchInput {
  SettingsPatch patch;
  std::vector<FieldError> errors;
};

PatchInput read_patch(const boost::json::object& body) {
  PatchInput out;
  for (const auto& member : body) {
    std::string_view key(member.key().data(), member.key().size());
    const auto& v = member.value();
    if (key == "asaas_webhook_token") {
      out.patch.set_token = true;
      if (v.is_null()) continue;
      if (!v.is_string()) {
        out.errors.push_back({"asaas_webhook_token", "must be a string or null"});
        continue;
      }
      std::string token(v.get_string());
      bool printable = true;
      for (unsigned char c : token) printable = printable && c > 0x20 && c < 0x7F;
      if (token.size() < 16 || token.size() > 255 || !printable) {
        out.errors.push_back({"asaas_webhook_token", "must have 16 to 255 visible ASCII characters"});
      } else {
        out.patch.token = std::move(token);
      }
    } else if (key == "payment_confirmation_enabled") {
      if (!v.is_bool()) {
        out.errors.push_back({"payment_confirmation_enabled", "must be true or false"});
      } else {
        out.patch.payment_confirmation_enabled = v.get_bool();
      }
    } else if (key == "payment_confirmation_text") {
      if (!v.is_string() || v.get_string().empty() || v.get_string().size() > 4000) {
        out.errors.push_back({"payment_confirmation_text", "must be a string of 1 to 4000 characters"});
      } else if (auto valid = campaigns::validate_placeholders(v.get_string()); !valid) {
        out.errors.push_back({"payment_confirmation_text", valid.error().message});
      } else {
        out.patch.payment_confirmation_text = std::string(v.get_string());
      }
    } else if (key == "welcome_enabled") {
      if (!v.is_bool()) {
        out.errors.push_back({"welcome_enabled", "must be true or false"});
      } else {
        out.patch.welcome_enabled = v.get_bool();
      }
    } else if (key == "welcome_template_id") {
      read_template_id(v, key, out.patch.set_welcome_template, out.patch.welcome_template_id, out.errors);
    } else if (key == "payment_confirmation_template_id") {
      read_template_id(v, key, out.patch.set_confirmation_template, out.patch.payment_confirmation_template_id,
                       out.errors);
    } else {
      out.errors.push_back({std::string(key), "is not a known field"});
    }
  }
  return out;
}

boost::asio::awaitable<Response> get_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::settings_read);
  if (!guarded.caller) co_return guarded.denied;
  auto read = [tenant = guarded.caller->tenant_id](pg::Connection& conn) { return read_settings(conn, tenant); };
  auto settings = co_await with_db(ctx, std::move(read));
  if (!settings) co_return problem_response(problem_logged(ctx, "settings_read_failed", settings.error()));
  co_return json_response(http::status::ok, settings_json(*settings));
}

boost::asio::awaitable<Response> patch_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::settings_write);
  if (!guarded.caller) co_return guarded.denied;
  if (!is_json_request(rc.request)) co_return problem_response(unsupported_media_type("application/json"));
  auto body = parse_object(rc.request.body());
  if (!body) co_return problem_response(bad_request(body.error().message));
  auto input = read_patch(*body);
  if (!input.errors.empty()) co_return problem_response(validation_failed(std::move(input.errors)));
  auto write = [tenant = guarded.caller->tenant_id, patch = std::move(input.patch)](pg::Connection& conn) {
    return update_settings(conn, tenant, patch);
  };
  auto settings = co_await with_db(ctx, std::move(write));
  if (!settings && settings.error().code.rfind("field:", 0) == 0) {  // a template id that does not fit
    co_return problem_response(validation_failed({{settings.error().code.substr(6), settings.error().message}}));
  }
  if (!settings) co_return problem_response(problem_logged(ctx, "settings_update_failed", settings.error()));
  ctx.log.info("settings_updated", {{"tenant_id", guarded.caller->tenant_id}});
  co_return json_response(http::status::ok, settings_json(*settings));
}

}  // namespace

Expected<TenantSettings> read_settings(pg::Connection& conn, std::int64_t tenant_id) {
  // The defaults (e.g. the confirmation text) live in the table's DEFAULTs: a tenant's row is
  // created on first use so there is one place that states them.
  auto ensured = conn.exec("INSERT INTO tenant_settings (tenant_id) SELECT id FROM tenants WHERE id = $1 "
                           "ON CONFLICT (tenant_id) DO NOTHING",
                           {std::to_string(tenant_id)});
  if (!ensured) return std::move(ensured).error();
  auto rows = conn.exec(
      "SELECT t.slug, s.asaas_webhook_token IS NOT NULL, s.payment_confirmation_enabled, "
      "       s.payment_confirmation_text, s.welcome_enabled, s.welcome_template_id, "
      "       s.payment_confirmation_template_id "
      "FROM tenants t JOIN tenant_settings s ON s.tenant_id = t.id WHERE t.id = $1",
      {std::to_string(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "No such tenant.");
  TenantSettings out;
  out.tenant_slug = rows->text(0, 0);
  out.asaas_token_set = rows->boolean(0, 1);
  out.payment_confirmation_enabled = rows->boolean(0, 2);
  out.payment_confirmation_text = rows->text(0, 3);
  out.welcome_enabled = rows->boolean(0, 4);
  if (!rows->is_null(0, 5)) out.welcome_template_id = rows->int64(0, 5);
  if (!rows->is_null(0, 6)) out.payment_confirmation_template_id = rows->int64(0, 6);
  return out;
}

Expected<TenantSettings> update_settings(pg::Connection& conn, std::int64_t tenant_id, const SettingsPatch& patch) {
  // One transaction: a patch that fails a check (e.g. welcome on without a template) changes nothing.
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<TenantSettings> {
    auto written = tx.exec("INSERT INTO tenant_settings (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING",
                             {std::to_string(tenant_id)});
    if (!written) return std::move(written).error();
    pg::Param enabled;
    if (patch.payment_confirmation_enabled) enabled = *patch.payment_confirmation_enabled ? "true" : "false";
    // Automation templates must be the tenant's and not archived (checked here, not by the FK alone).
    for (const auto& [set, id, field] :
         {std::tuple{patch.set_welcome_template, patch.welcome_template_id, "welcome_template_id"},
          std::tuple{patch.set_confirmation_template, patch.payment_confirmation_template_id,
                     "payment_confirmation_template_id"}}) {
      if (!set || !id) continue;
      auto found = tx.exec("SELECT archived_at IS NULL FROM message_templates WHERE id = $1 AND tenant_id = $2",
                             {std::to_string(*id), std::to_string(tenant_id)});
      if (!found) return std::move(found).error();
      if (found->size() == 0) {
        return make_error(ErrorKind::invalid_argument, "does not name one of this tenant's templates",
                          std::string("field:") + field);
      }
      if (!found->boolean(0, 0)) {
        return make_error(ErrorKind::invalid_argument, "names an archived template", std::string("field:") + field);
      }
    }
    pg::Param welcome;
    if (patch.welcome_enabled) welcome = *patch.welcome_enabled ? "true" : "false";
    pg::Param welcome_template;
    if (patch.welcome_template_id) welcome_template = std::to_string(*patch.welcome_template_id);
    pg::Param confirmation_template;
    if (patch.payment_confirmation_template_id) {
      confirmation_template = std::to_string(*patch.payment_confirmation_template_id);
    }
    auto updated = tx.exec(
        "UPDATE tenant_settings SET "
        "  asaas_webhook_token = CASE WHEN $2 THEN $3 ELSE asaas_webhook_token END, "
        "  payment_confirmation_enabled = coalesce($4::boolean, payment_confirmation_enabled), "
        "  payment_confirmation_text = coalesce($5, payment_confirmation_text), "
        "  welcome_enabled = coalesce($6::boolean, welcome_enabled), "
        "  welcome_template_id = CASE WHEN $7 THEN $8::bigint ELSE welcome_template_id END, "
        "  payment_confirmation_template_id = CASE WHEN $9 THEN $10::bigint "
        "                                          ELSE payment_confirmation_template_id END, "
        "  updated_at = now() "
        "WHERE tenant_id = $1 "
        "RETURNING welcome_enabled AND welcome_template_id IS NULL",
        {std::to_string(tenant_id), patch.set_token ? "true" : "false", patch.token, enabled,
         patch.payment_confirmation_text, welcome, patch.set_welcome_template ? "true" : "false", welcome_template,
         patch.set_confirmation_template ? "true" : "false", confirmation_template});
    if (!updated) return std::move(updated).error();
    if (updated->size() == 1 && updated->boolean(0, 0)) {  // rolled back with the transaction
      return make_error(ErrorKind::invalid_argument, "needs a welcome_template_id", "field:welcome_enabled");
    }
    return read_settings(tx, tenant_id);
  });
}

}  // namespace money

void add_settings_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/settings", [&ctx](RequestContext rc) { return money::get_route(ctx, rc); });
  router.add(http::verb::patch, "/v1/settings", [&ctx](RequestContext rc) { return money::patch_route(ctx, rc); });
}

}  // namespace disparo::admin
