#include "admin/tenant_routes.hpp"

#include <boost/beast/http/field.hpp>

#include "admin/json.hpp"
#include "admin/validation.hpp"

namespace disparo::admin {
namespace {

bool is_json(const Request& request) {
  auto type = request[http::field::content_type];
  std::string_view value(type.data(), type.size());
  constexpr std::string_view kJson = "application/json";
  if (value.size() < kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kJson[i]) return false;
  }
  return value.size() == kJson.size() || value[kJson.size()] == ';' || value[kJson.size()] == ' ';
}

// POST /v1/tenants: the operator (master key) creates a tenant and receives its first owner key.
boost::asio::awaitable<Response> create_tenant_route(ApiContext& ctx, RequestContext rc) {
  // Without a configured master key the route does not exist, as far as callers can tell.
  if (ctx.master_key.empty()) co_return problem_response(not_found("No resource at this path."));
  auto header = rc.request[http::field::authorization];
  auto token = bearer_token(std::string_view(header.data(), header.size()));
  if (!token || !master_key_matches(ctx.master_key, *token)) {
    co_return problem_response(
        unauthorized("Tenant management needs 'Authorization: Bearer <master key>'."));
  }
  if (!is_json(rc.request)) co_return problem_response(unsupported_media_type("application/json"));

  auto body = parse_object(rc.request.body());
  if (!body) co_return problem_response(bad_request(body.error().message));
  auto input = read_new_tenant(*body);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));

  auto insert = [tenant = std::move(*input.value)](pg::Connection& conn) {
    return create_tenant(conn, tenant);
  };
  auto created = co_await with_db(ctx, std::move(insert));
  if (!created) co_return problem_response(problem_logged(ctx, "tenant_create_failed", created.error()));

  ctx.log.info("tenant_created", {{"tenant_id", created->tenant.id}, {"slug", created->tenant.slug}});
  boost::json::object out;
  out["tenant"] = tenant_json(created->tenant);
  out["api_key"] = created->api_key;
  out["role"] = created->role;
  co_return make_json(http::status::created, to_json(out));
}

// GET /v1/tenants/me: the caller's tenant and the role of the key it used.
boost::asio::awaitable<Response> tenant_me_route(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authenticate_request(ctx, rc.request);
  if (!auth.caller) co_return problem_response(auth.problem);

  auto read = [id = auth.caller->tenant_id](pg::Connection& conn) { return find_tenant(conn, id); };
  auto tenant = co_await with_db(ctx, std::move(read));
  if (!tenant) co_return problem_response(problem_logged(ctx, "tenant_read_failed", tenant.error()));

  boost::json::object out;
  out["tenant"] = tenant_json(*tenant);
  out["role"] = auth.caller->role;
  co_return make_json(http::status::ok, to_json(out));
}

}  // namespace

boost::json::object tenant_json(const Tenant& tenant) {
  return boost::json::object{{"id", tenant.id},
                             {"slug", tenant.slug},
                             {"name", tenant.name},
                             {"time_zone", tenant.time_zone}};
}

void add_tenant_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::post, "/v1/tenants",
             [&ctx](RequestContext rc) { return create_tenant_route(ctx, rc); });
  router.add(http::verb::get, "/v1/tenants/me",
             [&ctx](RequestContext rc) { return tenant_me_route(ctx, rc); });
}

}  // namespace disparo::admin
