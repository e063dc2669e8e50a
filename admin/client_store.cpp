#include "admin/client_store.hpp"

#include <chrono>

#include <boost/json.hpp>

#include "admin/templates/automations.hpp"

namespace disparo::admin {
namespace {

constexpr const char* kAlertColumns = "a.id, a.title, a.text, a.active, disparo_rfc3339(a.created_at)";

boost::json::value parsed_json(std::string_view text) {
  boost::json::error_code ec;
  auto value = boost::json::parse(text, ec);
  return ec ? boost::json::value(boost::json::array()) : value;
}

// Column order: kClientSelect in client_query.cpp.
boost::json::object client_json(const pg::Rows& rows, int r, bool show_password) {
  boost::json::object out{
      {"id", rows.int64(r, 0)},
      {"name", rows.text(r, 1)},
      {"username", nullable_text(rows, r, 2)},
      {"has_password", !rows.is_null(r, 3) && !rows.text(r, 3).empty()},
      {"phone", rows.text(r, 4)},
      {"phone_country", rows.text(r, 5)},
      {"email", nullable_text(rows, r, 6)},
      {"notes", nullable_text(rows, r, 7)},
      {"server_id", nullable_int(rows, r, 8)},
      {"plan_id", nullable_int(rows, r, 9)},
      {"amount_cents", rows.int64(r, 10)},
      {"effective_amount_cents", rows.int64(r, 11)},
      {"screens", rows.int64(r, 12)},
      {"due_date", nullable_text(rows, r, 13)},
      {"due_day", nullable_int(rows, r, 14)},
      {"channel_id", nullable_int(rows, r, 15)},
      {"blocked", rows.boolean(r, 16)},
      {"archived", !rows.is_null(r, 17)},
      {"archived_at", nullable_text(rows, r, 17)},
      {"archive_reason", nullable_text(rows, r, 18)},
      {"status", rows.text(r, 19)},
      {"category", rows.text(r, 20)},
      {"last_payment_at", nullable_text(rows, r, 21)},
      {"created_at", rows.text(r, 22)},
      {"updated_at", rows.text(r, 23)},
      {"tags", parsed_json(rows.text(r, 24))},
      {"alerts", parsed_json(rows.text(r, 25))}};
  // Only roles that send access messages see it (roles.cpp, clients.read_password).
  if (show_password) out["password"] = nullable_text(rows, r, 3);
  return out;
}

boost::json::object alert_json(const pg::Rows& rows, int r) {
  return boost::json::object{{"id", rows.int64(r, 0)},
                             {"title", rows.text(r, 1)},
                             {"text", rows.text(r, 2)},
                             {"active", rows.boolean(r, 3)},
                             {"created_at", rows.text(r, 4)}};
}

// A PostgreSQL text[] literal: {"a","b\"c"}.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Expected<void> replace_tags(pg::Connection& tx, std::int64_t client_id, const In<std::vector<std::string>>& tags) {
  if (!tags.present) return {};
  auto cleared = tx.exec("DELETE FROM client_tags WHERE client_id = $1", {param(client_id)});
  if (!cleared) return std::move(cleared).error();
  if (!tags.value || tags.value->empty()) return {};
  auto added = tx.exec("INSERT INTO client_tags (client_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                       {param(client_id), text_array(*tags.value)});
  if (!added) return std::move(added).error();
  return {};
}

Expected<void> check_references(pg::Connection& tx, std::int64_t tenant_id, const ClientInput& in) {
  if (auto ok = check_owned(tx, "servers", tenant_id, in.server_id, "server_id"); !ok) return ok;
  if (auto ok = check_owned(tx, "plans", tenant_id, in.plan_id, "plan_id"); !ok) return ok;
  return check_owned(tx, "acquisition_channels", tenant_id, in.channel_id, "channel_id");
}

}  // namespace

Expected<boost::json::value> read_client(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                         bool show_password) {
  auto rows = conn.exec(std::string(kClientSelect) + kClientFrom + "WHERE c.tenant_id = $1 AND c.id = $2",
                        {param(tenant_id), param(id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("client");
  return boost::json::value(client_json(*rows, 0, show_password));
}

Expected<boost::json::value> list_clients(pg::Connection& conn, std::int64_t tenant_id,
                                          const ClientListRequest& request, bool show_password) {
  // A page is a short index walk, but when a filter's selectivity is hard to estimate the planner
  // prices the walk at the whole index and PostgreSQL's JIT (jit_above_cost) compiles the query:
  // ~100 ms of compilation for a 1 ms query. JIT only pays for long analytic scans; none run on
  // the admin's pooled connections, so it is turned off for the session (one cheap statement).
  if (auto no_jit = conn.exec("SET jit = off"); !no_jit) return std::move(no_jit).error();
  ClientListRequest effective = request;
  // (The due-date order of overdue clients walks per plan from each plan's own bound instead.)
  if (request.filter.status == std::string("overdue") && request.sort != ClientSort::due_date) {
    auto grace = conn.exec("SELECT coalesce(max(grace_days), 0) FROM plans WHERE tenant_id = $1", {param(tenant_id)});
    if (!grace) return std::move(grace).error();
    effective.max_grace_days = static_cast<int>(grace->int64(0, 0));
  }
  auto page = client_page_sql(tenant_id, effective);
  auto rows = conn.exec(page.sql, page.params);
  if (!rows) return std::move(rows).error();
  const int shown = std::min(rows->size(), request.limit);
  boost::json::array items;
  for (int r = 0; r < shown; ++r) items.push_back(client_json(*rows, r, show_password));
  boost::json::value next = nullptr;
  if (rows->size() > request.limit) {
    const int last = shown - 1;
    const int key_col = rows->columns() - 1;
    next = boost::json::string(encode_cursor(request.sort, request.descending,
                                             {std::string(rows->text(last, key_col)), rows->int64(last, 0)}));
  }
  return boost::json::value(boost::json::object{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
}

Expected<boost::json::value> create_client(pg::Connection& conn, std::int64_t tenant_id, const ClientInput& in,
                                           bool show_password) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<boost::json::value> {
    if (auto ok = check_references(tx, tenant_id, in); !ok) return std::move(ok).error();
    auto rows = tx.exec(
        "INSERT INTO clients (tenant_id, name, username, password, phone, phone_country, email, notes, server_id, "
        "  plan_id, amount_cents, screens, due_date, due_day, channel_id, blocked, archived_at, archive_reason) "
        "VALUES ($1, $2, $3, $4, $5, coalesce($6, '55'), $7, $8, $9, $10, coalesce($11::bigint, 0), "
        "  coalesce($12::integer, 1), $13::date, coalesce($14::smallint, extract(day FROM $13::date)::smallint), $15, "
        "  coalesce($16::boolean, false), CASE WHEN $17::boolean THEN now() END, $18) RETURNING id",
        {param(tenant_id), param(in.name.value), param(in.username.value), param(in.password.value),
         param(in.phone.value), param(in.phone_country.value), param(in.email.value), param(in.notes.value),
         param(in.server_id.value), param(in.plan_id.value), param(in.amount_cents.value), param(in.screens.value),
         param(in.due_date.value), param(in.due_day.value), param(in.channel_id.value), param(in.blocked.value),
         param(in.archived.value.value_or(false)), param(in.archive_reason.value)});
    if (!rows) return std::move(rows).error();
    const auto id = rows->int64(0, 0);
    if (auto ok = replace_tags(tx, id, in.tags); !ok) return std::move(ok).error();
    // The welcome (tenant automation) commits with the client or not at all; before the first
    // payment so that it is queued, and sent, before the payment confirmation.
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    auto welcome = templates::queue_welcome(tx, tenant_id, id, now);
    if (!welcome) return std::move(welcome).error();
    if (in.first_payment) {
      money::NewPayment payment = *in.first_payment;
      payment.client_id = id;
      if (auto paid = money::record_payment(tx, tenant_id, payment); !paid) return std::move(paid).error();
    }
    auto client = read_client(tx, tenant_id, id, show_password);
    if (client && *welcome && client->is_object()) client->as_object()["welcome_message_id"] = **welcome;
    return client;
  });
}

Expected<boost::json::value> update_client(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                           const ClientInput& in, bool show_password) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<boost::json::value> {
    if (auto ok = check_references(tx, tenant_id, in); !ok) return std::move(ok).error();
    pg::Params params{param(id), param(tenant_id)};
    SetClause set(params);
    auto text = [&](const char* column, const In<std::string>& v) {
      if (v.present) set.add(column, v.value);
    };
    auto number = [&](const char* column, const In<std::int64_t>& v) {
      if (v.present) set.add(column, param(v.value));
    };
    text("name", in.name);
    text("username", in.username);
    text("password", in.password);
    text("phone", in.phone);
    text("phone_country", in.phone_country);
    text("email", in.email);
    text("notes", in.notes);
    number("server_id", in.server_id);
    number("plan_id", in.plan_id);
    number("amount_cents", in.amount_cents);
    number("screens", in.screens);
    text("due_date", in.due_date);
    number("due_day", in.due_day);
    number("channel_id", in.channel_id);
    if (in.blocked.value) set.add("blocked", param(*in.blocked.value));
    if (in.archived.value) {
      if (*in.archived.value) {
        set.add_raw("archived_at = coalesce(archived_at, now())");
        set.add("archive_reason", in.archive_reason.value);
      } else {
        set.add_raw("archived_at = NULL");
        set.add_raw("archive_reason = NULL");
      }
    }
    set.add_raw("updated_at = now()");
    auto rows = tx.exec("UPDATE clients SET " + set.text() + " WHERE id = $1 AND tenant_id = $2 RETURNING id", params);
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) return not_found_error("client");
    if (auto ok = replace_tags(tx, id, in.tags); !ok) return std::move(ok).error();
    return read_client(tx, tenant_id, id, show_password);
  });
}

Expected<boost::json::value> create_alert(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          const AlertInput& in) {
  auto rows = conn.exec(
      std::string("INSERT INTO client_alerts AS a (client_id, title, text, active) "
                  "SELECT id, $3, coalesce($4, ''), coalesce($5::boolean, true) FROM clients "
                  "WHERE id = $1 AND tenant_id = $2 RETURNING ") + kAlertColumns,
      {param(client_id), param(tenant_id), param(in.title.value), param(in.text.value), param(in.active.value)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("client");
  return boost::json::value(alert_json(*rows, 0));
}

Expected<boost::json::value> update_alert(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          std::int64_t alert_id, const AlertInput& in) {
  pg::Params params{param(alert_id), param(client_id), param(tenant_id)};
  SetClause set(params);
  if (in.title.value) set.add("title", in.title.value);
  if (in.text.present) set.add("text", in.text.value.value_or(""));
  if (in.active.value) set.add("active", param(*in.active.value));
  if (set.empty()) set.add_raw("title = a.title");  // nothing to change: still prove the ids
  auto rows = conn.exec(
      "UPDATE client_alerts a SET " + set.text() +
          " FROM clients c WHERE a.id = $1 AND a.client_id = $2 AND c.id = a.client_id AND c.tenant_id = $3 "
          "RETURNING " + kAlertColumns,
      params);
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("alert");
  return boost::json::value(alert_json(*rows, 0));
}

Expected<boost::json::value> delete_alert(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          std::int64_t alert_id) {
  auto rows = conn.exec(
      "DELETE FROM client_alerts a USING clients c "
      "WHERE a.id = $1 AND a.client_id = $2 AND c.id = a.client_id AND c.tenant_id = $3",
      {param(alert_id), param(client_id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->affected() == 0) return not_found_error("alert");
  return boost::json::value(nullptr);
}

Expected<boost::json::value> list_tags(pg::Connection& conn, std::int64_t tenant_id) {
  auto rows = conn.exec(
      "SELECT g.tag, count(*) FROM client_tags g JOIN clients c ON c.id = g.client_id "
      "WHERE c.tenant_id = $1 GROUP BY g.tag ORDER BY g.tag",
      {param(tenant_id)});
  if (!rows) return std::move(rows).error();
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) {
    items.push_back(boost::json::object{{"tag", rows->text(r, 0)}, {"clients", rows->int64(r, 1)}});
  }
  return boost::json::value(boost::json::object{{"items", std::move(items)}});
}

}  // namespace disparo::admin
