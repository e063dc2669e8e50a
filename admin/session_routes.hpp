// Routes of WhatsApp sessions (/v1/sessions), through add_crud_routes. Credentials are accepted
// on create/update and never returned. Handlers run on the loop thread.
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_session_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
