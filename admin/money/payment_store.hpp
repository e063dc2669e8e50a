// Payments in PostgreSQL: recording one (which extends the client's due date through the due
// calendar and may queue the payment-confirmation message, all in the caller's transaction),
// rolling the latest one back, and the filtered, cursor-paginated listing.
//
// Plain functions over a pg::Connection (blocking): call them on a worker thread (with_db). Every
// statement is scoped by tenant_id: another tenant's ids are "not found".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::admin::money {

// Error codes (Error::code) a caller may switch on.
inline constexpr std::string_view kLikelyDuplicate = "likely_duplicate";
inline constexpr std::string_view kExternalIdTaken = "external_id_taken";
inline constexpr std::string_view kNotLatest = "not_latest";

struct NewPayment {
  std::int64_t client_id = 0;
  std::int64_t amount_cents = 0;            // > 0
  std::string method;                       // pix, card, boleto, cash
  std::optional<std::string> paid_at;       // RFC 3339; now() when absent
  std::optional<std::string> external_id;
  std::string source = "api";               // api, asaas
  std::optional<std::int64_t> created_by_key;
  bool confirm_duplicate = false;           // record even when it looks like a duplicate
};

struct Payment {
  std::int64_t id = 0;
  std::int64_t client_id = 0;
  std::int64_t amount_cents = 0;
  std::string method;
  std::string paid_at;                      // RFC 3339 UTC
  std::string paid_on;                      // tenant local date
  std::optional<std::string> external_id;
  std::string source;
  std::optional<std::string> previous_due_date;
  std::string new_due_date;
  std::string created_at;
  std::optional<std::string> deleted_at;
  std::optional<std::int64_t> confirmation_message_id;  // set by record_payment when one was queued
};

boost::json::object payment_json(const Payment& payment);

// Records the payment inside the caller's open transaction (so the client-creation route can add
// a first payment in its own transaction): locks the client, applies the duplicate rule, moves
// due_date/due_day by the plan's cycle (monthly without a plan), inserts the payment, and queues
// the confirmation message when the tenant enabled it. Errors: not_found (client), conflict with
// code kLikelyDuplicate or kExternalIdTaken, invalid_argument.
Expected<Payment> record_payment(pg::Connection& tx, std::int64_t tenant_id, const NewPayment& input);
// record_payment in its own transaction.
Expected<Payment> create_payment(pg::Connection& conn, std::int64_t tenant_id, const NewPayment& input);

// Soft-deletes a payment and restores the due date it replaced. Only the client's latest live
// payment may be deleted: conflict (kNotLatest) otherwise. Runs in the caller's transaction.
Expected<Payment> roll_back_payment(pg::Connection& tx, std::int64_t tenant_id, std::int64_t payment_id,
                                    std::string_view reason);
Expected<Payment> delete_payment(pg::Connection& conn, std::int64_t tenant_id, std::int64_t payment_id);

Expected<Payment> find_payment(pg::Connection& conn, std::int64_t tenant_id, std::int64_t payment_id);
// By external id (deleted ones included); nullopt when none.
Expected<std::optional<Payment>> find_payment_by_external_id(pg::Connection& conn, std::int64_t tenant_id,
                                                             std::string_view external_id);

// Filters shared by the listing and the export. Periods are tenant local dates, inclusive.
struct PaymentFilter {
  std::optional<std::int64_t> client_id;
  std::optional<std::string> method;
  std::optional<std::string> from;   // paid_on >= from
  std::optional<std::string> to;     // paid_on <= to
  bool include_deleted = false;
};
struct PaymentPage {
  std::vector<Payment> items;
  std::optional<std::string> next_cursor;  // opaque; absent on the last page
};
// Newest first (paid_at DESC, id DESC). `cursor` is a previous page's next_cursor; a malformed one
// is invalid_argument.
Expected<PaymentPage> list_payments(pg::Connection& conn, std::int64_t tenant_id, const PaymentFilter& filter,
                                    std::optional<std::string> cursor, int limit);

// The SQL WHERE fragment and parameters of a filter ($1 is the tenant); shared with exports.
struct SqlFilter {
  std::string where;
  pg::Params params;
};
SqlFilter payment_filter_sql(std::int64_t tenant_id, const PaymentFilter& filter);

}  // namespace disparo::admin::money
