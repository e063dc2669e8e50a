// Routes of scheduled messages (messages.send):
//   POST   /v1/scheduled-messages        {client_id | to, template_id | text, send_at, session_id?,
//                                         idempotency_key?}
//   GET    /v1/scheduled-messages        ?status=&client_id=&limit=&cursor=
//   GET    /v1/scheduled-messages/{id}   with its event history
//   DELETE /v1/scheduled-messages/{id}   cancel while queued
// Handlers run on the loop thread and offload SQL.
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_scheduled_message_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
