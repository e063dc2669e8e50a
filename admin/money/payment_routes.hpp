// Routes of payments: record one for a client, list (filters, cursor), read, delete the latest.
//   POST   /v1/clients/{id}/payments[?confirm_duplicate=true]   payments.write
//   GET    /v1/payments?client_id&method&from&to&include_deleted&limit&cursor   payments.read
//   GET    /v1/payments/{id}                                    payments.read
//   DELETE /v1/payments/{id}                                    payments.write
// Registered once at start-up (api.cpp); handlers run on the loop thread and offload SQL.
#pragma once

#include "admin/api_context.hpp"
#include "admin/money/payment_store.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_payment_routes(Router& router, ApiContext& ctx);

namespace money {
// Reads the body of a new payment ({amount_cents, method, paid_at?, external_id?}); one
// FieldError per problem. Also used by the client-creation route for a first payment.
struct PaymentInput {
  std::optional<NewPayment> value;
  std::vector<FieldError> errors;
};
PaymentInput read_new_payment(const boost::json::object& body, std::string_view field_prefix = "");
// The 409 answers of record_payment (likely duplicate, external id taken) as problems.
Problem payment_problem(const Error& error);
}  // namespace money

}  // namespace disparo::admin
