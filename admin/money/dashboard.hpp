// The business dashboard, GET /v1/dashboard[?period_days=7]: every figure in the tenant's time
// zone, computed by SQL over the live (non-deleted) payments and the clients.
//
// Definitions (also in docs/admin-api.md):
// - active clients: not archived, not blocked, and not suspended (disparo_client_status);
//   their value = amount_cents, or the plan's price when amount_cents is 0.
// - due lists: non-archived clients whose due_date is yesterday ("overdue since yesterday"),
//   today, tomorrow, in 2 and in 3 days (count and up to 100 clients each).
// - month: the calendar month containing today. new_clients_per_day / sales_per_day cover each
//   of its days; sales are payments by paid_on (tenant local date).
// - projection_cents = round(received so far this month (today included) / days elapsed (today's
//   day of month) x days in the month).
// - payments_by_method: the last `period_days` days including today, every method listed.
// - plans: non-archived clients per plan (plan_id null = no plan), with share of them.
// - channels: all clients ever acquired per channel (archived included: an acquisition happened),
//   share, the channel's cost per client and the total cost (cost x clients).
// - servers: non-archived clients per server, share, total credit cost (credit cost x clients).
//
// compute_dashboard() is blocking SQL (worker thread); `now` is injected so tests fix "today".
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/api_context.hpp"
#include "admin/router.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

void add_dashboard_routes(Router& router, ApiContext& ctx);

namespace money {

struct DashboardOptions {
  std::string now;      // RFC 3339; the route passes the current time
  int period_days = 7;  // 1..366
};

Expected<boost::json::object> compute_dashboard(pg::Connection& conn, std::int64_t tenant_id,
                                                const DashboardOptions& options);

// round(received / elapsed * days_in_month) in integer arithmetic (half away from zero).
std::int64_t monthly_projection(std::int64_t received_cents, int days_elapsed, int days_in_month);

}  // namespace money
}  // namespace disparo::admin
