#include "admin/key_store.hpp"

#include <boost/json.hpp>

#include "admin/resource_support.hpp"
#include "common/api_key.hpp"

namespace disparo::admin {
namespace {

constexpr const char* kColumns =
    "id, prefix, role, label, disparo_rfc3339(created_at), disparo_rfc3339(last_used_at), "
    "disparo_rfc3339(revoked_at)";

boost::json::object key_json(const pg::Rows& rows, int r) {
  return boost::json::object{{"id", rows.int64(r, 0)},
                             {"prefix", rows.text(r, 1)},
                             {"role", rows.text(r, 2)},
                             {"label", rows.text(r, 3)},
                             {"created_at", rows.text(r, 4)},
                             {"last_used_at", nullable_text(rows, r, 5)},
                             {"revoked_at", nullable_text(rows, r, 6)},
                             {"revoked", !rows.is_null(r, 6)}};
}

}  // namespace

Expected<boost::json::value> list_api_keys(pg::Connection& conn, std::int64_t tenant_id) {
  auto rows = conn.exec(std::string("SELECT ") + kColumns + " FROM api_keys WHERE tenant_id = $1 ORDER BY id",
                        {param(tenant_id)});
  if (!rows) return std::move(rows).error();
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) items.push_back(key_json(*rows, r));
  return boost::json::value(boost::json::object{{"items", std::move(items)}});
}

Expected<boost::json::value> create_api_key(pg::Connection& conn, std::int64_t tenant_id,
                                            const std::string& role, const std::string& label) {
  auto minted = mint_api_key();
  auto rows = conn.exec(std::string("INSERT INTO api_keys (tenant_id, prefix, key_hash, role, label) "
                                    "VALUES ($1, $2, $3, $4, $5) RETURNING ") + kColumns,
                        {param(tenant_id), minted.prefix, minted.hash, role, label});
  if (!rows) return std::move(rows).error();
  auto out = key_json(*rows, 0);
  out["api_key"] = minted.key;
  return boost::json::value(std::move(out));
}

Expected<boost::json::value> revoke_api_key(pg::Connection& conn, std::int64_t tenant_id, std::int64_t key_id) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<boost::json::value> {
    // Lock the tenant's live owner keys so two revocations cannot both pass the check.
    auto owners = tx.exec(
        "SELECT id FROM api_keys WHERE tenant_id = $1 AND role = 'owner' AND revoked_at IS NULL FOR UPDATE",
        {param(tenant_id)});
    if (!owners) return std::move(owners).error();
    auto target = tx.exec("SELECT role, revoked_at IS NOT NULL FROM api_keys WHERE id = $1 AND tenant_id = $2",
                          {param(key_id), param(tenant_id)});
    if (!target) return std::move(target).error();
    if (target->size() == 0) return not_found_error("API key");
    if (target->text(0, 0) == "owner" && !target->boolean(0, 1) && owners->size() <= 1) {
      return make_error(ErrorKind::conflict, "This is the tenant's last owner key; create another owner key first.");
    }
    auto rows = tx.exec(std::string("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
                                    "WHERE id = $1 AND tenant_id = $2 RETURNING ") + kColumns,
                        {param(key_id), param(tenant_id)});
    if (!rows) return std::move(rows).error();
    return boost::json::value(key_json(*rows, 0));
  });
}

}  // namespace disparo::admin
