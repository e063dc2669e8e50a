// Automatic messages of a tenant (tenant_settings): the welcome message queued in the same
// transaction that creates a client, and the payment confirmation queued with the payment.
// Both go through campaigns::enqueue_message as transactional (priority 0) messages with origin
// 'automation' and a fixed idempotency key, so a retried transaction never queues two.
//
// Blocking SQL on the caller's transaction: worker threads only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"

namespace disparo::admin::templates {

// Queues the welcome message of a just-created client when the tenant enabled it (welcome_enabled
// and a welcome_template_id of a template that is not archived). Nothing is queued (nullopt) for a
// blocked or archived client, a client without any session, or a Cloud API session when the
// template has no approved provider template. Idempotency key "welcome:<client_id>".
Expected<std::optional<std::int64_t>> queue_welcome(pg::Connection& tx, std::int64_t tenant_id,
                                                    std::int64_t client_id, SysTime now);

// What a payment confirmation says about the payment.
struct PaymentFacts {
  std::int64_t payment_id = 0;
  std::int64_t client_id = 0;
  std::int64_t amount_cents = 0;
  std::string method;        // pix | card | boleto | cash
  std::string new_due_date;  // YYYY-MM-DD
};

// "Pix", "cartão", "boleto", "dinheiro": what {metodo} renders to.
std::string method_label(std::string_view method);

// Queues the payment confirmation when payment_confirmation_enabled: rendered from
// payment_confirmation_template_id when set (and not archived), else from
// payment_confirmation_text; {valor} is the payment's amount, {vencimento} the new due date and
// {metodo} the method. Same exclusions as the welcome (a Cloud API session without a provider
// mapping gets the template's text instead). Idempotency key "payment:<payment_id>".
Expected<std::optional<std::int64_t>> queue_payment_confirmation(pg::Connection& tx, std::int64_t tenant_id,
                                                                 const PaymentFacts& payment, SysTime now);

}  // namespace disparo::admin::templates
