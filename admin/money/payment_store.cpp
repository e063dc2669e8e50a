#include "admin/money/payment_store.hpp"

#include <cstdio>

#include <boost/json.hpp>

#include "admin/billing/due_calendar.hpp"
#include "admin/billing/money_format.hpp"
#include "admin/json.hpp"
#include "admin/templates/automations.hpp"

namespace disparo::admin::money {
namespace {

constexpr std::string_view kColumns =
    "p.id, p.client_id, p.amount_cents, p.method, disparo_rfc3339(p.paid_at), p.paid_on::text, p.external_id, "
    "p.source, p.previous_due_date::text, p.new_due_date::text, disparo_rfc3339(p.created_at), "
    "disparo_rfc3339(p.deleted_at), (extract(epoch from p.paid_at) * 1000000)::bigint";
constexpr int kCursorColumn = 12;

std::optional<std::string> optional_text(const pg::Rows& rows, int row, int col) {
  if (rows.is_null(row, col)) return std::nullopt;
  return std::string(rows.text(row, col));
}

Payment payment_from(const pg::Rows& rows, int row) {
  Payment p;
  p.id = rows.int64(row, 0);
  p.client_id = rows.int64(row, 1);
  p.amount_cents = rows.int64(row, 2);
  p.method = rows.text(row, 3);
  p.paid_at = rows.text(row, 4);
  p.paid_on = rows.text(row, 5);
  p.external_id = optional_text(rows, row, 6);
  p.source = rows.text(row, 7);
  p.previous_due_date = optional_text(rows, row, 8);
  p.new_due_date = rows.text(row, 9);
  p.created_at = rows.text(row, 10);
  p.deleted_at = optional_text(rows, row, 11);
  return p;
}

std::string select_sql(std::string_view rest) {
  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM payments p ";
  sql += rest;
  return sql;
}

date::year_month_day parse_ymd(std::string_view iso) {
  auto num = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (iso[i] - '0');
    return v;
  };
  return date::year(num(0, 4)) / date::month(static_cast<unsigned>(num(5, 2))) /
         date::day(static_cast<unsigned>(num(8, 2)));
}

std::string iso(date::year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

// Queues the tenant's payment confirmation for the dispatcher when enabled (a transactional
// message through the client's session; see admin/templates/automations.hpp for the template,
// the text fallback and who gets none).
Expected<std::optional<std::int64_t>> queue_confirmation(pg::Connection& tx, std::int64_t tenant_id,
                                                         const Payment& payment) {
  templates::PaymentFacts facts{payment.id, payment.client_id, payment.amount_cents, payment.method,
                                payment.new_due_date};
  const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  return templates::queue_payment_confirmation(tx, tenant_id, facts, now);
}

}  // namespace

boost::json::object payment_json(const Payment& p) {
  auto opt = [](const std::optional<std::string>& v) -> boost::json::value {
    if (v) return boost::json::value(*v);
    return nullptr;
  };
  boost::json::object out{{"id", p.id},
                          {"client_id", p.client_id},
                          {"amount_cents", p.amount_cents},
                          {"method", p.method},
                          {"paid_at", p.paid_at},
                          {"paid_on", p.paid_on},
                          {"external_id", opt(p.external_id)},
                          {"source", p.source},
                          {"previous_due_date", opt(p.previous_due_date)},
                          {"new_due_date", p.new_due_date},
                          {"created_at", p.created_at},
                          {"deleted_at", opt(p.deleted_at)}};
  if (p.confirmation_message_id) out["confirmation_message_id"] = *p.confirmation_message_id;
  return out;
}

Expected<Payment> record_payment(pg::Connection& tx, std::int64_t tenant_id, const NewPayment& input) {
  const std::string tenant = std::to_string(tenant_id);
  const std::string client = std::to_string(input.client_id);
  // Lock the client: concurrent payments for one client serialise, so each extends the date the
  // previous one set and the duplicate rule sees the other's row.
  auto found = tx.exec(
      "SELECT c.due_date::text, c.due_day, coalesce(pl.cycle, 'monthly'), "
      "       (coalesce($3::timestamptz, now()) AT TIME ZONE t.time_zone)::date::text, "
      "       disparo_rfc3339(coalesce($3::timestamptz, now())) "
      "FROM clients c JOIN tenants t ON t.id = c.tenant_id LEFT JOIN plans pl ON pl.id = c.plan_id "
      "WHERE c.id = $2 AND c.tenant_id = $1 FOR UPDATE OF c",
      {tenant, client, input.paid_at});
  if (!found) return std::move(found).error();
  if (found->size() == 0) {
    return make_error(ErrorKind::not_found, "No client with id " + client + ".");
  }
  const std::string paid_on(found->text(0, 3));
  const std::string paid_at(found->text(0, 4));

  if (input.external_id) {
    auto taken = tx.exec("SELECT id FROM payments WHERE tenant_id = $1 AND external_id = $2",
                         {tenant, *input.external_id});
    if (!taken) return std::move(taken).error();
    if (taken->size() > 0) {
      return make_error(ErrorKind::conflict,
                        "Payment " + std::string(taken->text(0, 0)) + " already has external_id '" +
                            *input.external_id + "'.",
                        std::string(kExternalIdTaken));
    }
  }
  if (!input.confirm_duplicate) {
    auto twin = tx.exec(
        "SELECT id FROM payments WHERE tenant_id = $1 AND client_id = $2 AND deleted_at IS NULL "
        "AND paid_on = $3::date AND amount_cents = $4 ORDER BY id LIMIT 1",
        {tenant, client, paid_on, std::to_string(input.amount_cents)});
    if (!twin) return std::move(twin).error();
    if (twin->size() > 0) {
      return make_error(ErrorKind::conflict,
                        "Payment " + std::string(twin->text(0, 0)) +
                            " of this client has the same date and amount; send confirm_duplicate=true "
                            "if this is really a second payment.",
                        std::string(kLikelyDuplicate));
    }
  }

  billing::DueInput due;
  if (!found->is_null(0, 0)) due.due_date = parse_ymd(found->text(0, 0));
  if (!found->is_null(0, 1)) due.due_day = static_cast<int>(found->int64(0, 1));
  due.cycle = billing::parse_cycle(found->text(0, 2)).value_or(billing::Cycle::monthly);
  due.paid_on = parse_ymd(paid_on);
  const auto change = billing::apply_payment(due);

  pg::Param previous;
  if (change.previous) previous = iso(*change.previous);
  pg::Param key;
  if (input.created_by_key) key = std::to_string(*input.created_by_key);
  auto inserted = tx.exec(
      "INSERT INTO payments AS p (tenant_id, client_id, amount_cents, method, paid_at, paid_on, external_id, "
      "                           source, previous_due_date, new_due_date, created_by_key) "
      "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::date, $7, $8, $9::date, $10::date, $11) RETURNING " +
          std::string(kColumns),
      {tenant, client, std::to_string(input.amount_cents), input.method, paid_at, paid_on, input.external_id,
       input.source, previous, iso(change.next), key});
  if (!inserted) return std::move(inserted).error();
  Payment payment = payment_from(*inserted, 0);

  auto moved = tx.exec(
      "UPDATE clients SET due_date = $3::date, due_day = $4::smallint, updated_at = now() "
      "WHERE id = $2 AND tenant_id = $1",
      {tenant, client, iso(change.next), std::to_string(change.due_day)});
  if (!moved) return std::move(moved).error();

  auto message = queue_confirmation(tx, tenant_id, payment);
  if (!message) return std::move(message).error();
  payment.confirmation_message_id = *message;
  return payment;
}

Expected<Payment> create_payment(pg::Connection& conn, std::int64_t tenant_id, const NewPayment& input) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) { return record_payment(tx, tenant_id, input); });
}

