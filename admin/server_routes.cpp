#include "admin/server_routes.hpp"

#include "admin/server_store.hpp"

namespace disparo::admin {
namespace {

constexpr std::int64_t kMaxCents = 1'000'000'000'00;  // R$ 1 billion: beyond is a typo

// create: name required; update: every member optional, name and cost not nullable.
Validated<ServerInput> read_server(const boost::json::object& body, bool create) {
  InputReader in(body);
  ServerInput out;
  out.name = in.text("name", 1, 200);
  out.credit_cost_cents = in.integer("credit_cost_cents", 0, kMaxCents);
  out.session_id = in.integer("session_id", 1, INT64_MAX);
  if (create) in.required("name", out.name);
  in.not_null("name", out.name);
  in.not_null("credit_cost_cents", out.credit_cost_cents);
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

boost::asio::awaitable<Response> list(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::servers_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto fn = [t = auth.caller->tenant_id](pg::Connection& c) { return read_servers(c, t, std::nullopt); };
  co_return co_await answer_from_store(ctx, "servers_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> get(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::servers_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No server with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return read_servers(c, t, id); };
  co_return co_await answer_from_store(ctx, "server_read_failed", std::move(fn));
}

boost::asio::awaitable<Response> create(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::servers_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  auto input = read_server(*body.object, true);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  auto fn = [t = auth.caller->tenant_id, in = std::move(*input.value)](pg::Connection& c) {
    return create_server(c, t, in);
  };
  co_return co_await answer_from_store(ctx, "server_create_failed", std::move(fn), http::status::created);
}

boost::asio::awaitable<Response> update(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::servers_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No server with this id."));
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  auto input = read_server(*body.object, false);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  auto fn = [t = auth.caller->tenant_id, id = *id, in = std::move(*input.value)](pg::Connection& c) {
    return update_server(c, t, id, in);
  };
  co_return co_await answer_from_store(ctx, "server_update_failed", std::move(fn));
}

boost::asio::awaitable<Response> remove(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::servers_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No server with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return delete_server(c, t, id); };
  co_return co_await answer_from_store(ctx, "server_delete_failed", std::move(fn), http::status::no_content);
}

}  // namespace

void add_server_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/servers", [&ctx](RequestContext rc) { return list(ctx, rc); });
  router.add(http::verb::post, "/v1/servers", [&ctx](RequestContext rc) { return create(ctx, rc); });
  router.add(http::verb::get, "/v1/servers/{id}", [&ctx](RequestContext rc) { return get(ctx, rc); });
  router.add(http::verb::patch, "/v1/servers/{id}", [&ctx](RequestContext rc) { return update(ctx, rc); });
  router.add(http::verb::delete_, "/v1/servers/{id}", [&ctx](RequestContext rc) { return remove(ctx, rc); });
}

}  // namespace disparo::admin
