// PostgreSQL access over libpq: a connection, its results, parameters. Blocking calls.
//
// Every PGconn and PGresult lives in a unique_ptr with a deleter; libpq-fe.h stays out of this
// header. SQL is always parameterized (PQexecParams, text format). These calls block: the
// event-loop processes run them on a small worker pool (see Pool) and never on a loop thread.
// A Connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/expected.hpp"

struct pg_conn;
struct pg_result;

namespace disparo::pg {

// Text-format parameters; std::nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

struct ResultDeleter { void operator()(pg_result* r) const noexcept; };
struct ConnDeleter { void operator()(pg_conn* c) const noexcept; };
using ResultHandle = std::unique_ptr<pg_result, ResultDeleter>;
using ConnHandle = std::unique_ptr<pg_conn, ConnDeleter>;

// The rows of one statement. Column access by index or name; values in text format.
class Rows {
 public:
  explicit Rows(ResultHandle result);
  int size() const;                        // number of rows
  int columns() const;
  int column(std::string_view name) const; // -1 when absent
  bool is_null(int row, int col) const;
  std::string_view text(int row, int col) const;  // "" for NULL
  std::int64_t int64(int row, int col) const;     // 0 for NULL
  bool boolean(int row, int col) const;           // "t" -> true
  std::int64_t affected() const;                  // PQcmdTuples, for UPDATE/DELETE/INSERT
  std::string_view command() const;               // PQcmdStatus: "COMMIT", "INSERT 0 1", ...
  // Index errors (row/column out of range) and int64() on text that is not an integer are
  // programming errors: they throw std::out_of_range / std::invalid_argument.

 private:
  ResultHandle result_;
};

class Connection {
 public:
  // Opens a connection (blocking). Error kind `unavailable` when the server cannot be reached.
  static Expected<Connection> open(const std::string& conninfo);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // One statement with parameters $1..$n. SQL errors map SQLSTATE into ErrorKind
  // (23505, 40001, 40P01 -> conflict; 08xxx, 57P0x, 53xxx -> unavailable; 57014, 55P03 -> timeout;
  // other 22xxx/23xxx -> invalid_argument; 28xxx -> unauthorized; 42501 -> forbidden; anything
  // else, e.g. 42601 syntax error -> internal), keep the SQLSTATE in Error::code and the server's
  // primary message in Error::message. A lost connection is `unavailable` (code may be empty).
  Expected<Rows> exec(std::string_view sql, const Params& params = {});
  // The same for a statement this connection runs again and again (the accept, claim and record
  // statements): it is prepared once per connection, server-side, so later calls skip parsing and
  // planning. A prepared statement outlives a rolled-back transaction; one the server no longer
  // knows (DISCARD ALL by someone else) is prepared again, once.
  Expected<Rows> exec_prepared(std::string_view sql, const Params& params = {});
  // Several statements without parameters (migrations, BEGIN/COMMIT).
  Expected<void> exec_script(std::string_view sql);
  // COPY ... FROM STDIN with `data` in the COPY text format, all in one call.
  Expected<std::int64_t> copy_in(std::string_view copy_sql, std::string_view data);

  bool is_open() const;   // false once the server connection is broken
  // Open and not inside a transaction block (what a pool wants back from a borrower).
  bool is_idle() const;
  // Reads whatever the server already sent, without blocking, so that a connection the server
  // closed while it sat idle (restart, pg_terminate_backend) is noticed before it is used.
  // Returns is_open() afterwards. Notifications read here stay queued for drain_notifications.
  bool check_alive();
  int socket() const;     // PQsocket, for waiting on notifications

  // LISTEN/NOTIFY: reads pending input without blocking and returns the channels notified.
  std::vector<std::string> drain_notifications();

 private:
  explicit Connection(ConnHandle handle) : handle_(std::move(handle)) {}
  Expected<std::string> prepared_name(const std::string& sql, int param_count);

  ConnHandle handle_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> server-side name
  std::uint64_t prepared_count_ = 0;                         // names are never reused
};

// Runs `body(conn)` inside BEGIN/COMMIT; rolls back when it returns an error.
// If the body swallowed a failed statement and still returned success, the server turns the
// COMMIT into a ROLLBACK without an error; that case is reported as an error (SQLSTATE 25P02),
// never as success.
template <class F>
auto in_transaction(Connection& conn, F&& body) -> decltype(body(conn)) {
  if (auto begun = conn.exec_script("BEGIN"); !begun) return begun.error();
  auto result = body(conn);
  if (!result) {
    (void)conn.exec_script("ROLLBACK");
    return result;
  }
  auto committed = conn.exec("COMMIT");
  if (!committed) return committed.error();
  if (committed->command() != "COMMIT") {
    return make_error(ErrorKind::internal,
                      "transaction was rolled back: a statement inside it failed", "25P02");
  }
  return result;
}

}  // namespace disparo::pg
