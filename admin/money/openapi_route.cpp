#include "admin/money/openapi_route.hpp"

namespace disparo::admin {

void add_openapi_routes(Router& router) {
  router.add(http::verb::get, "/openapi.json", [](RequestContext) -> boost::asio::awaitable<Response> {
    co_return make_response(http::status::ok, std::string(openapi_document()), "application/json");
  });
}

}  // namespace disparo::admin
