#include "tests/dispatcher/store_fixture.hpp"

#include <stdexcept>

#include "common/clock.hpp"

namespace disparo::dispatch::test {

using namespace std::chrono_literals;

StoreTest::StoreTest() : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()) {}

pg::Rows StoreTest::sql(pg::Connection& conn, const std::string& statement, const pg::Params& params) {
  auto rows = conn.exec(statement, params);
  if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + "\n" + statement);
  return std::move(*rows);
}

pg::Rows StoreTest::sql(const std::string& statement, const pg::Params& params) {
  return sql(conn_, statement, params);
}

std::int64_t StoreTest::sql_int(const std::string& statement, const pg::Params& params) {
  auto rows = sql(statement, params);
  if (rows.size() != 1) throw std::runtime_error("expected one row from: " + statement);
  return rows.int64(0, 0);
}

std::string StoreTest::sql_text(const std::string& statement, const pg::Params& params) {
  auto rows = sql(statement, params);
  if (rows.size() != 1) throw std::runtime_error("expected one row from: " + statement);
  return std::string(rows.text(0, 0));
}

std::int64_t StoreTest::add_tenant(const std::string& slug) {
  return sql_int("INSERT INTO tenants (slug, name, callback_secret) VALUES ($1, $1, 'secret') RETURNING id",
                 {slug});
}

std::int64_t StoreTest::add_session(std::int64_t tenant, const SessionSpec& spec) {
  return sql_int(
      "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, phone_number_id, access_token, "
      "min_interval_ms, jitter_ms, state, is_default) "
      "VALUES ($1, $2, 'cloud_api', 'http://127.0.0.1:1/v24.0', $3, 'token-' || $2, $4, $5, $6, $7) RETURNING id",
      {std::to_string(tenant), spec.name, spec.phone_number_id, std::to_string(spec.min_interval_ms),
       std::to_string(spec.jitter_ms), spec.state, spec.is_default ? "true" : "false"});
}

std::int64_t StoreTest::add_server(std::int64_t tenant, const std::string& name, std::optional<std::int64_t> session) {
  return sql_int("INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, $2, $3) RETURNING id",
                 {std::to_string(tenant), name,
                  session ? pg::Param(std::to_string(*session)) : pg::Param(std::nullopt)});
}

std::int64_t StoreTest::add_client(std::int64_t tenant, const std::string& name) {
  return sql_int("INSERT INTO clients (tenant_id, name, phone) VALUES ($1, $2, '+5511987654321') RETURNING id",
                 {std::to_string(tenant), name});
}

SendRequest StoreTest::text_request(const std::string& to, const std::string& body, const std::string& key) {
  SendRequest request;
  request.to = to;
  request.content = TextContent{body, false};
  request.idempotency_key = key;
  request.send_at = SystemClock().now();
  request.expires_at = request.send_at + 24h;
  return request;
}

std::vector<AcceptedMessage> StoreTest::insert(std::int64_t tenant, const std::vector<SendRequest>& requests,
                                               std::int64_t session) {
  const std::vector<std::int64_t> sessions(requests.size(), session);
  auto accepted = insert_messages(conn_, tenant, requests, sessions);
  if (!accepted) throw std::runtime_error("insert_messages failed: " + accepted.error().message);
  return std::move(*accepted);
}

std::int64_t StoreTest::insert_one(std::int64_t tenant, std::int64_t session, const SendRequest& request) {
  return insert(tenant, {request}, session).at(0).id;
}

std::string StoreTest::status_of(std::int64_t message) {
  return sql_text("SELECT status FROM messages WHERE id = $1", {std::to_string(message)});
}

std::vector<std::string> StoreTest::events_of(std::int64_t message) {
  auto rows = sql("SELECT status FROM message_events WHERE message_id = $1 ORDER BY id", {std::to_string(message)});
  std::vector<std::string> out;
  for (int r = 0; r < rows.size(); ++r) out.emplace_back(rows.text(r, 0));
  return out;
}

}  // namespace disparo::dispatch::test
