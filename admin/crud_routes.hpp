// The five routes of a plain tenant-owned resource, written once: GET/POST <collection>,
// GET/PATCH/DELETE <collection>/{id}, each authorizing the caller's role, reading the body with
// the resource's reader and running the resource's store functions off the loop.
//
// Used for plans and acquisition channels (resources whose routes differ only in their fields).
// Handlers run on the loop thread; the store functions on a worker thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "admin/resource_support.hpp"

namespace disparo::admin {

template <class Input>
struct CrudSpec {
  using Store = std::function<Expected<boost::json::value>(pg::Connection&, std::int64_t tenant,
                                                           std::optional<std::int64_t> id, const Input*)>;
  std::string collection;  // "/v1/plans"
  std::string what;        // "plan", for messages
  Action read_action;
  Action write_action;
  std::function<Validated<Input>(const boost::json::object&, bool create)> reader;
  Store read;    // id nullopt: the list
  Store create;  // input set
  Store update;  // id and input set
  Store remove;  // id set
};

namespace crud_detail {

enum class Op { list, get, create, update, remove };

template <class Input>
boost::asio::awaitable<Response> handle(ApiContext& ctx, const CrudSpec<Input>& spec, Op op, RequestContext rc) {
  const bool writes = op == Op::create || op == Op::update || op == Op::remove;
  auto auth = co_await authorize(ctx, rc.request, writes ? spec.write_action : spec.read_action);
  if (!auth.caller) co_return problem_response(auth.problem);

  std::optional<std::int64_t> id;
  if (op == Op::get || op == Op::update || op == Op::remove) {
    id = parse_id(rc.params.get("id"));
    if (!id) co_return problem_response(not_found("No " + spec.what + " with this id."));
  }
  std::optional<Input> input;
  if (op == Op::create || op == Op::update) {
    auto body = read_json_body(rc.request);
    if (!body.object) co_return problem_response(body.problem);
    auto read = spec.reader(*body.object, op == Op::create);
    if (!read.value) co_return problem_response(validation_failed(std::move(read.errors)));
    input = std::move(read.value);
  }
  const typename CrudSpec<Input>::Store* store = &spec.read;
  if (op == Op::create) store = &spec.create;
  if (op == Op::update) store = &spec.update;
  if (op == Op::remove) store = &spec.remove;
  auto fn = [store, tenant = auth.caller->tenant_id, id, input = std::move(input)](pg::Connection& c) {
    return (*store)(c, tenant, id, input ? &*input : nullptr);
  };
  const auto status = op == Op::create   ? http::status::created
                      : op == Op::remove ? http::status::no_content
                                         : http::status::ok;
  co_return co_await answer_from_store(ctx, "resource_request_failed", std::move(fn), status);
}

}  // namespace crud_detail

template <class Input>
void add_crud_routes(Router& router, ApiContext& ctx, CrudSpec<Input> spec_value) {
  using crud_detail::Op;
  auto spec = std::make_shared<const CrudSpec<Input>>(std::move(spec_value));
  auto route = [&ctx, spec](Op op) {
    return [&ctx, spec, op](RequestContext rc) { return crud_detail::handle(ctx, *spec, op, rc); };
  };
  const std::string item = spec->collection + "/{id}";
  router.add(http::verb::get, spec->collection, route(Op::list));
  router.add(http::verb::post, spec->collection, route(Op::create));
  router.add(http::verb::get, item, route(Op::get));
  router.add(http::verb::patch, item, route(Op::update));
  router.add(http::verb::delete_, item, route(Op::remove));
}

}  // namespace disparo::admin
