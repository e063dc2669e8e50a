// GET /v1/campaign-runs, GET /v1/campaign-runs/{id} (report), GET /v1/campaign-runs/{id}/recipients.
#include "admin/campaigns/campaign_routes.hpp"
#include "admin/campaigns/run_store.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin::campaigns {
namespace {

boost::asio::awaitable<Response> list(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto request = read_run_list_request(parse_query(rc.request.target()));
  if (!request.value) co_return problem_response(validation_failed(std::move(request.errors)));
  auto fn = [t = auth.caller->tenant_id, r = std::move(*request.value)](pg::Connection& c) { return list_runs(c, t, r); };
  co_return co_await answer_from_store(ctx, "campaign_runs_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> get(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No campaign run with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return read_run(c, t, id); };
  co_return co_await answer_from_store(ctx, "campaign_run_read_failed", std::move(fn));
}

boost::asio::awaitable<Response> recipients(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No campaign run with this id."));
  auto request = read_recipient_list_request(parse_query(rc.request.target()));
  if (!request.value) co_return problem_response(validation_failed(std::move(request.errors)));
  auto fn = [t = auth.caller->tenant_id, id = *id, r = std::move(*request.value)](pg::Connection& c) {
    return list_recipients(c, t, id, r);
  };
  co_return co_await answer_from_store(ctx, "campaign_recipients_list_failed", std::move(fn));
}

}  // namespace

void add_run_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/campaign-runs", [&ctx](RequestContext rc) { return list(ctx, rc); });
  router.add(http::verb::get, "/v1/campaign-runs/{id}", [&ctx](RequestContext rc) { return get(ctx, rc); });
  router.add(http::verb::get, "/v1/campaign-runs/{id}/recipients",
             [&ctx](RequestContext rc) { return recipients(ctx, rc); });
}

}  // namespace disparo::admin::campaigns
