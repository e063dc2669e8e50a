#include "admin/money/payment_routes.hpp"

#include <boost/json.hpp>

#include "admin/json.hpp"
#include "admin/money/http_helpers.hpp"

namespace disparo::admin {
namespace money {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;
constexpr std::int64_t kMaxAmountCents = 100'000'000'00;  // R$ 100 million: a typo, not a payment

Response not_found_id() { return problem_response(not_found("No resource at this path.")); }

boost::asio::awaitable<Response> create_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::payments_write);
  if (!guarded.caller) co_return guarded.denied;
  auto client_id = parse_id(rc.params.get("id"));
  if (!client_id) co_return not_found_id();
  if (!is_json_request(rc.request)) co_return problem_response(unsupported_media_type("application/json"));

  Query query(rc.request.target());
  query.reject_unknown({"confirm_duplicate"});
  const bool confirm = query.boolean("confirm_duplicate").value_or(false);
  if (!query.ok()) co_return problem_response(validation_failed(std::move(query.errors())));

  auto body = parse_object(rc.request.body());
  if (!body) co_return problem_response(bad_request(body.error().message));
  auto input = read_new_payment(*body);
  if (!input.value) co_return problem_response(validation_failed(std::move(input.errors)));
  input.value->client_id = *client_id;
  input.value->confirm_duplicate = confirm;
  input.value->created_by_key = guarded.caller->key_id;

  auto insert = [tenant = guarded.caller->tenant_id, payment = std::move(*input.value)](pg::Connection& conn) {
    return create_payment(conn, tenant, payment);
  };
  auto created = co_await with_db(ctx, std::move(insert));
  if (!created) {
    if (created.error().kind == ErrorKind::conflict || created.error().kind == ErrorKind::not_found) {
      co_return problem_response(payment_problem(created.error()));
    }
    co_return problem_response(problem_logged(ctx, "payment_create_failed", created.error()));
  }
  ctx.log.info("payment_recorded", {{"tenant_id", guarded.caller->tenant_id},
                                    {"payment_id", created->id},
                                    {"client_id", created->client_id},
                                    {"confirmation_queued", created->confirmation_message_id.has_value()}});
  auto response = json_response(http::status::created, payment_json(*created));
  response.set(http::field::location, "/v1/payments/" + std::to_string(created->id));
  co_return response;
}

boost::asio::awaitable<Response> list_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::payments_read);
  if (!guarded.caller) co_return guarded.denied;
  Query query(rc.request.target());
  query.reject_unknown({"client_id", "method", "from", "to", "include_deleted", "limit", "cursor"});
  PaymentFilter filter;
  filter.client_id = query.positive_id("client_id");
  filter.method = query.one_of("method", {"pix", "card", "boleto", "cash"});
  filter.from = query.date("from");
  filter.to = query.date("to");
  filter.include_deleted = query.boolean("include_deleted").value_or(false);
  const int limit = static_cast<int>(query.integer_in("limit", 1, kMaxLimit).value_or(kDefaultLimit));
  auto cursor = query.get("cursor");
  if (!query.ok()) co_return problem_response(validation_failed(std::move(query.errors())));

  auto read = [tenant = guarded.caller->tenant_id, filter, cursor, limit](pg::Connection& conn) {
    return list_payments(conn, tenant, filter, cursor, limit);
  };
  auto page = co_await with_db(ctx, std::move(read));
  if (!page) {
    if (page.error().kind == ErrorKind::invalid_argument) {
      co_return problem_response(validation_failed({{"cursor", page.error().message}}));
    }
    co_return problem_response(problem_logged(ctx, "payment_list_failed", page.error()));
  }
  boost::json::array items;
  for (const auto& p : page->items) items.push_back(payment_json(p));
  boost::json::object out{{"items", std::move(items)}};
  out["next_cursor"] = page->next_cursor ? boost::json::value(*page->next_cursor) : boost::json::value(nullptr);
  co_return json_response(http::status::ok, out);
}

boost::asio::awaitable<Response> get_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::payments_read);
  if (!guarded.caller) co_return guarded.denied;
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return not_found_id();
  auto read = [tenant = guarded.caller->tenant_id, id = *id](pg::Connection& conn) {
    return find_payment(conn, tenant, id);
  };
  auto payment = co_await with_db(ctx, std::move(read));
  if (!payment) co_return problem_response(problem_logged(ctx, "payment_read_failed", payment.error()));
  co_return json_response(http::status::ok, payment_json(*payment));
}

