// The Asaas payment webhook: POST /webhooks/asaas/{tenant} (tenant = slug).
//
// Authenticated by the `asaas-access-token` header, compared in constant time with the token set
// through PATCH /v1/settings; no token configured = 401 for every call. Each event is stored once
// (asaas_events, unique per tenant and event id) and applied in the same transaction:
// PAYMENT_RECEIVED / PAYMENT_CONFIRMED record a payment (external_id = the Asaas payment id, so a
// payment is recorded once however many events name it) for the client whose id is the payment's
// `externalReference`, extending its due date; PAYMENT_REFUNDED / PAYMENT_DELETED roll it back.
// Every authenticated, well-formed call is answered with exactly HTTP 200 (Asaas counts only 200
// as delivered), including duplicates, unknown events and payments we cannot match (logged).
// Registered once (api.cpp); the handler runs on the loop thread and offloads SQL.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "admin/api_context.hpp"
#include "admin/money/asaas_event.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_asaas_routes(Router& router, ApiContext& ctx);

namespace money {

// What applying one event did: "recorded", "already_recorded", "reversed",
// "reversed_without_due_date_change" (a refund of a payment that is not the client's latest),
// "nothing_to_reverse", "unmatched", "ignored", "duplicate".
struct AsaasOutcome {
  std::string outcome;
  std::int64_t payment_id = 0;  // ours, when one was recorded or reversed
};

// Stores and applies `event` for `tenant_id` in one transaction.
Expected<AsaasOutcome> apply_asaas_event(pg::Connection& conn, std::int64_t tenant_id, const AsaasEvent& event,
                                         std::string_view raw_body);

}  // namespace money
}  // namespace disparo::admin
