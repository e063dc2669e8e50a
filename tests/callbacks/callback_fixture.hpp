// CallbackDbTest: a gtest fixture for the status-callback outbox. Each test gets a fresh migrated
// database (dropped afterwards) and a connection, plus helpers that insert a tenant, a session
// and messages by SQL and move a message's status (which fires the enqueue trigger). Fails
// (never skips) when DISPARO_TEST_PG_URL is missing. Use from the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::dispatch::test {

// The Standard Webhooks example secret; its vectors are in standard_webhooks_test.cpp.
inline constexpr const char* kTestSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class CallbackDbTest : public ::testing::Test {
 protected:
  CallbackDbTest();

  // Runs one statement and throws (failing the test) when it errors.
  pg::Rows sql(const std::string& statement, const pg::Params& params = {});
  std::int64_t sql_int(const std::string& statement, const pg::Params& params = {});
  std::string sql_text(const std::string& statement, const pg::Params& params = {});

  std::int64_t add_tenant(const std::string& slug, std::optional<std::string> callback_url,
                          const std::string& secret = kTestSecret);
  std::int64_t add_session(std::int64_t tenant);
  // A queued text message (status "queued"); no trigger fires on insert.
  std::int64_t add_message(std::int64_t tenant, std::int64_t session,
                           std::optional<std::string> callback_url = std::nullopt);
  void set_status(std::int64_t message, const std::string& status);

  std::int64_t deliveries_of(std::int64_t message);
  std::int64_t attempts_of(std::int64_t delivery);  // rows in callback_attempts
  std::string state_of(std::int64_t delivery);
  // Makes every pending delivery due now (as if its lease or backoff had run out).
  void make_all_due();

  disparo::test::TestDatabase db_;
  pg::Connection conn_;
};

}  // namespace disparo::dispatch::test
