#include "admin/plan_store.hpp"

#include <boost/json.hpp>

namespace disparo::admin {
namespace {

constexpr const char* kPlanSelect =
    "SELECT p.id, p.name, p.cycle, p.price_cents, p.grace_days, disparo_rfc3339(p.archived_at), "
    "       disparo_rfc3339(p.created_at), "
    "       (SELECT count(*) FROM clients c WHERE c.plan_id = p.id AND c.archived_at IS NULL) "
    "FROM plans p WHERE p.tenant_id = $1 AND ($2::bigint IS NULL OR p.id = $2) ORDER BY p.name, p.id";

constexpr const char* kChannelSelect =
    "SELECT id, name, cost_cents, disparo_rfc3339(created_at) FROM acquisition_channels "
    "WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY name, id";

constexpr const char* kPlanUnique = "A plan with this name already exists.";
constexpr const char* kChannelUnique = "An acquisition channel with this name already exists.";

boost::json::object plan_json(const pg::Rows& rows, int r) {
  return boost::json::object{{"id", rows.int64(r, 0)},
                             {"name", rows.text(r, 1)},
                             {"cycle", rows.text(r, 2)},
                             {"price_cents", rows.int64(r, 3)},
                             {"grace_days", rows.int64(r, 4)},
                             {"archived", !rows.is_null(r, 5)},
                             {"archived_at", nullable_text(rows, r, 5)},
                             {"created_at", rows.text(r, 6)},
                             {"clients", rows.int64(r, 7)}};
}

boost::json::object channel_json(const pg::Rows& rows, int r) {
  return boost::json::object{{"id", rows.int64(r, 0)},
                             {"name", rows.text(r, 1)},
                             {"cost_cents", rows.int64(r, 2)},
                             {"created_at", rows.text(r, 3)}};
}

template <class ToJson>
Expected<boost::json::value> one_or_all(Expected<pg::Rows> rows, std::optional<std::int64_t> id,
                                        std::string_view what, ToJson to_json) {
  if (!rows) return std::move(rows).error();
  if (id) {
    if (rows->size() == 0) return not_found_error(what);
    return boost::json::value(to_json(*rows, 0));
  }
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) items.push_back(to_json(*rows, r));
  return boost::json::value(boost::json::object{{"items", std::move(items)}});
}

// Runs an UPDATE built from `set`; not_found when no row of the tenant has the id.
Expected<void> run_update(pg::Connection& conn, std::string_view table, const SetClause& set,
                          const pg::Params& params, std::string_view what, const char* unique_message) {
  if (set.empty()) return {};
  auto rows = conn.exec("UPDATE " + std::string(table) + " SET " + set.text() +
                            " WHERE id = $1 AND tenant_id = $2 RETURNING id",
                        params);
  if (!rows) {
    if (rows.error().code == "23505") return make_error(ErrorKind::conflict, unique_message);
    return std::move(rows).error();
  }
  if (rows->size() == 0) return not_found_error(what);
  return {};
}

}  // namespace

Expected<boost::json::value> read_plans(pg::Connection& conn, std::int64_t tenant_id, std::optional<std::int64_t> id) {
  return one_or_all(conn.exec(kPlanSelect, {param(tenant_id), param(id)}), id, "plan", plan_json);
}

Expected<boost::json::value> create_plan(pg::Connection& conn, std::int64_t tenant_id, const PlanInput& in) {
  auto rows = conn.exec(
      "INSERT INTO plans (tenant_id, name, cycle, price_cents, grace_days, archived_at) "
      "VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::boolean THEN now() END) "
      "ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id",
      {param(tenant_id), param(in.name.value), param(in.cycle.value), param(in.price_cents.value),
       param(in.grace_days.value.value_or(0)), param(in.archived.value.value_or(false))});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::conflict, kPlanUnique);
  return read_plans(conn, tenant_id, rows->int64(0, 0));
}

Expected<boost::json::value> update_plan(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                         const PlanInput& in) {
  pg::Params params{param(id), param(tenant_id)};
  SetClause set(params);
  if (in.name.value) set.add("name", in.name.value);
  if (in.cycle.value) set.add("cycle", in.cycle.value);
  if (in.price_cents.value) set.add("price_cents", param(in.price_cents.value));
  if (in.grace_days.value) set.add("grace_days", param(in.grace_days.value));
  if (in.archived.value) {
    set.add_raw(*in.archived.value ? "archived_at = coalesce(archived_at, now())" : "archived_at = NULL");
  }
  if (auto done = run_update(conn, "plans", set, params, "plan", kPlanUnique); !done) return std::move(done).error();
  return read_plans(conn, tenant_id, id);
}

Expected<boost::json::value> delete_plan(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec(
      "WITH used AS (SELECT 1 FROM clients WHERE plan_id = $1 LIMIT 1), "
      "gone AS (DELETE FROM plans WHERE id = $1 AND tenant_id = $2 AND NOT EXISTS (SELECT 1 FROM used) "
      "         RETURNING id) "
      "SELECT (SELECT count(*) FROM gone), EXISTS (SELECT 1 FROM plans WHERE id = $1 AND tenant_id = $2)",
      {param(id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->int64(0, 0) == 1) return boost::json::value(nullptr);
  if (!rows->boolean(0, 1)) return not_found_error("plan");
  return make_error(ErrorKind::conflict, "Clients are on this plan; archive it instead.");
}

Expected<boost::json::value> read_channels(pg::Connection& conn, std::int64_t tenant_id,
                                           std::optional<std::int64_t> id) {
  return one_or_all(conn.exec(kChannelSelect, {param(tenant_id), param(id)}), id, "acquisition channel",
                    channel_json);
}

Expected<boost::json::value> create_channel(pg::Connection& conn, std::int64_t tenant_id, const ChannelInput& in) {
  auto rows = conn.exec(
      "INSERT INTO acquisition_channels (tenant_id, name, cost_cents) VALUES ($1, $2, $3) "
      "ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id",
      {param(tenant_id), param(in.name.value), param(in.cost_cents.value.value_or(0))});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::conflict, kChannelUnique);
  return read_channels(conn, tenant_id, rows->int64(0, 0));
}

Expected<boost::json::value> update_channel(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                            const ChannelInput& in) {
  pg::Params params{param(id), param(tenant_id)};
  SetClause set(params);
  if (in.name.value) set.add("name", in.name.value);
  if (in.cost_cents.value) set.add("cost_cents", param(in.cost_cents.value));
  if (auto done = run_update(conn, "acquisition_channels", set, params, "acquisition channel", kChannelUnique);
      !done) {
    return std::move(done).error();
  }
  return read_channels(conn, tenant_id, id);
}

Expected<boost::json::value> delete_channel(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec("DELETE FROM acquisition_channels WHERE id = $1 AND tenant_id = $2",
                        {param(id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->affected() == 0) return not_found_error("acquisition channel");
  return boost::json::value(nullptr);
}

}  // namespace disparo::admin
