#include "tests/callbacks/callback_fixture.hpp"

#include <stdexcept>

namespace disparo::dispatch::test {

CallbackDbTest::CallbackDbTest()
    : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()) {}

pg::Rows CallbackDbTest::sql(const std::string& statement, const pg::Params& params) {
  auto rows = conn_.exec(statement, params);
  if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + "\n" + statement);
  return std::move(*rows);
}

std::int64_t CallbackDbTest::sql_int(const std::string& statement, const pg::Params& params) {
  auto rows = sql(statement, params);
  if (rows.size() != 1) throw std::runtime_error("expected one row from: " + statement);
  return rows.int64(0, 0);
}

std::string CallbackDbTest::sql_text(const std::string& statement, const pg::Params& params) {
  auto rows = sql(statement, params);
  if (rows.size() != 1) throw std::runtime_error("expected one row from: " + statement);
  return std::string(rows.text(0, 0));
}

std::int64_t CallbackDbTest::add_tenant(const std::string& slug,
                                        std::optional<std::string> callback_url,
                                        const std::string& secret) {
  return sql_int(
      "INSERT INTO tenants (slug, name, callback_url, callback_secret) VALUES ($1, $1, $2, $3) "
      "RETURNING id",
      {slug, std::move(callback_url), secret});
}

std::int64_t CallbackDbTest::add_session(std::int64_t tenant) {
  return sql_int(
      "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, access_token) "
      "VALUES ($1, 'main', 'sandbox', 'http://127.0.0.1:1/v24.0', 'token') RETURNING id",
      {std::to_string(tenant)});
}

std::int64_t CallbackDbTest::add_message(std::int64_t tenant, std::int64_t session,
                                         std::optional<std::string> callback_url) {
  return sql_int(
      "INSERT INTO messages (tenant_id, session_id, recipient, kind, content, status, metadata, "
      "callback_url, expires_at) VALUES ($1, $2, '+5511987654321', 'text', '{\"body\":\"oi\"}', "
      "'queued', '{\"invoice\":\"INV-7\"}', $3, now() + interval '1 day') RETURNING id",
      {std::to_string(tenant), std::to_string(session), std::move(callback_url)});
}

void CallbackDbTest::set_status(std::int64_t message, const std::string& status) {
  sql("UPDATE messages SET status = $2, updated_at = now() WHERE id = $1",
      {std::to_string(message), status});
}

std::int64_t CallbackDbTest::deliveries_of(std::int64_t message) {
  return sql_int("SELECT count(*) FROM callback_deliveries WHERE message_id = $1",
                 {std::to_string(message)});
}

std::int64_t CallbackDbTest::attempts_of(std::int64_t delivery) {
  return sql_int("SELECT count(*) FROM callback_attempts WHERE delivery_id = $1",
                 {std::to_string(delivery)});
}

std::string CallbackDbTest::state_of(std::int64_t delivery) {
  return sql_text("SELECT state FROM callback_deliveries WHERE id = $1",
                  {std::to_string(delivery)});
}

void CallbackDbTest::make_all_due() {
  sql("UPDATE callback_deliveries SET next_attempt_at = now() - interval '1 second' "
      "WHERE state = 'pending'");
}

}  // namespace disparo::dispatch::test
