#include "admin/money/asaas_webhook.hpp"

#include <boost/json.hpp>

#include "admin/money/http_helpers.hpp"
#include "admin/money/payment_store.hpp"
#include "common/crypto.hpp"

namespace disparo::admin {
namespace money {
namespace {

struct WebhookTenant {
  std::int64_t id = 0;
  std::optional<std::string> token;
};

Expected<std::optional<WebhookTenant>> find_webhook_tenant(pg::Connection& conn, std::string_view slug) {
  auto rows = conn.exec(
      "SELECT t.id, s.asaas_webhook_token FROM tenants t LEFT JOIN tenant_settings s ON s.tenant_id = t.id "
      "WHERE t.slug = $1",
      {std::string(slug)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return std::optional<WebhookTenant>();
  WebhookTenant t{rows->int64(0, 0), std::nullopt};
  if (!rows->is_null(0, 1)) t.token = std::string(rows->text(0, 1));
  return std::optional<WebhookTenant>(std::move(t));
}

bool token_matches(const std::optional<std::string>& configured, std::string_view presented) {
  if (!configured || configured->empty() || presented.empty()) return false;
  // Digests first, so the time taken depends on neither token's length or content.
  return crypto::constant_time_equal(crypto::sha256_hex(*configured), crypto::sha256_hex(presented));
}

Expected<AsaasOutcome> record(pg::Connection& tx, std::int64_t tenant_id, const AsaasPayment& p) {
  auto existing = find_payment_by_external_id(tx, tenant_id, p.id);
  if (!existing) return std::move(existing).error();
  if (*existing) return AsaasOutcome{"already_recorded", (*existing)->id};
  auto client = p.external_reference ? client_id_from_reference(*p.external_reference) : std::nullopt;
  if (!client || !p.value_cents || *p.value_cents <= 0) return AsaasOutcome{"unmatched", 0};

  NewPayment payment;
  payment.client_id = *client;
  payment.amount_cents = *p.value_cents;
  payment.method = std::string(method_for_billing_type(p.billing_type));
  payment.external_id = p.id;
  payment.source = "asaas";
  payment.confirm_duplicate = true;  // the Asaas id is the identity; same-day twins are real
  if (p.paid_on) {
    // Asaas dates are local (Brasília); noon in the tenant's zone keeps the day whatever the zone.
    auto at = tx.exec(
        "SELECT disparo_rfc3339(($2::date + time '12:00') AT TIME ZONE time_zone) FROM tenants WHERE id = $1",
        {std::to_string(tenant_id), *p.paid_on});
    if (!at) return std::move(at).error();
    if (at->size() > 0) payment.paid_at = std::string(at->text(0, 0));
  }
  auto recorded = record_payment(tx, tenant_id, payment);
  if (!recorded) {
    if (recorded.error().kind == ErrorKind::not_found) return AsaasOutcome{"unmatched", 0};
    return std::move(recorded).error();
  }
  return AsaasOutcome{"recorded", recorded->id};
}

Expected<AsaasOutcome> reverse(pg::Connection& tx, std::int64_t tenant_id, const AsaasPayment& p) {
  auto existing = find_payment_by_external_id(tx, tenant_id, p.id);
  if (!existing) return std::move(existing).error();
  if (!*existing || (*existing)->deleted_at) return AsaasOutcome{"nothing_to_reverse", 0};
  const auto id = (*existing)->id;
  auto rolled = roll_back_payment(tx, tenant_id, id, "asaas: refunded or deleted");
  if (rolled) return AsaasOutcome{"reversed", id};
  if (rolled.error().code != kNotLatest) return std::move(rolled).error();
  // A later payment already moved the due date on from this one: the refund is recorded, the
  // due date is left for a person to decide (the outcome is logged as a warning).
  auto marked = tx.exec(
      "UPDATE payments SET deleted_at = now(), deleted_reason = 'asaas: refunded or deleted (not latest)' "
      "WHERE id = $2 AND tenant_id = $1",
      {std::to_string(tenant_id), std::to_string(id)});
  if (!marked) return std::move(marked).error();
  return AsaasOutcome{"reversed_without_due_date_change", id};
}

boost::asio::awaitable<Response> webhook_route(ApiContext& ctx, RequestContext rc) {
  const std::string slug(rc.params.get("tenant"));
  auto header = rc.request["asaas-access-token"];
  const std::string presented(header.data(), header.size());

  auto lookup = [slug](pg::Connection& conn) { return find_webhook_tenant(conn, slug); };
  auto tenant = co_await with_db(ctx, std::move(lookup));
  if (!tenant) co_return problem_response(problem_logged(ctx, "asaas_tenant_lookup_failed", tenant.error()));
  // Unknown tenant, no token configured and wrong token all look the same to the caller.
  if (!*tenant || !token_matches((*tenant)->token, presented)) {
    ctx.log.warn("asaas_webhook_unauthorized", {{"tenant", slug}});
    co_return problem_response(unauthorized("The asaas-access-token header does not match this tenant's token."));
  }
  const auto tenant_id = (*tenant)->id;

  auto event = parse_asaas_event(rc.request.body());
  if (!event) co_return problem_response(bad_request(event.error().message));

  auto apply = [tenant_id, parsed = *event, body = rc.request.body()](pg::Connection& conn) {
    return apply_asaas_event(conn, tenant_id, parsed, body);
  };
  auto outcome = co_await with_db(ctx, std::move(apply));
  if (!outcome) co_return problem_response(problem_logged(ctx, "asaas_event_failed", outcome.error()));

  const bool notable = outcome->outcome == "unmatched" || outcome->outcome == "reversed_without_due_date_change";
  ctx.log.write(notable ? log::Level::warn : log::Level::info, "asaas_event",
                {{"tenant_id", tenant_id},
                 {"event_id", event->id},
                 {"event", event->event},
                 {"outcome", outcome->outcome},
                 {"payment_id", outcome->payment_id}});
  boost::json::object out{{"received", true}, {"outcome", outcome->outcome}};
  co_return json_response(http::status::ok, out);
}

}  // namespace

Expected<AsaasOutcome> apply_asaas_event(pg::Connection& conn, std::int64_t tenant_id, const AsaasEvent& event,
                                         std::string_view raw_body) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<AsaasOutcome> {
    pg::Param payment_id;
    if (event.payment) payment_id = event.payment->id;
    auto stored = tx.exec(
        "INSERT INTO asaas_events (tenant_id, event_id, event, payment_id, outcome, payload) "
        "VALUES ($1, $2, $3, $4, 'pending', $5::jsonb) ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING id",
        {std::to_string(tenant_id), event.id, event.event, payment_id, std::string(raw_body)});
    if (!stored) return std::move(stored).error();
    if (stored->size() == 0) return AsaasOutcome{"duplicate", 0};
    const std::string row(stored->text(0, 0));

    Expected<AsaasOutcome> outcome = AsaasOutcome{"ignored", 0};
    const auto action = classify_asaas_event(event.event);
    if (action != AsaasAction::ignore && !event.payment) {
      outcome = AsaasOutcome{"unmatched", 0};
    } else if (action == AsaasAction::record) {
      outcome = record(tx, tenant_id, *event.payment);
    } else if (action == AsaasAction::reverse) {
      outcome = reverse(tx, tenant_id, *event.payment);
    }
    if (!outcome) return outcome;
    auto noted = tx.exec("UPDATE asaas_events SET outcome = $2 WHERE id = $1", {row, outcome->outcome});
    if (!noted) return std::move(noted).error();
    return outcome;
  });
}

}  // namespace money

void add_asaas_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::post, "/webhooks/asaas/{tenant}",
             [&ctx](RequestContext rc) { return money::webhook_route(ctx, rc); });
}

}  // namespace disparo::admin