boost::asio::awaitable<Response> delete_route(ApiContext& ctx, RequestContext rc) {
  auto guarded = co_await guard(ctx, rc.request, Action::payments_write);
  if (!guarded.caller) co_return guarded.denied;
  auto id = parse_id(rc.params.get("id"));
  if (!id) co_return not_found_id();
  auto remove = [tenant = guarded.caller->tenant_id, id = *id](pg::Connection& conn) {
    return delete_payment(conn, tenant, id);
  };
  auto deleted = co_await with_db(ctx, std::move(remove));
  if (!deleted) co_return problem_response(problem_logged(ctx, "payment_delete_failed", deleted.error()));
  ctx.log.info("payment_rolled_back", {{"tenant_id", guarded.caller->tenant_id},
                                       {"payment_id", deleted->id},
                                       {"client_id", deleted->client_id}});
  co_return json_response(http::status::ok, payment_json(*deleted));
}

}  // namespace

PaymentInput read_new_payment(const boost::json::object& body, std::string_view prefix) {
  PaymentInput out;
  NewPayment payment;
  auto field = [&](std::string_view name) { return std::string(prefix) + std::string(name); };
  auto error = [&](std::string_view name, std::string message) { out.errors.push_back({field(name), std::move(message)}); };
  static constexpr std::string_view kKnown[] = {"amount_cents", "method", "paid_at", "external_id"};
  for (const auto& member : body) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) error(key, "is not a known field");
  }

  auto amount = body.find("amount_cents");
  if (amount == body.end() || amount->value().is_null()) {
    error("amount_cents", "is required");
  } else if (!amount->value().is_int64() && !amount->value().is_uint64()) {
    error("amount_cents", "must be an integer number of cents");
  } else {
    const auto v = amount->value().is_int64() ? amount->value().get_int64() : -1;
    if (v <= 0 || v > kMaxAmountCents) {
      error("amount_cents", "must be from 1 to " + std::to_string(kMaxAmountCents));
    } else {
      payment.amount_cents = v;
    }
  }

  auto text = [&](std::string_view name, bool required) -> std::optional<std::string> {
    auto found = body.find(name);
    if (found == body.end() || found->value().is_null()) {
      if (required) error(name, "is required");
      return std::nullopt;
    }
    if (!found->value().is_string()) {
      error(name, "must be a string");
      return std::nullopt;
    }
    return std::string(found->value().get_string());
  };
  if (auto method = text("method", true)) {
    if (*method == "pix" || *method == "card" || *method == "boleto" || *method == "cash") {
      payment.method = *method;
    } else {
      error("method", "must be one of: pix card boleto cash");
    }
  }
  if (auto paid_at = text("paid_at", false)) {
    if (is_rfc3339(*paid_at)) {
      payment.paid_at = *paid_at;
    } else {
      error("paid_at", "must be an RFC 3339 date-time with an offset, e.g. 2026-11-22T14:30:00-03:00");
    }
  }
  if (auto external = text("external_id", false)) {
    if (external->empty() || external->size() > 200) {
      error("external_id", "must have 1 to 200 characters");
    } else {
      payment.external_id = *external;
    }
  }
  if (out.errors.empty()) out.value = std::move(payment);
  return out;
}

Problem payment_problem(const Error& error) {
  if (error.code == kLikelyDuplicate) {
    Problem p = conflict(error.message);
    p.type = std::string(kProblemBase) + "likely-duplicate";
    p.title = "Likely duplicate payment";
    return p;
  }
  if (error.code == kExternalIdTaken) {
    Problem p = conflict(error.message);
    p.type = std::string(kProblemBase) + "external-id-taken";
    p.title = "External id already used";
    return p;
  }
  return problem_from_error(error);
}

}  // namespace money

void add_payment_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::post, "/v1/clients/{id}/payments",
             [&ctx](RequestContext rc) { return money::create_route(ctx, rc); });
  router.add(http::verb::get, "/v1/payments", [&ctx](RequestContext rc) { return money::list_route(ctx, rc); });
  router.add(http::verb::get, "/v1/payments/{id}", [&ctx](RequestContext rc) { return money::get_route(ctx, rc); });
  router.add(http::verb::delete_, "/v1/payments/{id}",
             [&ctx](RequestContext rc) { return money::delete_route(ctx, rc); });
}

}  // namespace disparo::admin
