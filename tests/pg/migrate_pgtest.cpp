// Migrations: the embedded list, applying once, atomicity and concurrent runs.
#include <algorithm>
#include <fstream>
#include <latch>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/postgres/migrate.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::pg {
namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string padded(int version) {
  std::string digits = std::to_string(version);
  return std::string(4 - std::min<std::size_t>(4, digits.size()), '0') + digits;
}

// version -> how many times schema_migrations records it, as "1:1,2:1".
std::string recorded(Connection& conn) {
  auto rows = conn.exec(
      "SELECT coalesce(string_agg(version || ':' || n, ',' ORDER BY version), '') "
      "FROM (SELECT version, count(*) AS n FROM schema_migrations GROUP BY version) v");
  EXPECT_TRUE(rows) << rows.error().message;
  return rows ? std::string(rows->text(0, 0)) : "?";
}

bool table_exists(Connection& conn, const std::string& name) {
  auto rows = conn.exec("SELECT to_regclass($1) IS NOT NULL", {name});
  EXPECT_TRUE(rows) << rows.error().message;
  return rows && rows->boolean(0, 0);
}

// Non-idempotent on purpose: applying any of these twice fails (CREATE TABLE without IF NOT
// EXISTS) or shows (the counter row).
std::vector<Migration> sample_migrations() {
  return {
      {1, "counter", "CREATE TABLE applied_count (n int NOT NULL); INSERT INTO applied_count VALUES (1);"},
      {2, "widen_the_race", "SELECT pg_sleep(0.2); CREATE TABLE second (id int);"},
      {5, "bump", "UPDATE applied_count SET n = n + 1; CREATE TABLE fifth (id int);"},
  };
}

TEST(EmbeddedMigrations, NonEmptyInOrderAndIdenticalToFiles) {
  const auto& migrations = embedded_migrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, 1);
  EXPECT_EQ(migrations.front().name, "foundation");
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (i > 0) {
      EXPECT_GT(m.version, migrations[i - 1].version);
    }
    EXPECT_FALSE(m.sql.empty());
    // Byte for byte what the source tree holds (the hex embedding must be lossless).
    const std::string path =
        std::string(DISPARO_MIGRATIONS_DIR) + "/" + padded(m.version) + "_" + m.name + ".sql";
    EXPECT_EQ(m.sql, file_text(path)) << path;
  }
  EXPECT_NE(migrations.front().sql.find("CREATE TABLE messages"), std::string::npos);
}

TEST(Migrate, FoundationCreatesTablesOnceAndSecondRunIsNoop) {
  test::TestDatabase db;
  Connection conn = db.connect();
  auto first = migrate(conn, embedded_migrations());
  ASSERT_TRUE(first) << first.error().message;
  std::vector<int> all;
  for (const auto& m : embedded_migrations()) all.push_back(m.version);
  EXPECT_EQ(*first, all);
  for (const char* table : {"tenants", "api_keys", "whatsapp_sessions", "servers", "clients",
                            "messages", "message_events"}) {
    EXPECT_TRUE(table_exists(conn, table)) << table;
  }
  auto names = conn.exec("SELECT name, applied_at IS NOT NULL FROM schema_migrations WHERE version = 1");
  ASSERT_TRUE(names);
  ASSERT_EQ(names->size(), 1);
  EXPECT_EQ(names->text(0, 0), "foundation");
  EXPECT_TRUE(names->boolean(0, 1));

  auto second = migrate(conn, embedded_migrations());
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->empty());
  EXPECT_TRUE(conn.is_idle());
}

TEST(Migrate, TestDatabaseMigratedHasTheSchema) {
  auto db = test::TestDatabase::migrated();
  Connection conn = db.connect();
  EXPECT_TRUE(table_exists(conn, "messages"));
  EXPECT_EQ(recorded(conn).substr(0, 3), "1:1");
}

