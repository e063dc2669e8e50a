// migrate(): one transaction per run under a transaction-level advisory lock. A second process
// that starts at the same time waits on the lock, then sees every version already recorded.
#include "adapters/postgres/migrate.hpp"

#include <algorithm>
#include <set>
#include <string>

namespace disparo::pg {

namespace {

// pg_advisory_xact_lock key shared by every Disparo process: "DSPRMIGR" in ASCII.
constexpr std::int64_t kMigrationLockKey = 0x4453'5052'4D49'4752;

Expected<void> check_order(const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= 0) {
      return make_error(ErrorKind::invalid_argument,
                        "migration versions start at 1: " + migrations[i].name);
    }
    if (i > 0 && migrations[i].version <= migrations[i - 1].version) {
      return make_error(ErrorKind::invalid_argument,
                        "migrations out of order or duplicated at version " +
                            std::to_string(migrations[i].version));
    }
  }
  return {};
}

Expected<std::vector<int>> apply_missing(Connection& conn, const std::vector<Migration>& migrations) {
  // Taken before anything else: concurrent CREATE TABLE IF NOT EXISTS can itself collide.
  if (auto locked = conn.exec("SELECT pg_advisory_xact_lock($1::bigint)",
                              {std::to_string(kMigrationLockKey)});
      !locked) {
    return std::move(locked).error();
  }
  if (auto created = conn.exec_script(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version integer PRIMARY KEY,"
          " name text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
      !created) {
    return std::move(created).error();
  }
  auto recorded = conn.exec("SELECT version FROM schema_migrations");
  if (!recorded) return std::move(recorded).error();
  std::set<std::int64_t> done;
  for (int r = 0; r < recorded->size(); ++r) done.insert(recorded->int64(r, 0));

  std::vector<int> applied;
  for (const Migration& m : migrations) {
    if (done.contains(m.version)) continue;
    if (auto ran = conn.exec_script(m.sql); !ran) {
      Error error = std::move(ran).error();
      error.message = "migration " + std::to_string(m.version) + "_" + m.name + ": " + error.message;
      return error;
    }
    if (auto noted = conn.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                               {std::to_string(m.version), m.name});
        !noted) {
      return std::move(noted).error();
    }
    applied.push_back(m.version);
  }
  return applied;
}

}  // namespace

Expected<std::vector<int>> migrate(Connection& conn, const std::vector<Migration>& migrations) {
  if (auto ordered = check_order(migrations); !ordered) return std::move(ordered).error();
  // All or nothing: a failing migration rolls back the ones this run applied before it, so the
  // recorded versions always match the schema. Migrations therefore must be transactional
  // (no CREATE INDEX CONCURRENTLY).
  return in_transaction(conn, [&](Connection& c) { return apply_missing(c, migrations); });
}

}  // namespace disparo::pg
