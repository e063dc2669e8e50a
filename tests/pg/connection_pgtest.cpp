// pg::Connection against a live server: parameters, NULLs, typed getters, SQLSTATE mapping,
// COPY, transactions and LISTEN/NOTIFY. Each test gets its own fresh database.
#include <poll.h>

#include <string>

#include <gtest/gtest.h>

#include "adapters/postgres/pg.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::pg {
namespace {

class ConnectionTest : public ::testing::Test {
 protected:
  test::TestDatabase db_;
  Connection conn_ = db_.connect();

  std::int64_t count(const std::string& table) {
    auto rows = conn_.exec("SELECT count(*) FROM " + table);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? rows->int64(0, 0) : -1;
  }
};

TEST_F(ConnectionTest, ParametersAndNullsRoundTrip) {
  const std::string hostile = "o'brien\"; DROP TABLE x; -- ção";
  auto rows = conn_.exec("SELECT $1::text AS a, $2::text IS NULL AS b_null, $3::int + 1 AS c, $4::text AS d",
                         {hostile, std::nullopt, "41", std::string()});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1);
  ASSERT_EQ(rows->columns(), 4);
  EXPECT_EQ(rows->text(0, 0), hostile);
  EXPECT_TRUE(rows->boolean(0, 1));
  EXPECT_EQ(rows->int64(0, 2), 42);
  EXPECT_FALSE(rows->is_null(0, 3));  // empty string is not NULL
  EXPECT_EQ(rows->text(0, 3), "");

  auto null_row = conn_.exec("SELECT $1::bigint AS n", {std::nullopt});
  ASSERT_TRUE(null_row) << null_row.error().message;
  EXPECT_TRUE(null_row->is_null(0, 0));
  EXPECT_EQ(null_row->int64(0, 0), 0);
  EXPECT_EQ(null_row->text(0, 0), "");
}

TEST_F(ConnectionTest, TypedGettersAndColumnsByName) {
  auto rows = conn_.exec(
      "SELECT 9007199254740993::bigint AS big, -5::int AS neg, true AS yes, false AS no, "
      "'x'::text AS \"MixedCase\"");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->int64(0, rows->column("big")), 9007199254740993LL);
  EXPECT_EQ(rows->int64(0, rows->column("neg")), -5);
  EXPECT_TRUE(rows->boolean(0, rows->column("yes")));
  EXPECT_FALSE(rows->boolean(0, rows->column("no")));
  EXPECT_EQ(rows->column("MixedCase"), 4);
  EXPECT_EQ(rows->column("mixedcase"), -1);
  EXPECT_EQ(rows->column("absent"), -1);
  // Misuse is a bug and says so loudly.
  EXPECT_THROW((void)rows->text(1, 0), std::out_of_range);
  EXPECT_THROW((void)rows->text(0, 5), std::out_of_range);
  EXPECT_THROW((void)rows->int64(0, 4), std::invalid_argument);
}

TEST_F(ConnectionTest, AffectedRowsAndCommandTag) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE t (id int PRIMARY KEY, v text);"
                                "INSERT INTO t SELECT g, 'a' FROM generate_series(1, 7) g;"));
  auto updated = conn_.exec("UPDATE t SET v = $1 WHERE id > $2", {"b", "3"});
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->affected(), 4);
  EXPECT_EQ(updated->command(), "UPDATE 4");
  EXPECT_EQ(updated->size(), 0);
}

