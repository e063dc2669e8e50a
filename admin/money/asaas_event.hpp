// Asaas webhook events (ecosystem.md section 6.2): the tolerant reader of the envelope
// {"id":"evt_...","event":"PAYMENT_RECEIVED","payment":{...}} and what each event means to us.
//
// Asaas adds attributes at any time, so unknown members are ignored and only the members we use
// are checked. Pure; any thread. Fuzzed by tests/fuzz/asaas_event_fuzz.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace disparo::admin::money {

struct AsaasPayment {
  std::string id;                                // "pay_..."
  std::optional<std::string> external_reference;  // our client id, as text
  std::optional<std::int64_t> value_cents;        // "value" (BRL, up to 2 decimals) in cents
  std::string billing_type;                       // PIX, BOLETO, CREDIT_CARD, ...
  std::optional<std::string> paid_on;             // paymentDate, else clientPaymentDate, else confirmedDate
};

struct AsaasEvent {
  std::string id;     // "evt_..." (deduplication key: Asaas delivers at least once)
  std::string event;  // "PAYMENT_RECEIVED", ...
  std::optional<AsaasPayment> payment;
};

// invalid_argument when the body is not a JSON object or lacks a string "id" or "event"; a
// "payment" member of the wrong shape leaves `payment` empty instead (the event is still logged).
Expected<AsaasEvent> parse_asaas_event(std::string_view body);

enum class AsaasAction { record, reverse, ignore };
// PAYMENT_RECEIVED, PAYMENT_CONFIRMED -> record; PAYMENT_REFUNDED, PAYMENT_DELETED -> reverse;
// everything else -> ignore (acknowledged with HTTP 200 and logged).
AsaasAction classify_asaas_event(std::string_view event);

// Our payment method for an Asaas billingType: PIX -> pix, BOLETO -> boleto, CREDIT_CARD and
// DEBIT_CARD -> card, anything else (UNDEFINED, TRANSFER, DEPOSIT, ...) -> cash.
std::string_view method_for_billing_type(std::string_view billing_type);

// Our client id from externalReference: a positive decimal id, else nullopt.
std::optional<std::int64_t> client_id_from_reference(std::string_view reference);

}  // namespace disparo::admin::money
