// Routes of tenant management: POST /v1/tenants (operator, master key) and GET /v1/tenants/me
// (tenant API key).
//
// Called once at start-up, on the thread that builds the Router.
#pragma once

#include "admin/api_context.hpp"
#include <boost/json/object.hpp>

#include "admin/router.hpp"
#include "admin/tenants.hpp"

namespace disparo::admin {

void add_tenant_routes(Router& router, ApiContext& ctx);

// {"id","slug","name","time_zone"}: how a tenant is shown by every route.
boost::json::object tenant_json(const Tenant& tenant);

}  // namespace disparo::admin