TEST_F(ConnectionTest, UniqueViolationIsConflictWithSqlstate) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE u (k text PRIMARY KEY)"));
  ASSERT_TRUE(conn_.exec("INSERT INTO u VALUES ($1)", {"a"}));
  auto again = conn_.exec("INSERT INTO u VALUES ($1)", {"a"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(again.error().code, "23505");
  EXPECT_NE(again.error().message.find("duplicate key value"), std::string::npos)
      << again.error().message;
  EXPECT_EQ(again.error().message.find('\n'), std::string::npos);  // the primary message only
  EXPECT_TRUE(conn_.exec("SELECT 1"));  // still usable
}

TEST_F(ConnectionTest, SyntaxErrorIsInternalWithSqlstate) {
  auto bad = conn_.exec("SELEC 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::internal);
  EXPECT_EQ(bad.error().code, "42601");
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;

  auto script = conn_.exec_script("SELECT 1; SELEC 2");
  ASSERT_FALSE(script);
  EXPECT_EQ(script.error().code, "42601");
}

TEST_F(ConnectionTest, DataAndConstraintErrorsAreInvalidArgument) {
  auto not_int = conn_.exec("SELECT $1::int", {"twelve"});
  ASSERT_FALSE(not_int);
  EXPECT_EQ(not_int.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(not_int.error().code, "22P02");

  ASSERT_TRUE(conn_.exec_script("CREATE TABLE n (v text NOT NULL)"));
  auto null_value = conn_.exec("INSERT INTO n VALUES ($1)", {std::nullopt});
  ASSERT_FALSE(null_value);
  EXPECT_EQ(null_value.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(null_value.error().code, "23502");
}

TEST_F(ConnectionTest, StatementTimeoutIsTimeout) {
  ASSERT_TRUE(conn_.exec_script("SET statement_timeout = '50ms'"));
  auto slow = conn_.exec("SELECT pg_sleep(5)");
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::timeout);
  EXPECT_EQ(slow.error().code, "57014");
}

TEST(ConnectionOpen, RefusedIsUnavailableAndHidesPassword) {
  // Port 1 on loopback: nothing listens there, so the kernel refuses at once.
  auto conn = Connection::open("postgresql://disparo:hunter2secret@127.0.0.1:1/postgres");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind, ErrorKind::unavailable);
  EXPECT_NE(conn.error().message.find("refused"), std::string::npos) << conn.error().message;
  EXPECT_EQ(conn.error().message.find("hunter2secret"), std::string::npos);
}

TEST(ConnectionOpen, MalformedConninfoIsUnavailable) {
  auto conn = Connection::open("postgresql://[::1");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind, ErrorKind::unavailable);
}

TEST_F(ConnectionTest, SetsApplicationNameUnlessGiven) {
  auto name = conn_.exec("SELECT current_setting('application_name')");
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(name->text(0, 0), "disparo");

  auto named = Connection::open(db_.url() + (db_.url().find('?') == std::string::npos ? "?" : "&") +
                                "application_name=custom");
  ASSERT_TRUE(named) << named.error().message;
  auto custom = named->exec("SELECT current_setting('application_name')");
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->text(0, 0), "custom");
}

TEST_F(ConnectionTest, TerminatedBackendIsUnavailable) {
  auto pid = conn_.exec("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid);
  Connection killer = db_.connect();
  auto killed = killer.exec("SELECT pg_terminate_backend($1::int, 5000)", {std::string(pid->text(0, 0))});
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_TRUE(killed->boolean(0, 0));

  auto after = conn_.exec("SELECT 1");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().kind, ErrorKind::unavailable) << after.error().message;
  EXPECT_FALSE(conn_.is_open());
  EXPECT_FALSE(conn_.check_alive());
}

TEST_F(ConnectionTest, CopyInLoadsThousandsOfRows) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE c (id int PRIMARY KEY, name text, note text)"));
  constexpr int kRows = 5000;
  std::string data;
  for (int i = 1; i <= kRows; ++i) {
    // COPY text format: tab-separated, \N is NULL, backslash escapes for tab and newline.
    data += std::to_string(i) + "\tname\\t" + std::to_string(i) + "\t" +
            (i % 10 == 0 ? "\\N" : "line\\nbreak") + "\n";
  }
  auto copied = conn_.copy_in("COPY c (id, name, note) FROM STDIN", data);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(*copied, kRows);

  auto check = conn_.exec(
      "SELECT count(*), sum(id), count(note), "
      "bool_and(name = 'name' || chr(9) || id::text), bool_and(note IS NULL OR note = 'line' || chr(10) || 'break') "
      "FROM c");
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->int64(0, 0), kRows);
  EXPECT_EQ(check->int64(0, 1), std::int64_t{kRows} * (kRows + 1) / 2);
  EXPECT_EQ(check->int64(0, 2), kRows - kRows / 10);
  EXPECT_TRUE(check->boolean(0, 3));
  EXPECT_TRUE(check->boolean(0, 4));
}