Expected<Payment> roll_back_payment(pg::Connection& tx, std::int64_t tenant_id, std::int64_t payment_id,
                                    std::string_view reason) {
  const std::string tenant = std::to_string(tenant_id);
  const std::string id = std::to_string(payment_id);
  auto owner = tx.exec("SELECT client_id FROM payments WHERE id = $2 AND tenant_id = $1", {tenant, id});
  if (!owner) return std::move(owner).error();
  if (owner->size() == 0) return make_error(ErrorKind::not_found, "No payment with id " + id + ".");
  const std::string client(owner->text(0, 0));
  // Same lock order as record_payment: the client first.
  auto locked = tx.exec("SELECT id FROM clients WHERE id = $2 AND tenant_id = $1 FOR UPDATE", {tenant, client});
  if (!locked) return std::move(locked).error();

  auto rows = tx.exec(
      "SELECT p.deleted_at IS NOT NULL, p.previous_due_date::text, "
      "       (SELECT max(q.id) FROM payments q WHERE q.client_id = p.client_id AND q.deleted_at IS NULL) "
      "FROM payments p WHERE p.id = $2 AND p.tenant_id = $1",
      {tenant, id});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::not_found, "No payment with id " + id + ".");
  if (rows->boolean(0, 0)) {
    return make_error(ErrorKind::conflict, "Payment " + id + " was already deleted.");
  }
  if (rows->int64(0, 2) != payment_id) {
    return make_error(ErrorKind::conflict,
                      "Only the client's latest payment (id " + std::string(rows->text(0, 2)) +
                          ") can be deleted: each payment moved the due date from where the previous one "
                          "left it, so delete the later payments first.",
                      std::string(kNotLatest));
  }
  pg::Param previous;
  if (!rows->is_null(0, 1)) previous = std::string(rows->text(0, 1));

  auto deleted = tx.exec("UPDATE payments AS p SET deleted_at = now(), deleted_reason = $3 "
                         "WHERE p.id = $2 AND p.tenant_id = $1 RETURNING " + std::string(kColumns),
                         {tenant, id, std::string(reason)});
  if (!deleted) return std::move(deleted).error();
  auto restored = tx.exec("UPDATE clients SET due_date = $3::date, updated_at = now() WHERE id = $2 AND tenant_id = $1",
                          {tenant, client, previous});
  if (!restored) return std::move(restored).error();
  return payment_from(*deleted, 0);
}

