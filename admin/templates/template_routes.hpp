// Routes of message templates, send-now and scheduled messages (docs/templates-and-automations.md):
//   GET/POST /v1/templates, GET/PATCH/DELETE /v1/templates/{id}      templates.read / templates.write
//   POST /v1/templates/{id}/preview {client_id}                      templates.read
//   POST /v1/templates/{id}/send {client_id, idempotency_key?}       messages.send
//   GET/POST /v1/scheduled-messages, GET/DELETE /v1/scheduled-messages/{id}   messages.send
// Registered once (api.cpp); handlers run on the loop thread and offload SQL (with_db).
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_template_routes(Router& router, ApiContext& ctx);

}  // namespace disparo::admin
