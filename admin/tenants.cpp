#include "admin/tenants.hpp"

#include "common/api_key.hpp"

namespace disparo::admin {
namespace {

constexpr std::string_view kTenantColumns = "id, slug, name, time_zone";

Tenant tenant_from(const pg::Rows& rows, int row) {
  return Tenant{rows.int64(row, 0), std::string(rows.text(row, 1)), std::string(rows.text(row, 2)),
                std::string(rows.text(row, 3))};
}

Expected<Tenant> one_tenant(Expected<pg::Rows> rows, std::string what) {
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "No tenant " + what + ".");
  return tenant_from(*rows, 0);
}

}  // namespace

Expected<std::string> add_api_key(pg::Connection& conn, std::int64_t tenant_id,
                                  std::string_view role, std::string_view label) {
  auto minted = mint_api_key();
  auto inserted = conn.exec(
      "INSERT INTO api_keys (tenant_id, prefix, key_hash, role, label) VALUES ($1, $2, $3, $4, $5)",
      {std::to_string(tenant_id), minted.prefix, minted.hash, std::string(role),
       std::string(label)});
  if (!inserted) return std::move(inserted).error();
  return std::move(minted.key);
}

Expected<CreatedTenant> create_tenant(pg::Connection& conn, const NewTenant& input) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<CreatedTenant> {
    // ON CONFLICT DO NOTHING: a taken slug is an answer, not an error the server logs.
    auto rows = tx.exec(
        "INSERT INTO tenants (slug, name, time_zone, callback_secret) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (slug) DO NOTHING RETURNING id, slug, name, time_zone",
        {input.slug, input.name, input.time_zone, mint_webhook_secret()});
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) {
      return make_error(ErrorKind::conflict, "A tenant with slug '" + input.slug + "' already exists.");
    }
    CreatedTenant created{tenant_from(*rows, 0), {}, std::string(kOwnerRole)};
    auto key = add_api_key(tx, created.tenant.id, kOwnerRole, "first owner key");
    if (!key) return std::move(key).error();
    created.api_key = std::move(*key);
    return created;
  });
}

Expected<Tenant> find_tenant(pg::Connection& conn, std::int64_t id) {
  return one_tenant(conn.exec("SELECT " + std::string(kTenantColumns) + " FROM tenants WHERE id = $1",
                              {std::to_string(id)}),
                    "with id " + std::to_string(id));
}

Expected<Tenant> find_tenant_by_slug(pg::Connection& conn, std::string_view slug) {
  return one_tenant(
      conn.exec("SELECT " + std::string(kTenantColumns) + " FROM tenants WHERE slug = $1",
                {std::string(slug)}),
      "with slug '" + std::string(slug) + "'");
}

}  // namespace disparo::admin
