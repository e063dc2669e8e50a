#include "admin/session_store.hpp"

#include <boost/json.hpp>

namespace disparo::admin {
namespace {

// The secrets (access_token, webhook_secret) are deliberately absent: only whether they are set.
constexpr const char* kSelect =
    "SELECT id, name, provider, base_url, phone_number_id, instance_name, waba_id, "
    "       access_token <> '', webhook_secret IS NOT NULL, disparo_rfc3339(credentials_updated_at), "
    "       min_interval_ms, jitter_ms, burst, daily_cap, to_char(window_start, 'HH24:MI'), "
    "       to_char(window_end, 'HH24:MI'), warmup_start_cap, warmup_days, warmup_started_on::text, "
    "       is_default, state, paused_reason, connection_state, quality_rating, disparo_rfc3339(created_at) "
    "FROM whatsapp_sessions WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY name, id";

boost::json::object session_json(const pg::Rows& rows, int r) {
  return boost::json::object{
      {"id", rows.int64(r, 0)},
      {"name", rows.text(r, 1)},
      {"provider", rows.text(r, 2)},
      {"base_url", rows.text(r, 3)},
      {"phone_number_id", nullable_text(rows, r, 4)},
      {"instance_name", nullable_text(rows, r, 5)},
      {"waba_id", nullable_text(rows, r, 6)},
      {"has_access_token", rows.boolean(r, 7)},
      {"has_webhook_secret", rows.boolean(r, 8)},
      {"credentials_updated_at", nullable_text(rows, r, 9)},
      {"min_interval_ms", rows.int64(r, 10)},
      {"jitter_ms", rows.int64(r, 11)},
      {"burst", rows.int64(r, 12)},
      {"daily_cap", rows.int64(r, 13)},
      {"window_start", nullable_text(rows, r, 14)},
      {"window_end", nullable_text(rows, r, 15)},
      {"warmup_start_cap", nullable_int(rows, r, 16)},
      {"warmup_days", nullable_int(rows, r, 17)},
      {"warmup_started_on", nullable_text(rows, r, 18)},
      {"is_default", rows.boolean(r, 19)},
      {"state", rows.text(r, 20)},
      {"paused_reason", nullable_text(rows, r, 21)},
      {"connection_state", nullable_text(rows, r, 22)},
      {"quality_rating", nullable_text(rows, r, 23)},
      {"created_at", rows.text(r, 24)}};
}

Error unique_error(const Error& e) {
  if (e.code != "23505") return e;
  return make_error(ErrorKind::conflict,
                    "Another session already has this name, phone number id, or Evolution instance.");
}

// Every settable column but is_default (handled apart: only one default per tenant).
void add_columns(SetClause& set, const SessionInput& in) {
  auto text = [&](const char* column, const In<std::string>& v) {
    if (v.present) set.add(column, v.value);
  };
  auto number = [&](const char* column, const In<std::int64_t>& v) {
    if (v.present) set.add(column, param(v.value));
  };
  text("name", in.name);
  text("provider", in.provider);
  text("base_url", in.base_url);
  text("phone_number_id", in.phone_number_id);
  text("instance_name", in.instance_name);
  text("waba_id", in.waba_id);
  if (in.access_token.present) set.add("access_token", in.access_token.value.value_or(""));
  text("webhook_secret", in.webhook_secret);
  if (in.access_token.present || in.webhook_secret.present) set.add_raw("credentials_updated_at = now()");
  number("min_interval_ms", in.min_interval_ms);
  number("jitter_ms", in.jitter_ms);
  number("burst", in.burst);
  number("daily_cap", in.daily_cap);
  text("window_start", in.window_start);
  text("window_end", in.window_end);
  number("warmup_start_cap", in.warmup_start_cap);
  number("warmup_days", in.warmup_days);
  text("warmup_started_on", in.warmup_started_on);
}

Expected<void> make_default(pg::Connection& tx, std::int64_t tenant_id, std::int64_t id, bool is_default) {
  if (is_default) {
    auto cleared = tx.exec("UPDATE whatsapp_sessions SET is_default = false "
                           "WHERE tenant_id = $1 AND is_default AND id <> $2",
                           {param(tenant_id), param(id)});
    if (!cleared) return std::move(cleared).error();
  }
  auto set = tx.exec("UPDATE whatsapp_sessions SET is_default = $3 WHERE id = $1 AND tenant_id = $2",
                     {param(id), param(tenant_id), param(is_default)});
  if (!set) return std::move(set).error();
  return {};
}

}  // namespace

Expected<boost::json::value> read_sessions(pg::Connection& conn, std::int64_t tenant_id,
                                           std::optional<std::int64_t> id) {
  auto rows = conn.exec(kSelect, {param(tenant_id), param(id)});
  if (!rows) return std::move(rows).error();
  if (id) {
    if (rows->size() == 0) return not_found_error("session");
    return boost::json::value(session_json(*rows, 0));
  }
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) items.push_back(session_json(*rows, r));
  return boost::json::value(boost::json::object{{"items", std::move(items)}});
}

Expected<boost::json::value> create_session(pg::Connection& conn, std::int64_t tenant_id, const SessionInput& in) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<boost::json::value> {
    pg::Params params{param(tenant_id)};
    SetClause set(params);  // used for its column list and parameters only
    add_columns(set, in);
    // Turn "a = $2, b = $3" into an INSERT's column and value lists.
    std::string columns = "tenant_id", values = "$1";
    std::string_view text = set.text();
    while (!text.empty()) {
      auto comma = text.find(", ");
      auto part = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 2);
      auto eq = part.find(" = ");
      columns += ", ";
      columns += part.substr(0, eq);
      values += ", ";
      values += part.substr(eq + 3);
    }
    auto rows = tx.exec("INSERT INTO whatsapp_sessions (" + columns + ") VALUES (" + values + ") RETURNING id",
                        params);
    if (!rows) return unique_error(rows.error());
    const auto id = rows->int64(0, 0);
    if (in.is_default.value.value_or(false)) {
      if (auto done = make_default(tx, tenant_id, id, true); !done) return std::move(done).error();
    }
    return read_sessions(tx, tenant_id, id);
  });
}

Expected<boost::json::value> update_session(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                            const SessionInput& in) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<boost::json::value> {
    pg::Params params{param(id), param(tenant_id)};
    SetClause set(params);
    add_columns(set, in);
    if (set.empty()) set.add_raw("name = name");  // never empty: the UPDATE also proves the id is the tenant's
    auto rows = tx.exec("UPDATE whatsapp_sessions SET " + set.text() + " WHERE id = $1 AND tenant_id = $2 RETURNING id",
                        params);
    if (!rows) return unique_error(rows.error());
    if (rows->size() == 0) return not_found_error("session");
    if (in.is_default.value) {
      if (auto done = make_default(tx, tenant_id, id, *in.is_default.value); !done) return std::move(done).error();
    }
    return read_sessions(tx, tenant_id, id);
  });
}

Expected<boost::json::value> delete_session(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec("DELETE FROM whatsapp_sessions WHERE id = $1 AND tenant_id = $2", {param(id), param(tenant_id)});
  if (!rows) {
    if (rows.error().code == "23503") {
      return make_error(ErrorKind::conflict, "Messages were sent through this session; pause it instead.");
    }
    return std::move(rows).error();
  }
  if (rows->affected() == 0) return not_found_error("session");
  return boost::json::value(nullptr);
}

}  // namespace disparo::admin
