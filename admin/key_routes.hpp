// Routes of a tenant's API keys: GET/POST /v1/keys, DELETE /v1/keys/{id} (revoke). Owner only
// (Action::keys_manage). Handlers run on the loop thread; SQL goes through with_db().
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_key_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