Expected<Payment> delete_payment(pg::Connection& conn, std::int64_t tenant_id, std::int64_t payment_id) {
  return pg::in_transaction(
      conn, [&](pg::Connection& tx) { return roll_back_payment(tx, tenant_id, payment_id, "deleted via API"); });
}

Expected<Payment> find_payment(pg::Connection& conn, std::int64_t tenant_id, std::int64_t payment_id) {
  auto rows = conn.exec(select_sql("WHERE p.id = $2 AND p.tenant_id = $1"),
                        {std::to_string(tenant_id), std::to_string(payment_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) {
    return make_error(ErrorKind::not_found, "No payment with id " + std::to_string(payment_id) + ".");
  }
  return payment_from(*rows, 0);
}

Expected<std::optional<Payment>> find_payment_by_external_id(pg::Connection& conn, std::int64_t tenant_id,
                                                             std::string_view external_id) {
  auto rows = conn.exec(select_sql("WHERE p.tenant_id = $1 AND p.external_id = $2"),
                        {std::to_string(tenant_id), std::string(external_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return std::optional<Payment>();
  return std::optional<Payment>(payment_from(*rows, 0));
}

namespace {
// Appends `value` as the next parameter of `sql` and returns its placeholder ("$3").
std::string bind_param(SqlFilter& sql, std::string value) {
  sql.params.emplace_back(std::move(value));
  return "$" + std::to_string(sql.params.size());
}
}  // namespace

SqlFilter payment_filter_sql(std::int64_t tenant_id, const PaymentFilter& filter) {
  SqlFilter out{"p.tenant_id = $1", {std::to_string(tenant_id)}};
  if (filter.client_id) out.where += " AND p.client_id = " + bind_param(out, std::to_string(*filter.client_id));
  if (filter.method) out.where += " AND p.method = " + bind_param(out, *filter.method);
  if (filter.from) out.where += " AND p.paid_on >= " + bind_param(out, *filter.from) + "::date";
  if (filter.to) out.where += " AND p.paid_on <= " + bind_param(out, *filter.to) + "::date";
  if (!filter.include_deleted) out.where += " AND p.deleted_at IS NULL";
  return out;
}

Expected<PaymentPage> list_payments(pg::Connection& conn, std::int64_t tenant_id, const PaymentFilter& filter,
                                    std::optional<std::string> cursor, int limit) {
  auto sql = payment_filter_sql(tenant_id, filter);
  if (cursor) {
    // "<paid_at in µs since the epoch>.<id>": the keyset of the last row of the previous page.
    auto dot = cursor->find('.');
    auto micros = dot == std::string::npos ? std::string() : cursor->substr(0, dot);
    auto last_id = dot == std::string::npos ? std::string() : cursor->substr(dot + 1);
    bool ok = !micros.empty() && !last_id.empty() && micros.size() <= 19 && last_id.size() <= 19;
    for (char c : micros + last_id) ok = ok && c >= '0' && c <= '9';
    if (!ok) return make_error(ErrorKind::invalid_argument, "The cursor is not one this API returned.");
    const auto at = bind_param(sql, micros);
    const auto id = bind_param(sql, last_id);
    sql.where += " AND (p.paid_at, p.id) < ('epoch'::timestamptz + " + at + "::bigint * interval '1 microsecond', " +
                 id + "::bigint)";
  }
  auto rows = conn.exec(select_sql("WHERE " + sql.where + " ORDER BY p.paid_at DESC, p.id DESC LIMIT " +
                                   std::to_string(limit + 1)),
                        sql.params);
  if (!rows) return std::move(rows).error();
  PaymentPage page;
  const int n = std::min(rows->size(), limit);
  for (int i = 0; i < n; ++i) page.items.push_back(payment_from(*rows, i));
  if (rows->size() > limit) {
    page.next_cursor = std::string(rows->text(n - 1, kCursorColumn)) + "." + std::to_string(page.items.back().id);
  }
  return page;
}

}  // namespace disparo::admin::money
