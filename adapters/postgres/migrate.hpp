// Schema migrations: ordered SQL files compiled into the binary, applied once each.
//
// Applied migrations are recorded in `schema_migrations(version, name, applied_at)`. The whole
// run holds a transaction-level advisory lock, so two processes starting together apply each
// migration exactly once. Blocking; call from main or a worker thread.
#pragma once

#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::pg {

struct Migration {
  int version;        // from the file name "0001_foundation.sql" -> 1
  std::string name;   // "foundation"
  std::string sql;
};

// The migrations embedded at build time from adapters/postgres/migrations/, in version order.
const std::vector<Migration>& embedded_migrations();

// Applies every migration not yet recorded; returns the versions applied by this call.
Expected<std::vector<int>> migrate(Connection& conn, const std::vector<Migration>& migrations);

}  // namespace disparo::pg
