#include "admin/templates/template_routes.hpp"

#include "admin/templates/route_support.hpp"
#include "admin/templates/scheduled_routes.hpp"
#include "common/phone.hpp"

namespace disparo::admin {
namespace {

using templates::TemplateInput;

Validated<TemplateInput> read_template_input(const boost::json::object& body, bool create) {
  InputReader in(body);
  TemplateInput out;
  out.name = in.text("name", 1, 200);
  out.kind = in.one_of("kind", {"text", "media", "audio", "contact"});
  out.body = in.text("body", 0, 4096, true);
  out.media_type = in.one_of("media_type", {"image", "video", "document"});
  out.media_url = in.text("media_url", 1, 2048);
  out.filename = in.text("filename", 1, 255);
  out.contact_name = in.text("contact_name", 1, 200);
  out.contact_phone = in.text("contact_phone", 1, 40);
  out.provider_template = in.text("provider_template", 1, 512);
  out.provider_language = in.text("provider_language", 2, 5);
  out.provider_params = in.strings("provider_params", 32, 1024);
  out.archived = in.boolean("archived");
  if (create) {
    in.required("name", out.name);
    in.required("kind", out.kind);
  }
  in.not_null("name", out.name);
  in.not_null("kind", out.kind);
  in.not_null("archived", out.archived);
  if (out.contact_phone.value) {
    auto parsed = phone::normalize(*out.contact_phone.value);
    if (!parsed) {
      in.add_error("contact_phone", "is not a valid phone number (e.g. +55 11 98765-4321)");
    } else {
      out.contact_phone.value = parsed->e164;
    }
  }
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

// Reads {"client_id": n[, "idempotency_key": "..."]} (idempotency only for send).
struct ClientRequest {
  std::int64_t client_id = 0;
  std::optional<std::string> idempotency_key;
};
Validated<ClientRequest> read_client_request(const boost::json::object& body, bool with_key) {
  InputReader in(body);
  auto client = in.integer("client_id", 1, INT64_MAX);
  In<std::string> key;
  if (with_key) key = in.text("idempotency_key", 1, 200);
  in.required("client_id", client);
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {ClientRequest{*client.value, key.value}, {}};
}

boost::asio::awaitable<Response> list(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::templates_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto target = rc.request.target();
  bool include_archived = false;
  std::vector<FieldError> errors;
  for (const auto& [name, value] : parse_query(std::string_view(target.data(), target.size()))) {
    if (name == "include_archived" && (value == "true" || value == "false")) {
      include_archived = value == "true";
    } else if (name == "include_archived") {
      errors.push_back({name, "must be true or false"});
    } else {
      errors.push_back({name, "is not a known parameter"});
    }
  }
  if (!errors.empty()) co_return problem_response(validation_failed(std::move(errors)));
  auto fn = [t = auth.caller->tenant_id, include_archived](pg::Connection& c) {
    return templates::list_templates(c, t, include_archived);
  };
  co_return co_await templates::answer_reply(ctx, "templates_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> get(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::templates_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No template with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return templates::read_template(c, t, id); };
  co_return co_await templates::answer_reply(ctx, "template_read_failed", std::move(fn));
}

boost::asio::awaitable<Response> write(ApiContext& ctx, RequestContext rc, bool create) {
  auto auth = co_await authorize(ctx, rc.request, Action::templates_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  std::optional<std::int64_t> id;
  if (!create) {
    id = parse_id(rc.params.get("id"));
    if (!id) co_return problem_response(not_found("No template with this id."));
  }
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  auto input = read_template_input(*body.object, create);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  auto fn = [t = auth.caller->tenant_id, id, in = std::move(*input.value)](pg::Connection& c) {
    return id ? templates::update_template(c, t, *id, in) : templates::create_template(c, t, in);
  };
  co_return co_await templates::answer_reply(ctx, create ? "template_create_failed" : "template_update_failed",
                                             std::move(fn));
}

boost::asio::awaitable<Response> remove(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::templates_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No template with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id](pg::Connection& c) { return templates::delete_template(c, t, id); };
  co_return co_await templates::answer_reply(ctx, "template_delete_failed", std::move(fn));
}

// POST /v1/templates/{id}/preview and /send.
boost::asio::awaitable<Response> for_client(ApiContext& ctx, RequestContext rc, bool send) {
  auto auth = co_await authorize(ctx, rc.request, send ? Action::messages_send : Action::templates_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return problem_response(not_found("No template with this id."));
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  auto input = read_client_request(*body.object, send);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  const bool show_password = allows(auth.caller->role, Action::clients_read_password);
  auto fn = [t = auth.caller->tenant_id, key_id = auth.caller->key_id, id = *id, in = std::move(*input.value), send,
             show_password](pg::Connection& c) {
    const auto now = templates::system_now();
    if (!send) return templates::preview_template(c, t, id, in.client_id, show_password, now);
    return templates::send_template(c, t, templates::SendNow{id, in.client_id, in.idempotency_key, key_id}, now);
  };
  auto response = co_await templates::answer_reply(ctx, send ? "template_send_failed" : "template_preview_failed",
                                                   std::move(fn));
  if (send && response.result() == http::status::accepted) {
    ctx.log.info("template_sent", {{"tenant_id", auth.caller->tenant_id}, {"template_id", *id}});
  }
  co_return response;
}

}  // namespace

void add_template_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/templates", [&ctx](RequestContext rc) { return list(ctx, rc); });
  router.add(http::verb::post, "/v1/templates", [&ctx](RequestContext rc) { return write(ctx, rc, true); });
  router.add(http::verb::get, "/v1/templates/{id}", [&ctx](RequestContext rc) { return get(ctx, rc); });
  router.add(http::verb::patch, "/v1/templates/{id}", [&ctx](RequestContext rc) { return write(ctx, rc, false); });
  router.add(http::verb::delete_, "/v1/templates/{id}", [&ctx](RequestContext rc) { return remove(ctx, rc); });
  router.add(http::verb::post, "/v1/templates/{id}/preview",
             [&ctx](RequestContext rc) { return for_client(ctx, rc, false); });
  router.add(http::verb::post, "/v1/templates/{id}/send",
             [&ctx](RequestContext rc) { return for_client(ctx, rc, true); });
  add_scheduled_message_routes(router, ctx);
}

}  // namespace disparo::admin
