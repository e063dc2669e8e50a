// StoreTest: a gtest fixture for the dispatcher's PostgreSQL statements. Each test gets a fresh
// migrated database (dropped afterwards) and a connection, plus helpers that insert tenants,
// sessions, servers and clients by SQL and build send requests. Fails (never skips) when
// DISPARO_TEST_PG_URL is missing. Use from the test's thread; open more connections with
// db_.connect() for other threads.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "dispatcher/message_store.hpp"
#include "dispatcher/send_request.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::dispatch::test {

// A whatsapp_sessions row to insert: SessionSpec("main").as_default().phone("PN-1").
struct SessionSpec {
  explicit SessionSpec(std::string session_name) : name(std::move(session_name)) {}
  SessionSpec& as_default() { is_default = true; return *this; }
  SessionSpec& paused() { state = "paused"; return *this; }
  SessionSpec& phone(std::string id) { phone_number_id = std::move(id); return *this; }
  SessionSpec& pace(int interval_ms, int jitter) { min_interval_ms = interval_ms; jitter_ms = jitter; return *this; }

  std::string name;
  bool is_default = false;
  std::string state = "active";
  std::optional<std::string> phone_number_id;
  int min_interval_ms = 1000;
  int jitter_ms = 0;
};

class StoreTest : public ::testing::Test {
 protected:
  StoreTest();

  // Runs one statement and fails the test (throws) when it errors.
  pg::Rows sql(const std::string& statement, const pg::Params& params = {});
  pg::Rows sql(pg::Connection& conn, const std::string& statement, const pg::Params& params = {});
  std::int64_t sql_int(const std::string& statement, const pg::Params& params = {});
  std::string sql_text(const std::string& statement, const pg::Params& params = {});

  std::int64_t add_tenant(const std::string& slug);
  std::int64_t add_session(std::int64_t tenant, const SessionSpec& spec);
  std::int64_t add_server(std::int64_t tenant, const std::string& name, std::optional<std::int64_t> session);
  std::int64_t add_client(std::int64_t tenant, const std::string& name);

  // A text message to `to` (E.164) due now, valid for a day.
  static SendRequest text_request(const std::string& to, const std::string& body, const std::string& key = "");

  // insert_messages on `conn_` with every request routed to `session`; fails the test on error.
  std::vector<AcceptedMessage> insert(std::int64_t tenant, const std::vector<SendRequest>& requests,
                                      std::int64_t session);
  std::int64_t insert_one(std::int64_t tenant, std::int64_t session, const SendRequest& request);

  std::string status_of(std::int64_t message);
  // The statuses of the message's events, in the order they were recorded.
  std::vector<std::string> events_of(std::int64_t message);

  disparo::test::TestDatabase db_;
  pg::Connection conn_;
};

}  // namespace disparo::dispatch::test