TEST_F(ConnectionTest, CopyInBadDataFailsAndLeavesConnectionUsable) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE c (id int)"));
  auto bad = conn_.copy_in("COPY c (id) FROM STDIN", "1\nnot-a-number\n3\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(bad.error().code, "22P02");
  EXPECT_EQ(count("c"), 0);  // COPY is atomic

  auto not_copy = conn_.copy_in("SELECT 1", "");
  ASSERT_FALSE(not_copy);
  EXPECT_EQ(not_copy.error().kind, ErrorKind::invalid_argument);

  // A COPY reached through exec() is refused and ended, not left hanging.
  auto through_exec = conn_.exec("COPY c (id) FROM STDIN");
  ASSERT_FALSE(through_exec);
  EXPECT_TRUE(conn_.exec("SELECT 1"));
}

TEST_F(ConnectionTest, PreparedStatementIsPreparedOnceAndReused) {
  const std::string sql = "SELECT $1::int * 2 AS doubled, $2::text IS NULL AS missing";
  for (int i = 0; i < 8; ++i) {  // past PostgreSQL's five custom plans, onto the generic one
    auto rows = conn_.exec_prepared(sql, {std::to_string(i), std::nullopt});
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(rows->int64(0, 0), 2 * i);
    EXPECT_TRUE(rows->boolean(0, 1));
  }
  auto other = conn_.exec_prepared("SELECT $1::text || '!'", {"ok"});
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_EQ(other->text(0, 0), "ok!");
  // Two statements, each prepared exactly once on this connection's backend.
  auto prepared = conn_.exec("SELECT count(*) FROM pg_prepared_statements");
  ASSERT_TRUE(prepared);
  EXPECT_EQ(prepared->int64(0, 0), 2);
}

TEST_F(ConnectionTest, PreparedStatementSurvivesRollbackAndServerDiscard) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE t (v int PRIMARY KEY)"));
  const std::string insert = "INSERT INTO t VALUES ($1::int) RETURNING v";
  auto rolled_back = in_transaction(conn_, [&](Connection& c) -> Expected<void> {
    if (auto r = c.exec_prepared(insert, {"1"}); !r) return r.error();
    return make_error(ErrorKind::conflict, "undo");
  });
  ASSERT_FALSE(rolled_back);
  // Prepared inside the rolled-back transaction: still known, still works.
  auto again = conn_.exec_prepared(insert, {"1"});
  ASSERT_TRUE(again) << again.error().message;
  // Errors keep their SQLSTATE mapping.
  auto duplicate = conn_.exec_prepared(insert, {"1"});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().kind, ErrorKind::conflict);
  EXPECT_EQ(duplicate.error().code, "23505");
  // The server forgets every prepared statement; the next call prepares it again.
  ASSERT_TRUE(conn_.exec_script("DEALLOCATE ALL"));
  auto after_discard = conn_.exec_prepared(insert, {"2"});
  ASSERT_TRUE(after_discard) << after_discard.error().message;
  EXPECT_EQ(count("t"), 2);
  // A statement that does not parse is an error and is not remembered as prepared.
  auto broken = conn_.exec_prepared("SELEC 1");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, "42601");
  EXPECT_FALSE(conn_.exec_prepared("SELEC 1"));
}

