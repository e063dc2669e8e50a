#include "admin/server_store.hpp"

#include <boost/json.hpp>

namespace disparo::admin {
namespace {

// Counts come from one pass over the tenant's clients (clients_tenant_server index).
constexpr const char* kSelect =
    "WITH counts AS (SELECT server_id, count(*) AS n FROM clients "
    "                WHERE tenant_id = $1 AND archived_at IS NULL GROUP BY server_id), "
    "     total AS (SELECT coalesce(sum(n), 0) AS n FROM counts) "
    "SELECT s.id, s.name, s.credit_cost_cents, s.session_id, coalesce(s.session_id, d.id), "
    "       disparo_rfc3339(s.created_at), coalesce(c.n, 0), t.n "
    "FROM servers s CROSS JOIN total t "
    "LEFT JOIN counts c ON c.server_id = s.id "
    "LEFT JOIN whatsapp_sessions d ON d.tenant_id = s.tenant_id AND d.is_default "
    "WHERE s.tenant_id = $1 AND ($2::bigint IS NULL OR s.id = $2) ORDER BY s.name, s.id";

boost::json::object server_json(const pg::Rows& rows, int r) {
  const auto clients = rows.int64(r, 6);
  const auto total = rows.int64(r, 7);
  const double share = total == 0 ? 0.0 : static_cast<double>(clients) / static_cast<double>(total);
  return boost::json::object{
      {"id", rows.int64(r, 0)},
      {"name", rows.text(r, 1)},
      {"credit_cost_cents", rows.int64(r, 2)},
      {"session_id", nullable_int(rows, r, 3)},
      {"effective_session_id", nullable_int(rows, r, 4)},
      {"created_at", rows.text(r, 5)},
      {"stats", boost::json::object{{"clients", clients},
                                    {"share", static_cast<double>(static_cast<long long>(share * 10000.0 + 0.5)) / 10000.0},
                                    {"total_credit_cost_cents", clients * rows.int64(r, 2)}}}};
}

constexpr const char* kUnique = "A server with this name already exists.";

}  // namespace

Expected<boost::json::value> read_servers(pg::Connection& conn, std::int64_t tenant_id,
                                          std::optional<std::int64_t> id) {
  auto rows = conn.exec(kSelect, {param(tenant_id), param(id)});
  if (!rows) return std::move(rows).error();
  if (id) {
    if (rows->size() == 0) return not_found_error("server");
    return boost::json::value(server_json(*rows, 0));
  }
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) items.push_back(server_json(*rows, r));
  return boost::json::value(boost::json::object{{"items", std::move(items)}});
}

Expected<boost::json::value> create_server(pg::Connection& conn, std::int64_t tenant_id, const ServerInput& in) {
  auto checked = check_owned(conn, "whatsapp_sessions", tenant_id, in.session_id, "session_id");
  if (!checked) return std::move(checked).error();
  auto rows = conn.exec(
      "INSERT INTO servers (tenant_id, name, credit_cost_cents, session_id) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id",
      {param(tenant_id), param(in.name.value), param(in.credit_cost_cents.value.value_or(0)),
       param(in.session_id.value)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::conflict, kUnique);
  return read_servers(conn, tenant_id, rows->int64(0, 0));
}

Expected<boost::json::value> update_server(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                           const ServerInput& in) {
  auto checked = check_owned(conn, "whatsapp_sessions", tenant_id, in.session_id, "session_id");
  if (!checked) return std::move(checked).error();
  pg::Params params{param(id), param(tenant_id)};
  SetClause set(params);
  if (in.name.value) set.add("name", in.name.value);
  if (in.credit_cost_cents.value) set.add("credit_cost_cents", param(in.credit_cost_cents.value));
  if (in.session_id.present) set.add("session_id", param(in.session_id.value));
  if (!set.empty()) {
    auto rows = conn.exec("UPDATE servers SET " + set.text() + " WHERE id = $1 AND tenant_id = $2 RETURNING id", params);
    if (!rows) {
      if (rows.error().code == "23505") return make_error(ErrorKind::conflict, kUnique);
      return std::move(rows).error();
    }
    if (rows->size() == 0) return not_found_error("server");
  }
  return read_servers(conn, tenant_id, id);
}

Expected<boost::json::value> delete_server(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec("DELETE FROM servers WHERE id = $1 AND tenant_id = $2", {param(id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->affected() == 0) return not_found_error("server");
  return boost::json::value(nullptr);
}

}  // namespace disparo::admin
