#include "admin/health_routes.hpp"

#include "admin/metrics.hpp"

namespace disparo::admin {
namespace {

// True when a pooled connection answers SELECT 1. Runs on a worker thread; may outlive the
// request that asked (offload_within), so it captures only the pool, which outlives the loop.
bool database_answers(pg::Pool& db) {
  auto lease = db.acquire(kReadinessBudget);
  if (!lease) return false;
  pg::Connection& conn = **lease;
  auto rows = conn.exec("SELECT 1");
  return rows && rows->size() == 1;
}

}  // namespace

void add_health_routes(Router& router, ApiContext& ctx) {
  // Liveness: the loop answers; no dependency is consulted.
  router.add(http::verb::get, "/healthz", [](RequestContext) -> boost::asio::awaitable<Response> {
    co_return make_json(http::status::ok, R"({"status":"ok"})");
  });

  router.add(http::verb::get, "/readyz", [&ctx](RequestContext) -> boost::asio::awaitable<Response> {
    if (ctx.draining) co_return problem_response(unavailable("The service is shutting down."));
    auto probe = [db = &ctx.db]() noexcept { return database_answers(*db); };
    auto ready = co_await offload_within(ctx.workers, kReadinessBudget, probe);
    if (ready.value_or(false)) co_return make_json(http::status::ok, R"({"status":"ready"})");
    co_return problem_response(unavailable(ready ? "The database does not answer."
                                                 : "The database did not answer within 1 s."));
  });

  router.add(http::verb::get, "/metrics", [&ctx](RequestContext) -> boost::asio::awaitable<Response> {
    co_return make_response(http::status::ok, ctx.metrics->exposition(),
                            "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace disparo::admin