TEST_F(ConnectionTest, InTransactionCommitsWhenBodySucceeds) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE t (v int)"));
  auto result = in_transaction(conn_, [](Connection& c) -> Expected<int> {
    if (auto r = c.exec("INSERT INTO t VALUES (1), (2)"); !r) return r.error();
    return 7;
  });
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result, 7);
  EXPECT_TRUE(conn_.is_idle());
  Connection other = db_.connect();
  auto seen = other.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->int64(0, 0), 2);
}

TEST_F(ConnectionTest, InTransactionRollsBackWhenBodyFails) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE t (v int)"));
  auto result = in_transaction(conn_, [](Connection& c) -> Expected<void> {
    if (auto r = c.exec("INSERT INTO t VALUES (1)"); !r) return r.error();
    return make_error(ErrorKind::conflict, "business rule said no");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "business rule said no");
  EXPECT_TRUE(conn_.is_idle());
  EXPECT_EQ(count("t"), 0);
}

TEST_F(ConnectionTest, InTransactionReportsSwallowedFailure) {
  ASSERT_TRUE(conn_.exec_script("CREATE TABLE t (v int PRIMARY KEY)"));
  auto result = in_transaction(conn_, [](Connection& c) -> Expected<void> {
    if (auto r = c.exec("INSERT INTO t VALUES (1)"); !r) return r.error();
    (void)c.exec("INSERT INTO t VALUES (1)");  // fails; the body wrongly ignores it
    return {};
  });
  ASSERT_FALSE(result);  // the server rolled back; success would be a lie
  EXPECT_EQ(result.error().code, "25P02");
  EXPECT_TRUE(conn_.is_idle());
  EXPECT_EQ(count("t"), 0);
}

TEST_F(ConnectionTest, ListenNotifyDrain) {
  ASSERT_TRUE(conn_.exec_script("LISTEN disparo_wake; LISTEN other_channel"));
  EXPECT_TRUE(conn_.drain_notifications().empty());

  Connection sender = db_.connect();
  ASSERT_TRUE(sender.exec("SELECT pg_notify($1, $2)", {"disparo_wake", "session:7"}));
  ASSERT_TRUE(sender.exec_script("NOTIFY other_channel"));

  std::vector<std::string> seen;
  const bool both = test::eventually([&] {
    pollfd pfd{conn_.socket(), POLLIN, 0};
    ::poll(&pfd, 1, 50);  // wait on the socket as a loop would, bounded by eventually()
    for (auto& channel : conn_.drain_notifications()) seen.push_back(channel);
    return seen.size() >= 2;
  });
  ASSERT_TRUE(both) << "notifications seen: " << seen.size();
  EXPECT_EQ(seen, (std::vector<std::string>{"disparo_wake", "other_channel"}));
  EXPECT_TRUE(conn_.drain_notifications().empty());
}

TEST_F(ConnectionTest, CheckAliveKeepsNotificationsQueued) {
  ASSERT_TRUE(conn_.exec_script("LISTEN disparo_wake"));
  Connection sender = db_.connect();
  ASSERT_TRUE(sender.exec_script("NOTIFY disparo_wake"));
  std::vector<std::string> seen;
  ASSERT_TRUE(test::eventually([&] {
    pollfd pfd{conn_.socket(), POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) return false;
    EXPECT_TRUE(conn_.check_alive());  // reads the notification off the socket...
    seen = conn_.drain_notifications();  // ...and it is still delivered here
    return !seen.empty();
  }));
  EXPECT_EQ(seen, std::vector<std::string>{"disparo_wake"});
}

TEST(ConnectionMoved, MovedFromConnectionFailsCleanly) {
  test::TestDatabase db;
  Connection a = db.connect();
  Connection b = std::move(a);
  EXPECT_TRUE(b.is_open());
  EXPECT_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): that is the point
  auto r = a.exec("SELECT 1");  // NOLINT(bugprone-use-after-move)
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::internal);
  EXPECT_EQ(a.socket(), -1);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace disparo::pg
