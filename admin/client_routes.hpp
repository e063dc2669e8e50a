// Routes of clients: GET/POST /v1/clients (listing with filters and cursor pagination),
// GET/PATCH /v1/clients/{id}, alerts under /v1/clients/{id}/alerts, and GET /v1/tags. Handlers
// run on the loop thread; SQL goes through with_db().
#pragma once

#include <boost/json/object.hpp>

#include "admin/api_context.hpp"
#include "admin/client_store.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_client_routes(Router& router, ApiContext& ctx);

// The body of POST (create = true) or PATCH /v1/clients, validated and with the phone
// normalised to E.164. Exposed for tests.
Validated<ClientInput> read_client_input(const boost::json::object& body, bool create);

}  // namespace disparo::admin
