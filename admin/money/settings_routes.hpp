// Tenant settings of the money side: the Asaas webhook token (write-only) and the payment
// confirmation message.
//   GET   /v1/settings   settings.read
//   PATCH /v1/settings   settings.write  {asaas_webhook_token?: string|null,
//                                         payment_confirmation_enabled?: bool,
//                                         payment_confirmation_text?: string,
//                                         welcome_enabled?: bool, welcome_template_id?: id|null,
//                                         payment_confirmation_template_id?: id|null}
// The token is never returned; the answer says whether one is set and where Asaas must post.
// Registered once (api.cpp); handlers run on the loop thread and offload SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "admin/api_context.hpp"
#include "admin/router.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

void add_settings_routes(Router& router, ApiContext& ctx);

namespace money {

struct TenantSettings {
  std::string tenant_slug;
  bool asaas_token_set = false;
  bool payment_confirmation_enabled = false;
  std::string payment_confirmation_text;
  // Automatic messages (admin/templates/automations.hpp).
  bool welcome_enabled = false;
  std::optional<std::int64_t> welcome_template_id;
  std::optional<std::int64_t> payment_confirmation_template_id;
};

struct SettingsPatch {
  bool set_token = false;
  std::optional<std::string> token;  // with set_token: nullopt clears it
  std::optional<bool> payment_confirmation_enabled;
  std::optional<std::string> payment_confirmation_text;
  std::optional<bool> welcome_enabled;
  bool set_welcome_template = false;          // welcome_template_id present (null clears)
  std::optional<std::int64_t> welcome_template_id;
  bool set_confirmation_template = false;     // payment_confirmation_template_id present
  std::optional<std::int64_t> payment_confirmation_template_id;
};

Expected<TenantSettings> read_settings(pg::Connection& conn, std::int64_t tenant_id);
Expected<TenantSettings> update_settings(pg::Connection& conn, std::int64_t tenant_id, const SettingsPatch& patch);

}  // namespace money
}  // namespace disparo::admin
