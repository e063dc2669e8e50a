// ApiContext: what route handlers share (database pool, worker threads, logger, settings), and
// the two helpers every handler uses: run SQL off the loop, and authenticate the caller.
//
// Created once by AdminApp; handlers run on the loop thread and reach the database only through
// with_db(), which runs on a worker thread. `draining` is written by the loop thread only.
#pragma once

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "adapters/postgres/pool.hpp"
#include "admin/auth.hpp"
#include "admin/offload.hpp"
#include "admin/problem.hpp"
#include "admin/router.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace disparo::admin {

class AdminMetrics;

struct ApiContext {
  pg::Pool& db;
  boost::asio::thread_pool& workers;
  log::Logger& log;
  std::string master_key;               // empty: tenant management routes answer 404
  AdminMetrics* metrics = nullptr;      // set by Api once its routes are known
  bool draining = false;                // /readyz answers 503 once shutdown started
  std::chrono::milliseconds acquire_timeout{5'000};
};

// Runs `fn(pg::Connection&)` with a pooled connection on a worker thread. `fn` returns an
// Expected; failing to get a connection yields its error (unavailable/timeout). Pass `fn` as a
// named variable, never as a lambda written inside the co_await (see offload.hpp).
template <class F>
auto with_db(ApiContext& ctx, F fn)
    -> boost::asio::awaitable<std::invoke_result_t<F&, pg::Connection&>> {
  using Result = std::invoke_result_t<F&, pg::Connection&>;
  auto job = [&ctx, fn = std::move(fn)]() mutable -> Result {
    auto lease = ctx.db.acquire(ctx.acquire_timeout);
    if (!lease) return std::move(lease).error();
    return fn(**lease);
  };
  co_return co_await offload(ctx.workers, std::move(job));  // named: see offload.hpp (GCC 12)
}

// Authenticates the tenant API key in the Authorization header (and records its use). On
// failure, returns the problem to answer with (401, or 503 when the database is down).
struct Authenticated {
  std::optional<Caller> caller;
  Problem problem;  // meaningful when !caller
};
boost::asio::awaitable<Authenticated> authenticate_request(ApiContext& ctx, const Request& request);

// Logs a failure from a lower layer (without secrets) and turns it into a problem.
Problem problem_logged(ApiContext& ctx, std::string_view event, const Error& error);

}  // namespace disparo::admin
