#include "admin/templates/scheduled_routes.hpp"

#include <algorithm>

#include "admin/templates/route_support.hpp"
#include "admin/templates/scheduled_store.hpp"
#include "campaigns/placeholders.hpp"
#include "common/phone.hpp"
#include "common/rfc3339.hpp"

namespace disparo::admin {
namespace {

using templates::NewScheduled;

// How far ahead a message may be scheduled (the dispatcher's send API allows the same).
constexpr auto kMaxAhead = std::chrono::hours(24 * 35);
// A send_at slightly in the past (clock skew, a slow form) means "now"; older is a mistake.
constexpr auto kPastTolerance = std::chrono::minutes(5);

Validated<NewScheduled> read_new_scheduled(const boost::json::object& body, SysTime now) {
  InputReader in(body);
  NewScheduled out;
  auto client = in.integer("client_id", 1, INT64_MAX);
  auto to = in.text("to", 1, 40);
  auto tmpl = in.integer("template_id", 1, INT64_MAX);
  auto text = in.text("text", 1, 4096, true);
  auto session = in.integer("session_id", 1, INT64_MAX);
  auto send_at = in.text("send_at", 1, 64);
  auto key = in.text("idempotency_key", 1, 200);
  in.required("send_at", send_at);

  if (client.value && to.value) in.add_error("to", "send either client_id or to, not both");
  if (!client.value && !to.value && !in.has_error("client_id") && !in.has_error("to")) {
    in.add_error("client_id", "client_id or to is required");
  }
  if (tmpl.value && text.value) in.add_error("text", "send either template_id or text, not both");
  if (!tmpl.value && !text.value && !in.has_error("template_id") && !in.has_error("text")) {
    in.add_error("template_id", "template_id or text is required");
  }
  if (tmpl.value && to.value) in.add_error("template_id", "a template needs client_id (its placeholders are the client's)");
  if (to.value) {
    if (auto parsed = phone::normalize(*to.value)) {
      out.to = parsed->e164;
    } else {
      in.add_error("to", "is not a valid phone number (e.g. +55 11 98765-4321)");
    }
  }
  if (text.value) {
    if (auto valid = campaigns::validate_placeholders(*text.value); !valid) {
      in.add_error("text", valid.error().message);
    } else if (!client.value) {
      for (const auto& name : campaigns::placeholders_in(*text.value)) {
        if (!templates::placeholder_allowed_without_client(name)) {
          in.add_error("text", "{" + name + "} needs client_id; to a bare number only {empresa}, {data} and {hora}");
          break;
        }
      }
    }
  }
  if (send_at.value) {
    auto when = parse_rfc3339(*send_at.value);
    if (!when) {
      in.add_error("send_at", "must be an RFC 3339 time with offset (2026-03-05T11:25:00-03:00)");
    } else if (*when < now - kPastTolerance) {
      in.add_error("send_at", "is in the past");
    } else if (*when > now + kMaxAhead) {
      in.add_error("send_at", "is more than 35 days ahead");
    } else {
      out.send_at = std::max(*when, now);
    }
  }
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  out.client_id = client.value;
  out.template_id = tmpl.value;
  out.text = text.value;
  out.session_id = session.value;
  out.idempotency_key = key.value;
  return {std::move(out), {}};
}

Validated<templates::ScheduledQuery> read_query(std::string_view target) {
  templates::ScheduledQuery q;
  std::vector<FieldError> errors;
  auto positive = [](const std::string& v) -> std::optional<std::int64_t> {
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(v);
  };
  for (const auto& [name, value] : parse_query(target)) {
    if (name == "status") {
      static constexpr std::string_view kStatuses[] = {"accepted", "queued", "sending", "sent", "delivered",
                                                       "read", "failed", "expired", "cancelled"};
      if (std::find(std::begin(kStatuses), std::end(kStatuses), value) == std::end(kStatuses)) {
        errors.push_back({name, "must be a message status (queued, sent, delivered, read, failed, cancelled, ...)"});
      } else {
        q.status = value;
      }
    } else if (name == "client_id") {
      auto id = positive(value);
      if (!id || *id == 0) errors.push_back({name, "must be a positive id"});
      q.client_id = id;
    } else if (name == "limit") {
      auto n = positive(value);
      if (!n || *n < 1 || *n > 200) {
        errors.push_back({name, "must be 1 to 200"});
      } else {
        q.limit = static_cast<int>(*n);
      }
    } else if (name == "cursor") {
      const auto dot = value.find('.');
      auto at = dot == std::string::npos ? std::nullopt : positive(value.substr(0, dot));
      auto id = dot == std::string::npos ? std::nullopt : positive(value.substr(dot + 1));
      if (!at || !id) {
        errors.push_back({name, "is not a cursor returned by this listing"});
      } else {
        q.after = std::make_pair(*at, *id);
      }
    } else {
      errors.push_back({name, "is not a known parameter"});
    }
  }
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(q), {}};
}

boost::asio::awaitable<Response> create(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::messages_send);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  const auto now = templates::system_now();
  auto input = read_new_scheduled(*body.object, now);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  input.value->key_id = auth.caller->key_id;
  auto fn = [t = auth.caller->tenant_id, in = std::move(*input.value), now](pg::Connection& c) {
    return templates::create_scheduled(c, t, in, now);
  };
  co_return co_await templates::answer_reply(ctx, "scheduled_create_failed", std::move(fn));
}

boost::asio::awaitable<Response> list(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::messages_send);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto target = rc.request.target();
  auto query = read_query(std::string_view(target.data(), target.size()));
  if (!query.value) co_return problem_response(validation_failed(std::move(query.errors)));
  auto fn = [t = auth.caller->tenant_id, q = std::move(*query.value)](pg::Connection& c) {
    return templates::list_scheduled(c, t, q);
  };
  co_return co_await templates::answer_reply(ctx, "scheduled_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> one(ApiContext& ctx, RequestContext rc, bool cancel) {
  auto auth = co_await authorize(ctx, rc.request, Action::messages_send);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No scheduled message with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id, cancel](pg::Connection& c) {
    return cancel ? templates::cancel_scheduled(c, t, id) : templates::read_scheduled(c, t, id);
  };
  co_return co_await templates::answer_reply(ctx, cancel ? "scheduled_cancel_failed" : "scheduled_read_failed",
                                             std::move(fn));
}

}  // namespace

void add_scheduled_message_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::post, "/v1/scheduled-messages", [&ctx](RequestContext rc) { return create(ctx, rc); });
  router.add(http::verb::get, "/v1/scheduled-messages", [&ctx](RequestContext rc) { return list(ctx, rc); });
  router.add(http::verb::get, "/v1/scheduled-messages/{id}", [&ctx](RequestContext rc) { return one(ctx, rc, false); });
  router.add(http::verb::delete_, "/v1/scheduled-messages/{id}",
             [&ctx](RequestContext rc) { return one(ctx, rc, true); });
}

}  // namespace disparo::admin
