// Every route group of the money side (payments, settings, dashboard, Asaas webhook, exports,
// OpenAPI), registered with one call from api.cpp so the shared file changes by one line.
// Start-up only (router building).
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_money_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
