#include "admin/key_routes.hpp"

#include "admin/key_store.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {
namespace {

boost::asio::awaitable<Response> list_keys(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::keys_manage);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto fn = [tenant = auth.caller->tenant_id](pg::Connection& c) { return list_api_keys(c, tenant); };
  co_return co_await answer_from_store(ctx, "keys_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> create_key(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::keys_manage);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  InputReader in(*body.object);
  auto role = in.one_of("role", {"owner", "manager", "finance", "sales", "support", "sender"});
  auto label = in.text("label", 0, 200);
  in.required("role", role);
  in.reject_unknown();
  if (!in.ok()) co_return problem_response(validation_failed(std::move(in.errors())));
  auto fn = [tenant = auth.caller->tenant_id, role = *role.value,
             label = label.value.value_or("")](pg::Connection& c) {
    return create_api_key(c, tenant, role, label);
  };
  ctx.log.info("api_key_created", {{"tenant_id", auth.caller->tenant_id}, {"role", *role.value}});
  co_return co_await answer_from_store(ctx, "key_create_failed", std::move(fn), http::status::created);
}

boost::asio::awaitable<Response> revoke_key(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::keys_manage);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No API key with this id."));
  auto fn = [tenant = auth.caller->tenant_id, id = *id](pg::Connection& c) {
    return revoke_api_key(c, tenant, id);
  };
  co_return co_await answer_from_store(ctx, "key_revoke_failed", std::move(fn));
}

}  // namespace

void add_key_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/keys", [&ctx](RequestContext rc) { return list_keys(ctx, rc); });
  router.add(http::verb::post, "/v1/keys", [&ctx](RequestContext rc) { return create_key(ctx, rc); });
  router.add(http::verb::delete_, "/v1/keys/{id}", [&ctx](RequestContext rc) { return revoke_key(ctx, rc); });
}

}  // namespace disparo::admin
