#include "admin/api.hpp"

#include <chrono>

#include "admin/health_routes.hpp"
#include "admin/money/money_routes.hpp"
#include "admin/campaigns/campaign_routes.hpp"
#include "admin/client_routes.hpp"
#include "admin/key_routes.hpp"
#include "admin/plan_routes.hpp"
#include "admin/session_routes.hpp"
#include "admin/server_routes.hpp"
#include "admin/problem.hpp"
#include "admin/tenant_routes.hpp"
#include "admin/templates/template_routes.hpp"

namespace disparo::admin {

Api::Api(ApiContext& ctx) : ctx_(ctx) {
  // Explicit wiring (STYLE.md 15): every group of routes is listed here.
  add_health_routes(router_, ctx_);
  add_tenant_routes(router_, ctx_);
  add_key_routes(router_, ctx_);
  add_server_routes(router_, ctx_);
  add_session_routes(router_, ctx_);
  add_plan_routes(router_, ctx_);
  add_channel_routes(router_, ctx_);
  add_client_routes(router_, ctx_);
  add_money_routes(router_, ctx_);  // payments, settings, dashboard, Asaas, exports, OpenAPI
  add_campaign_routes(router_, ctx_);  // campaigns, preview, run now, presets, runs, exports
  add_template_routes(router_, ctx_);  // templates, preview, send now, scheduled messages
  metrics_ = std::make_unique<AdminMetrics>(router_.routes());
  ctx_.metrics = metrics_.get();
}

boost::asio::awaitable<Response> Api::handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const auto target = request.target();
  auto match = router_.match(request.method(), std::string_view(target.data(), target.size()));

  Response response;
  switch (match.outcome) {
    case Router::Outcome::found: {
      RequestContext context{request, match.route, match.params};
      response = co_await (*match.handler)(context);
      break;
    }
    case Router::Outcome::method_not_allowed:
      response = problem_response(method_not_allowed(match.allow));
      break;
    case Router::Outcome::not_found:
      response = problem_response(not_found("No resource at this path."));
      break;
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string_view route = match.outcome == Router::Outcome::not_found ? kUnmatchedRoute : match.route;
  const unsigned status = response.result_int();
  metrics_->record(route, request.method(), status, seconds);

  // Probes and scrapes succeed constantly; keep them out of the info log.
  const bool routine = status < 400 && (route == "/healthz" || route == "/readyz" || route == "/metrics");
  ctx_.log.write(routine ? log::Level::debug : log::Level::info, "http_request",
                 {{"method", std::string_view(request.method_string().data(), request.method_string().size())},
                  {"route", route},
                  {"status", status},
                  {"duration_ms", seconds * 1000.0}});
  co_return response;
}

}  // namespace disparo::admin
