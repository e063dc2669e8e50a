// Routes of plans (/v1/plans) and acquisition channels (/v1/channels), through add_crud_routes.
// Handlers run on the loop thread.
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_plan_routes(Router& router, ApiContext& ctx);
void add_channel_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
