#include "admin/client_routes.hpp"

#include <algorithm>

#include "admin/money/payment_routes.hpp"
#include "common/phone.hpp"

namespace disparo::admin {
namespace {

constexpr std::int64_t kMaxCents = 1'000'000'000'00;

bool plausible_email(std::string_view e) {
  auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string_view::npos &&
         e.find(' ') == std::string_view::npos && e.find('.', at) != std::string_view::npos;
}

Validated<AlertInput> read_alert(const boost::json::object& body, bool create) {
  InputReader in(body);
  AlertInput out;
  out.title = in.text("title", 1, 200);
  out.text = in.text("text", 0, 4000, true);
  out.active = in.boolean("active");
  if (create) in.required("title", out.title);
  in.not_null("title", out.title);
  in.not_null("active", out.active);
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

bool show_password(const Caller& caller) { return allows(caller.role, Action::clients_read_password); }

std::optional<std::int64_t> id_param(const RequestContext& rc, std::string_view name) {
  return parse_id(rc.params.get(name));
}

boost::asio::awaitable<Response> list(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::clients_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto target = rc.request.target();
  auto request = read_client_list_request(parse_query(std::string_view(target.data(), target.size())));
  if (!request.value) co_return problem_response(validation_failed(std::move(request.errors)));
  auto fn = [t = auth.caller->tenant_id, r = std::move(*request.value), pw = show_password(*auth.caller)](
                pg::Connection& c) { return list_clients(c, t, r, pw); };
  co_return co_await answer_from_store(ctx, "clients_list_failed", std::move(fn));
}

boost::asio::awaitable<Response> get(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::clients_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto id = id_param(rc, "id");
  if (!id) co_return problem_response(not_found("No client with this id."));
  auto fn = [t = auth.caller->tenant_id, id = *id, pw = show_password(*auth.caller)](pg::Connection& c) {
    return read_client(c, t, id, pw);
  };
  co_return co_await answer_from_store(ctx, "client_read_failed", std::move(fn));
}

boost::asio::awaitable<Response> write(ApiContext& ctx, RequestContext rc, bool create) {
  auto auth = co_await authorize(ctx, rc.request, Action::clients_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  std::optional<std::int64_t> id;
  if (!create) {
    id = id_param(rc, "id");
    if (!id) co_return problem_response(not_found("No client with this id."));
  }
  auto body = read_json_body(rc.request);
  if (!body.object) co_return problem_response(body.problem);
  // "first_payment" (creation only) is read by the payments code; the rest by the client reader.
  std::optional<money::NewPayment> first_payment;
  std::vector<FieldError> payment_errors;
  if (auto found = body.object->find("first_payment"); create && found != body.object->end()) {
    if (const auto* payment = found->value().if_object()) {
      auto read = money::read_new_payment(*payment, "first_payment.");
      payment_errors = std::move(read.errors);
      if (read.value) {
        read.value->created_by_key = auth.caller->key_id;
        first_payment = std::move(read.value);
      }
    } else {
      payment_errors.push_back({"first_payment", "must be an object {amount_cents, method, paid_at?, external_id?}"});
    }
    body.object->erase("first_payment");
  }
  auto input = read_client_input(*body.object, create);
  if (!input.value || !payment_errors.empty()) {
    auto errors = std::move(input.errors);
    errors.insert(errors.end(), payment_errors.begin(), payment_errors.end());
    co_return problem_response(validation_failed(std::move(errors)));
  }
  input.value->first_payment = std::move(first_payment);
  auto fn = [t = auth.caller->tenant_id, id, in = std::move(*input.value), pw = show_password(*auth.caller)](
                pg::Connection& c) { return id ? update_client(c, t, *id, in, pw) : create_client(c, t, in, pw); };
  co_return co_await answer_from_store(ctx, create ? "client_create_failed" : "client_update_failed", std::move(fn),
                                       create ? http::status::created : http::status::ok);
}

// POST (alert id absent), PATCH and DELETE of /v1/clients/{id}/alerts[/{alert_id}].
boost::asio::awaitable<Response> alert(ApiContext& ctx, RequestContext rc, http::verb verb) {
  auto auth = co_await authorize(ctx, rc.request, Action::clients_write);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto client = id_param(rc, "id");
  if (!client) co_return problem_response(not_found("No client with this id."));
  std::optional<std::int64_t> alert_id;
  if (verb != http::verb::post) {
    alert_id = id_param(rc, "alert_id");
    if (!alert_id) co_return problem_response(not_found("No alert with this id."));
  }
  std::optional<AlertInput> input;
  if (verb != http::verb::delete_) {
    auto body = read_json_body(rc.request);
    if (!body.object) co_return problem_response(body.problem);
    auto read = read_alert(*body.object, verb == http::verb::post);
    if (!read.value) co_return problem_response(validation_failed(std::move(read.errors)));
    input = std::move(read.value);
  }
  auto fn = [t = auth.caller->tenant_id, client = *client, alert_id, input = std::move(input),
             verb](pg::Connection& c) -> Expected<boost::json::value> {
    if (verb == http::verb::post) return create_alert(c, t, client, *input);
    if (verb == http::verb::patch) return update_alert(c, t, client, *alert_id, *input);
    return delete_alert(c, t, client, *alert_id);
  };
  const auto status = verb == http::verb::post      ? http::status::created
                      : verb == http::verb::delete_ ? http::status::no_content
                                                    : http::status::ok;
  co_return co_await answer_from_store(ctx, "client_alert_failed", std::move(fn), status);
}

boost::asio::awaitable<Response> tags(ApiContext& ctx, RequestContext rc) {
  auto auth = co_await authorize(ctx, rc.request, Action::clients_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  auto fn = [t = auth.caller->tenant_id](pg::Connection& c) { return list_tags(c, t); };
  co_return co_await answer_from_store(ctx, "tags_list_failed", std::move(fn));
}

}  // namespace

Validated<ClientInput> read_client_input(const boost::json::object& body, bool create) {
  InputReader in(body);
  ClientInput out;
  out.name = in.text("name", 1, 200);
  out.username = in.text("username", 0, 200);
  out.password = in.text("password", 0, 200);
  out.phone = in.text("phone", 1, 40);
  out.phone_country = in.text("phone_country", 1, 4);
  out.email = in.text("email", 0, 254);
  out.notes = in.text("notes", 0, 4000, true);
  out.server_id = in.integer("server_id", 1, INT64_MAX);
  out.plan_id = in.integer("plan_id", 1, INT64_MAX);
  out.amount_cents = in.integer("amount_cents", 0, kMaxCents);
  out.screens = in.integer("screens", 1, 1000);
  out.due_date = in.date("due_date");
  out.due_day = in.integer("due_day", 1, 31);
  out.channel_id = in.integer("channel_id", 1, INT64_MAX);
  out.tags = in.strings("tags", 50, 100);
  out.blocked = in.boolean("blocked");
  out.archived = in.boolean("archived");
  out.archive_reason = in.one_of("archive_reason", {"churn", "lost"});
  if (create) {
    in.required("name", out.name);
    in.required("phone", out.phone);
  }
  in.not_null("name", out.name);
  in.not_null("phone", out.phone);
  in.not_null("phone_country", out.phone_country);
  in.not_null("amount_cents", out.amount_cents);
  in.not_null("screens", out.screens);
  in.not_null("blocked", out.blocked);
  in.not_null("archived", out.archived);

  // The calling code the number is read with ("55" when absent), then E.164.
  if (out.phone_country.value) {
    const auto& cc = *out.phone_country.value;
    const bool digits = std::all_of(cc.begin(), cc.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!digits || cc.size() > 3 || cc.front() == '0') {
      in.add_error("phone_country", "must be a calling code such as 55");
      out.phone_country.value.reset();
    } else if (!out.phone.present) {
      in.add_error("phone", "send the phone together with phone_country");
    }
  }
  if (out.phone.value && !in.has_error("phone_country")) {
    const std::string country = out.phone_country.value.value_or("55");
    auto parsed = phone::normalize(*out.phone.value, country);
    if (!parsed) {
      in.add_error("phone", "is not a valid phone number (for Brazil: area code and number, e.g. (11) 98765-4321)");
    } else {
      out.phone.value = parsed->e164;
      out.phone_country = In<std::string>{true, country};
    }
  }
  if (out.email.value && !out.email.value->empty() && !plausible_email(*out.email.value)) {
    in.add_error("email", "is not an e-mail address");
  }
  if (out.archived.value == true && !out.archive_reason.value && !in.has_error("archive_reason")) {
    in.add_error("archive_reason", "is required when archiving (churn or lost)");
  }
  if (out.archive_reason.value && out.archived.value != true) {
    in.add_error("archive_reason", "is only accepted with \"archived\": true");
  }
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

void add_client_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/clients", [&ctx](RequestContext rc) { return list(ctx, rc); });
  router.add(http::verb::post, "/v1/clients", [&ctx](RequestContext rc) { return write(ctx, rc, true); });
  router.add(http::verb::get, "/v1/clients/{id}", [&ctx](RequestContext rc) { return get(ctx, rc); });
  router.add(http::verb::patch, "/v1/clients/{id}", [&ctx](RequestContext rc) { return write(ctx, rc, false); });
  router.add(http::verb::post, "/v1/clients/{id}/alerts",
             [&ctx](RequestContext rc) { return alert(ctx, rc, http::verb::post); });
  router.add(http::verb::patch, "/v1/clients/{id}/alerts/{alert_id}",
             [&ctx](RequestContext rc) { return alert(ctx, rc, http::verb::patch); });
  router.add(http::verb::delete_, "/v1/clients/{id}/alerts/{alert_id}",
             [&ctx](RequestContext rc) { return alert(ctx, rc, http::verb::delete_); });
  router.add(http::verb::get, "/v1/tags", [&ctx](RequestContext rc) { return tags(ctx, rc); });
}

}  // namespace disparo::admin
