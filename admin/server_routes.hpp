// Routes of servers: GET/POST /v1/servers, GET/PATCH/DELETE /v1/servers/{id}. Handlers run on
// the loop thread; SQL goes through with_db().
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_server_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
