#include "admin/money/dashboard.hpp"

#include <chrono>

#include <boost/json.hpp>
#include <date/date.h>

#include "admin/money/http_helpers.hpp"

namespace disparo::admin {
namespace money {
namespace {

constexpr int kDueListLimit = 100;

// The tenant's calendar, decided once so every query uses the same "today".
struct Calendar {
  std::string today, month_start, month_end;
  int day_of_month = 1;
  int days_in_month = 30;
};

Expected<Calendar> calendar(pg::Connection& conn, const std::string& tenant, const std::string& now) {
  auto rows = conn.exec(
      "WITH d AS (SELECT ($2::timestamptz AT TIME ZONE time_zone)::date AS today FROM tenants WHERE id = $1) "
      "SELECT today::text, date_trunc('month', today)::date::text, "
      "       (date_trunc('month', today) + interval '1 month - 1 day')::date::text, "
      "       extract(day FROM today)::int, "
      "       extract(day FROM date_trunc('month', today) + interval '1 month - 1 day')::int FROM d",
      {tenant, now});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "No such tenant.");
  return Calendar{std::string(rows->text(0, 0)), std::string(rows->text(0, 1)), std::string(rows->text(0, 2)),
                  static_cast<int>(rows->int64(0, 3)), static_cast<int>(rows->int64(0, 4))};
}

double share(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return 0.0;
  return static_cast<double>(part * 10000 / whole) / 10000.0;  // four decimals, truncated
}

boost::json::value nullable_id(const pg::Rows& rows, int row, int col) {
  if (rows.is_null(row, col)) return nullptr;
  return rows.int64(row, col);
}

// The value of a client: its own amount, else its plan's price.
constexpr std::string_view kClientValue =
    "CASE WHEN c.amount_cents > 0 THEN c.amount_cents ELSE coalesce(pl.price_cents, 0) END";

}  // namespace

std::int64_t monthly_projection(std::int64_t received_cents, int days_elapsed, int days_in_month) {
  if (days_elapsed <= 0) return 0;
  const std::int64_t num = received_cents * days_in_month;
  const std::int64_t den = days_elapsed;
  return num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
}

Expected<boost::json::object> compute_dashboard(pg::Connection& conn, std::int64_t tenant_id,
                                                const DashboardOptions& options) {
  const std::string tenant = std::to_string(tenant_id);
  auto cal = calendar(conn, tenant, options.now);
  if (!cal) return std::move(cal).error();
  boost::json::object out{{"today", cal->today}, {"month", cal->month_start.substr(0, 7)}};

  // Active clients and the total of their values.
  auto active = conn.exec(
      "SELECT count(*), coalesce(sum(" + std::string(kClientValue) + "), 0)::bigint "
      "FROM clients c LEFT JOIN plans pl ON pl.id = c.plan_id "
      "WHERE c.tenant_id = $1 AND c.archived_at IS NULL AND NOT c.blocked "
      "  AND disparo_client_status(c.due_date, pl.grace_days, c.blocked, c.archived_at, $2::date) <> 'suspended'",
      {tenant, cal->today});
  if (!active) return std::move(active).error();
  out["active_clients"] = boost::json::object{{"count", active->int64(0, 0)}, {"value_cents", active->int64(0, 1)}};

  // Due lists.
  auto due = conn.exec(
      "SELECT (c.due_date - $2::date)::int, c.id, c.name, c.due_date::text, " + std::string(kClientValue) +
          ", count(*) OVER (PARTITION BY c.due_date), "
          "       row_number() OVER (PARTITION BY c.due_date ORDER BY c.name, c.id) "
          "FROM clients c LEFT JOIN plans pl ON pl.id = c.plan_id "
          "WHERE c.tenant_id = $1 AND c.archived_at IS NULL "
          "  AND c.due_date BETWEEN $2::date - 1 AND $2::date + 3 ORDER BY c.due_date, c.name, c.id",
      {tenant, cal->today});
  if (!due) return std::move(due).error();
  static constexpr std::string_view kDueNames[] = {"overdue_since_yesterday", "today", "tomorrow", "in_2_days",
                                                   "in_3_days"};
  boost::json::object lists;
  for (auto name : kDueNames) lists[name] = boost::json::object{{"count", 0}, {"clients", boost::json::array()}};
  for (int i = 0; i < due->size(); ++i) {
    const auto offset = due->int64(i, 0) + 1;  // -1..3 -> 0..4
    auto& list = lists[kDueNames[offset]].as_object();
    list["count"] = due->int64(i, 5);
    if (due->int64(i, 6) > kDueListLimit) continue;
    list["clients"].as_array().push_back(boost::json::object{{"id", due->int64(i, 1)},
                                                             {"name", due->text(i, 2)},
                                                             {"due_date", due->text(i, 3)},
                                                             {"value_cents", due->int64(i, 4)}});
  }
  out["due"] = std::move(lists);

  // Per day of the month: new clients and sales.
  auto daily = conn.exec(
      "SELECT d::date::text, "
      "  (SELECT count(*) FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.tenant_id = $1 "
      "     AND (c.created_at AT TIME ZONE t.time_zone)::date = d::date), "
      "  (SELECT count(*) FROM payments p WHERE p.tenant_id = $1 AND p.deleted_at IS NULL AND p.paid_on = d::date), "
      "  (SELECT coalesce(sum(p.amount_cents), 0)::bigint FROM payments p "
      "     WHERE p.tenant_id = $1 AND p.deleted_at IS NULL AND p.paid_on = d::date) "
      "FROM generate_series($2::date, $3::date, interval '1 day') AS d ORDER BY d",
      {tenant, cal->month_start, cal->month_end});
  if (!daily) return std::move(daily).error();
  boost::json::array new_clients, sales;
  std::int64_t month_count = 0, month_cents = 0, today_count = 0, today_cents = 0, to_date_cents = 0;
  for (int i = 0; i < daily->size(); ++i) {
    const std::string day(daily->text(i, 0));
    new_clients.push_back(boost::json::object{{"date", day}, {"count", daily->int64(i, 1)}});
    sales.push_back(boost::json::object{{"date", day}, {"count", daily->int64(i, 2)}, {"amount_cents", daily->int64(i, 3)}});
    month_count += daily->int64(i, 2);
    month_cents += daily->int64(i, 3);
    if (day <= cal->today) to_date_cents += daily->int64(i, 3);
    if (day == cal->today) {
      today_count = daily->int64(i, 2);
      today_cents = daily->int64(i, 3);
    }
  }
  out["new_clients_per_day"] = std::move(new_clients);
  out["sales_per_day"] = std::move(sales);
  out["payments_this_month"] = boost::json::object{{"count", month_count}, {"amount_cents", month_cents}};
  out["received_today"] = boost::json::object{{"count", today_count}, {"amount_cents", today_cents}};
  out["monthly_projection"] = boost::json::object{
      {"received_to_date_cents", to_date_cents},
      {"days_elapsed", cal->day_of_month},
      {"days_in_month", cal->days_in_month},
      {"projection_cents", monthly_projection(to_date_cents, cal->day_of_month, cal->days_in_month)}};

  // Payments by method over the period.
  auto methods = conn.exec(
      "SELECT m.method, count(p.id), coalesce(sum(p.amount_cents), 0)::bigint "
      "FROM (VALUES ('pix', 1), ('card', 2), ('boleto', 3), ('cash', 4)) AS m(method, ord) "
      "LEFT JOIN payments p ON p.method = m.method AND p.tenant_id = $1 AND p.deleted_at IS NULL "
      "  AND p.paid_on BETWEEN $2::date - ($3::int - 1) AND $2::date "
      "GROUP BY m.method, m.ord ORDER BY m.ord",
      {tenant, cal->today, std::to_string(options.period_days)});
  if (!methods) return std::move(methods).error();
  boost::json::array by_method;
  for (int i = 0; i < methods->size(); ++i) {
    by_method.push_back(boost::json::object{
        {"method", methods->text(i, 0)}, {"count", methods->int64(i, 1)}, {"amount_cents", methods->int64(i, 2)}});
  }
  out["payments_by_method"] = boost::json::object{{"period_days", options.period_days}, {"methods", std::move(by_method)}};

  // Plan distribution (non-archived clients).
  auto plans = conn.exec(
      "SELECT c.plan_id, pl.name, count(*), sum(count(*)) OVER ()::bigint "
      "FROM clients c LEFT JOIN plans pl ON pl.id = c.plan_id "
      "WHERE c.tenant_id = $1 AND c.archived_at IS NULL GROUP BY c.plan_id, pl.name ORDER BY count(*) DESC, c.plan_id",
      {tenant});
  if (!plans) return std::move(plans).error();
  boost::json::array plan_items;
  for (int i = 0; i < plans->size(); ++i) {
    plan_items.push_back(boost::json::object{
        {"plan_id", nullable_id(*plans, i, 0)},
        {"name", plans->is_null(i, 1) ? boost::json::value(nullptr) : boost::json::value(plans->text(i, 1))},
        {"clients", plans->int64(i, 2)},
        {"share", share(plans->int64(i, 2), plans->int64(i, 3))}});
  }
  out["plans"] = std::move(plan_items);

  // Acquisition per channel (all clients ever acquired).
  auto channels = conn.exec(
      "SELECT c.channel_id, ch.name, count(*), sum(count(*)) OVER ()::bigint, coalesce(ch.cost_cents, 0) "
      "FROM clients c LEFT JOIN acquisition_channels ch ON ch.id = c.channel_id "
      "WHERE c.tenant_id = $1 GROUP BY c.channel_id, ch.name, ch.cost_cents ORDER BY count(*) DESC, c.channel_id",
      {tenant});
  if (!channels) return std::move(channels).error();
  boost::json::array channel_items;
  for (int i = 0; i < channels->size(); ++i) {
    const auto clients = channels->int64(i, 2);
    const auto cost = channels->int64(i, 4);
    channel_items.push_back(boost::json::object{
        {"channel_id", nullable_id(*channels, i, 0)},
        {"name", channels->is_null(i, 1) ? boost::json::value(nullptr) : boost::json::value(channels->text(i, 1))},
        {"clients", clients},
        {"share", share(clients, channels->int64(i, 3))},
        {"cost_per_client_cents", cost},
        {"total_cost_cents", cost * clients}});
  }
  out["channels"] = std::move(channel_items);

  // Servers (non-archived clients).
  auto servers = conn.exec(
      "SELECT c.server_id, sv.name, count(*), sum(count(*)) OVER ()::bigint, coalesce(sv.credit_cost_cents, 0) "
      "FROM clients c LEFT JOIN servers sv ON sv.id = c.server_id "
      "WHERE c.tenant_id = $1 AND c.archived_at IS NULL "
      "GROUP BY c.server_id, sv.name, sv.credit_cost_cents ORDER BY count(*) DESC, c.server_id",
      {tenant});
  if (!servers) return std::move(servers).error();
  boost::json::array server_items;
  for (int i = 0; i < servers->size(); ++i) {
    const auto clients = servers->int64(i, 2);
    server_items.push_back(boost::json::object{
        {"server_id", nullable_id(*servers, i, 0)},
        {"name", servers->is_null(i, 1) ? boost::json::value(nullptr) : boost::json::value(servers->text(i, 1))},
        {"clients", clients},
        {"share", share(clients, servers->int64(i, 3))},
        {"credit_cost_cents", servers->int64(i, 4) * clients}});
  }
  out["servers"] = std::move(server_items);
  return out;
}

namespace {

boost::asio::awaitable<Response> dashboard_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::dashboard_read);
  if (!guarded.caller) co_return guarded.denied;
  Query query(rc.request.target());
  query.reject_unknown({"period_days"});
  DashboardOptions options;
  options.period_days = static_cast<int>(query.integer_in("period_days", 1, 366).value_or(7));
  if (!query.ok()) co_return problem_response(validation_failed(std::move(query.errors())));
  options.now = date::format("%FT%TZ", date::floor<std::chrono::seconds>(std::chrono::system_clock::now()));

  auto read = [tenant = guarded.caller->tenant_id, options](pg::Connection& conn) {
    return compute_dashboard(conn, tenant, options);
  };
  auto dashboard = co_await with_db(ctx, std::move(read));
  if (!dashboard) co_return problem_response(problem_logged(ctx, "dashboard_failed", dashboard.error()));
  co_return json_response(http::status::ok, *dashboard);
}

}  // namespace
}  // namespace money

void add_dashboard_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/dashboard", [&ctx](RequestContext rc) { return money::dashboard_route(ctx, rc); });
}

}  // namespace disparo::admin