TEST(Migrate, AppliesOnlyNewMigrationsNeverReapplies) {
  test::TestDatabase db;
  Connection conn = db.connect();
  auto list = sample_migrations();
  std::vector<Migration> first_two(list.begin(), list.begin() + 2);
  auto first = migrate(conn, first_two);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, (std::vector<int>{1, 2}));

  auto rest = migrate(conn, list);
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_EQ(*rest, (std::vector<int>{5}));
  auto again = migrate(conn, list);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->empty());

  auto n = conn.exec("SELECT n FROM applied_count");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->int64(0, 0), 2);  // migration 1 inserted once, migration 5 bumped once
  EXPECT_EQ(recorded(conn), "1:1,2:1,5:1");
}

TEST(Migrate, FailingMigrationRollsBackTheWholeRun) {
  test::TestDatabase db;
  Connection conn = db.connect();
  std::vector<Migration> list = {
      {1, "fine", "CREATE TABLE fine (id int);"},
      {2, "broken", "CREATE TABLE broken (id int; -- missing parenthesis"},
  };
  auto result = migrate(conn, list);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "42601");
  EXPECT_NE(result.error().message.find("2_broken"), std::string::npos) << result.error().message;
  EXPECT_TRUE(conn.is_idle());
  EXPECT_FALSE(table_exists(conn, "fine"));
  EXPECT_FALSE(table_exists(conn, "schema_migrations"));

  list[1].sql = "CREATE TABLE broken (id int);";
  auto fixed = migrate(conn, list);
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(*fixed, (std::vector<int>{1, 2}));
}

TEST(Migrate, RejectsUnorderedOrDuplicateVersions) {
  test::TestDatabase db;
  Connection conn = db.connect();
  for (const auto& list : {std::vector<Migration>{{2, "b", "SELECT 1"}, {1, "a", "SELECT 1"}},
                           std::vector<Migration>{{1, "a", "SELECT 1"}, {1, "again", "SELECT 1"}},
                           std::vector<Migration>{{0, "zero", "SELECT 1"}}}) {
    auto result = migrate(conn, list);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::invalid_argument);
  }
  EXPECT_FALSE(table_exists(conn, "schema_migrations"));
}

TEST(Migrate, ConcurrentRunsApplyEachVersionOnce) {
  // Several rounds, each on a fresh database, so that both orders of arrival get exercised.
  for (int round = 0; round < 3; ++round) {
    test::TestDatabase db;
    Connection a = db.connect();
    Connection b = db.connect();
    const auto list = sample_migrations();
    std::latch start(2);
    Expected<std::vector<int>> result_a = make_error(ErrorKind::internal, "not run");
    Expected<std::vector<int>> result_b = make_error(ErrorKind::internal, "not run");
    {
      std::jthread ta([&] {
        start.arrive_and_wait();
        result_a = migrate(a, list);
      });
      std::jthread tb([&] {
        start.arrive_and_wait();
        result_b = migrate(b, list);
      });
    }
    ASSERT_TRUE(result_a) << result_a.error().message;
    ASSERT_TRUE(result_b) << result_b.error().message;
    std::vector<int> together = *result_a;
    together.insert(together.end(), result_b->begin(), result_b->end());
    std::sort(together.begin(), together.end());
    EXPECT_EQ(together, (std::vector<int>{1, 2, 5})) << "round " << round;
    EXPECT_EQ(recorded(a), "1:1,2:1,5:1");
    auto n = a.exec("SELECT n FROM applied_count");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->int64(0, 0), 2);
  }
}

TEST(Migrate, ConcurrentEmbeddedMigrationsOnFreshDatabase) {
  test::TestDatabase db;
  std::vector<Expected<std::vector<int>>> results(2, make_error(ErrorKind::internal, "not run"));
  std::vector<Connection> conns;
  for (int t = 0; t < 2; ++t) conns.push_back(db.connect());  // may throw: not inside a thread
  std::latch start(2);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = migrate(conns[t], embedded_migrations());
      });
    }
  }
  std::size_t applied = 0;
  for (auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    applied += r->size();
  }
  EXPECT_EQ(applied, embedded_migrations().size());
  Connection conn = db.connect();
  auto dupes = conn.exec("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
  ASSERT_TRUE(dupes);
  EXPECT_EQ(dupes->int64(0, 0), static_cast<std::int64_t>(embedded_migrations().size()));
  EXPECT_EQ(dupes->int64(0, 1), dupes->int64(0, 0));
}

}  // namespace
}  // namespace disparo::pg
