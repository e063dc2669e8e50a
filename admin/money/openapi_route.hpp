// The OpenAPI 3.1 document of the whole admin API (admin/openapi.json, embedded at build time)
// and GET /openapi.json, which serves it without authentication. The document is checked against
// the router (every route documented and vice versa) by admin_money_test and against the running
// service by admin_money_pgtest; scripts/lint-openapi lints it with Redocly CLI.
// Any thread (the document is immutable).
#pragma once

#include <string_view>

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

std::string_view openapi_document();
void add_openapi_routes(Router& router);

}  // namespace disparo::admin
