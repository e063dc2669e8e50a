#include "admin/campaigns/campaign_routes.hpp"

#include <boost/json.hpp>

#include "admin/campaigns/campaign_store.hpp"
#include "admin/resource_support.hpp"
#include "campaigns/audience.hpp"
#include "campaigns/preview.hpp"

namespace disparo::admin {

void add_campaign_routes(Router& router, ApiContext& ctx) {
  campaigns::add_campaign_crud_routes(router, ctx);
  campaigns::add_run_routes(router, ctx);
  campaigns::add_run_export_routes(router, ctx);
}

namespace campaigns {
namespace {

constexpr std::size_t kMaxPreviewList = 500;

// Like answer_from_store, for stores that may refuse with several field errors (422).
template <class F>
boost::asio::awaitable<Response> answer(ApiContext& ctx, std::string_view event, F fn, http::status ok,
                                        std::string_view conflict_detail = {}) {
  auto result = co_await with_db(ctx, std::move(fn));
  if (!result) co_return failure_response(ctx, event, result.error(), conflict_detail);
  if (!result->errors.empty()) co_return problem_response(validation_failed(std::move(result->errors)));
  co_return json_response(ok, result->body);
}

boost::asio::awaitable<Response> list(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  CampaignListFilter filter;
  std::vector<FieldError> errors;
  for (const auto& [key, value] : parse_query(rc.request.target())) {
    if (key == "kind") {
      if (value == "billing" || value == "recovery" || value == "referral" || value == "post_sale" || value == "custom") {
        filter.kind = value;
      } else {
        errors.push_back({key, "is not one of the accepted values"});
      }
    } else if (key == "active") {
      if (value == "true" || value == "false") filter.active = value == "true";
      else errors.push_back({key, "must be true or false"});
    } else if (key == "archived") {
      if (value == "true" || value == "false" || value == "all") filter.archived = value;
      else errors.push_back({key, "must be true, false or all"});
    } else {
      errors.push_back({key, "is not a known parameter"});
    }
  }
  if (!errors.empty()) co_return problem_response(validation_failed(std::move(errors)));
  auto fn = [t = auth.caller->tenant_id, filter](pg::Connection& c) { return list_campaigns(c, t, filter); };
  co_return co_await answer_from_store(ctx, "campaigns_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> get(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No campaign with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return read_campaign(c, t, id); };
  co_return co_await answer_from_store(ctx, "campaign_read_failed", std::move(fn));
}

boost::asio::awaitable<Response> write(ApiContext& ctx, RequestContext rc, bool create) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  std::optional<std::int64_t> id;
  if (!create) {
    id = parse_id(rc.params.get("id"));
    if (!id) co_return problem_response(not_found("No campaign with this id."));
  }
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  auto input = read_campaign_input(*body.object, create);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  auto fn = [t = auth.caller->tenant_id, id, in = std::move(*input.value)](pg::Connection& c) {
    return id ? update_campaign(c, t, *id, in) : create_campaign(c, t, in);
  };
  co_return co_await answer(ctx, create ? "campaign_create_failed" : "campaign_update_failed", std::move(fn),
                            create ? http::status::created : http::status::ok);
}

boost::asio::awaitable<Response> remove(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No campaign with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return delete_campaign(c, t, id); };
  co_return co_await answer_from_store(ctx, "campaign_delete_failed", std::move(fn), http::status::no_content);
}

boost::asio::awaitable<Response> run(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_run);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No campaign with this id."));
  auto fn = [t = auth.caller->tenant_id, k = auth.caller->key_id, id = *id](pg::Connection& c) {
    return request_run(c, t, id, k);
  };
  co_return co_await answer_from_store(ctx, "campaign_run_failed", std::move(fn), http::status::accepted);
}

boost::asio::awaitable<Response> preset(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  const std::string name(rc.params.get("preset"));
  if (!is_preset(name)) co_return problem_response(not_found("No preset with this name (recovery, referral, post_sale)."));
  PresetInput input;
  if (!rc.request.body().empty()) {  // the body is optional: no overrides
    auto body = read_json_body(rc.request);
    if (!body.object) co_return problem_response(body.problem);
    auto read = read_preset_input(*body.object);
    if (!read.value) co_return problem_response(validation_failed(std::move(read.errors)));
    input = std::move(*read.value);
  }
  auto fn = [t = auth.caller->tenant_id, name, in = std::move(input)](pg::Connection& c) {
    return create_preset(c, t, name, in);
  };
  co_return co_await answer(ctx, "campaign_preset_failed", std::move(fn), http::status::created,
                            "A campaign with this name already exists; pass another \"name\" for this preset.");
}

boost::json::array groups_json(const std::vector<::disparo::campaigns::PreviewGroup>& groups) {
  boost::json::array out;
  for (const auto& g : groups) {
    out.push_back(boost::json::object{{"id", g.id ? boost::json::value(*g.id) : boost::json::value(nullptr)},
                                      {"name", g.name},
                                      {"count", g.count}});
  }
  return out;
}

boost::json::value preview_json(const ::disparo::campaigns::CampaignPreview& p) {
  boost::json::array reasons, recipients, excluded;
  for (const auto& r : p.excluded_by_reason) reasons.push_back(boost::json::object{{"reason", r.reason}, {"count", r.count}});
  for (const auto& r : p.recipient_list) {
    recipients.push_back(boost::json::object{
        {"client_id", r.client_id},
        {"name", r.name},
        {"server_id", r.server_id ? boost::json::value(*r.server_id) : boost::json::value(nullptr)},
        {"session_id", r.session_id}});
  }
  for (const auto& e : p.excluded_list) {
    excluded.push_back(boost::json::object{{"client_id", e.client_id}, {"name", e.name}, {"reason", e.reason}});
  }
  return boost::json::object{{"campaign_id", p.campaign_id},
                             {"date", ::disparo::campaigns::format_local_date(p.day)},
                             {"recipients", p.recipients},
                             {"servers", groups_json(p.servers)},
                             {"sessions", groups_json(p.sessions)},
                             {"excluded", p.excluded},
                             {"excluded_by_reason", std::move(reasons)},
                             {"recipient_list", std::move(recipients)},
                             {"excluded_list", std::move(excluded)}};
}

boost::asio::awaitable<Response> preview(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No campaign with this id."));
  std::optional<date::local_days> day;
  std::size_t limit = 50;
  std::vector<FieldError> errors;
  for (const auto& [key, value] : parse_query(rc.request.target())) {
    if (key == "date") {
      day = valid_date(value) ? ::disparo::campaigns::parse_local_date(value) : std::nullopt;
      if (!day) errors.push_back({key, "must be a date (YYYY-MM-DD)"});
    } else if (key == "limit") {
      auto n = value == "0" ? std::optional<std::int64_t>(0) : parse_id(value);
      if (!n || *n > static_cast<std::int64_t>(kMaxPreviewList)) {
        errors.push_back({key, "must be between 0 and " + std::to_string(kMaxPreviewList)});
      } else {
        limit = static_cast<std::size_t>(*n);
      }
    } else {
      errors.push_back({key, "is not a known parameter"});
    }
  }
  if (!errors.empty()) co_return problem_response(validation_failed(std::move(errors)));
  auto fn = [t = auth.caller->tenant_id, id = *id, day, limit](pg::Connection& c) -> Expected<boost::json::value> {
    auto today = day;
    if (!today) {  // the tenant's own today
      auto rows = c.exec("SELECT ((now() AT TIME ZONE time_zone)::date)::text FROM tenants WHERE id = $1", {param(t)});
      if (!rows) return std::move(rows).error();
      if (rows->size() > 0) today = ::disparo::campaigns::parse_local_date(rows->text(0, 0));
      if (!today) return make_error(ErrorKind::internal, "the tenant's local date could not be read");
    }
    auto previewed = ::disparo::campaigns::preview_campaign(c, t, id, *today, limit);
    if (!previewed) {
      if (previewed.error().kind == ErrorKind::not_found) return not_found_error("campaign");
      return std::move(previewed).error();
    }
    return preview_json(*previewed);
  };
  co_return co_await answer_from_store(ctx, "campaign_preview_failed", std::move(fn));
}

}  // namespace

void add_campaign_crud_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/campaigns", [&ctx](RequestContext rc) { return list(ctx, rc); });
  router.add(http::verb::post, "/v1/campaigns", [&ctx](RequestContext rc) { return write(ctx, rc, true); });
  router.add(http::verb::get, "/v1/campaigns/{id}", [&ctx](RequestContext rc) { return get(ctx, rc); });
  router.add(http::verb::patch, "/v1/campaigns/{id}", [&ctx](RequestContext rc) { return write(ctx, rc, false); });
  router.add(http::verb::delete_, "/v1/campaigns/{id}", [&ctx](RequestContext rc) { return remove(ctx, rc); });
  router.add(http::verb::get, "/v1/campaigns/{id}/preview", [&ctx](RequestContext rc) { return preview(ctx, rc); });
  router.add(http::verb::post, "/v1/campaigns/{id}/run", [&ctx](RequestContext rc) { return run(ctx, rc); });
  router.add(http::verb::post, "/v1/campaigns/presets/{preset}",
             [&ctx](RequestContext rc) { return preset(ctx, rc); });
}

}  // namespace campaigns
}  // namespace disparo::admin
