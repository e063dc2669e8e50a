// Routes for operators and Prometheus: GET /healthz, GET /readyz, GET /metrics.
//
// Called once at start-up, on the thread that builds the Router.
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

// /readyz waits at most this long for `SELECT 1`.
inline constexpr std::chrono::milliseconds kReadinessBudget{1'000};

void add_health_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
