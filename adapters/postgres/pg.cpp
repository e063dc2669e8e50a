// libpq behind pg.hpp: connection set-up, parameterized statements, COPY, notifications and the
// mapping of SQLSTATE classes onto our ErrorKind.
#include "adapters/postgres/pg.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>
#include <utility>

namespace disparo::pg {

void ResultDeleter::operator()(pg_result* r) const noexcept { PQclear(r); }
void ConnDeleter::operator()(pg_conn* c) const noexcept { PQfinish(c); }

namespace {

// libpq messages end with a newline (and sometimes carry a second, indented hint line that
// repeats the host); logs want one trimmed line.
std::string trimmed(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

ErrorKind kind_for_sqlstate(std::string_view state) {
  if (state.size() != 5) return ErrorKind::internal;
  const std::string_view cls = state.substr(0, 2);
  if (state == "23505" || state == "40001" || state == "40P01") return ErrorKind::conflict;
  if (state == "57014" || state == "55P03") return ErrorKind::timeout;
  if (state == "42501") return ErrorKind::forbidden;
  if (cls == "08" || cls == "53" || state.substr(0, 4) == "57P0") return ErrorKind::unavailable;
  if (cls == "22" || cls == "23") return ErrorKind::invalid_argument;
  if (cls == "28") return ErrorKind::unauthorized;
  return ErrorKind::internal;
}

// The error carried by a failed result, or by the connection when libpq gave no result at all.
Error error_from(PGconn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? std::string(primary)
                                : trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  if (state) return make_error(kind_for_sqlstate(state), std::move(message), state);
  // No SQLSTATE: libpq produced the error itself. When the link is gone, that is unavailability.
  if (PQstatus(conn) == CONNECTION_BAD) {
    return make_error(ErrorKind::unavailable, std::move(message));
  }
  return make_error(ErrorKind::internal, std::move(message));
}

// Consumes the rest of a statement's results so the connection is ready for the next one.
void drain_results(PGconn* conn) {
  while (ResultHandle rest{PQgetResult(conn)}) {
    if (PQresultStatus(rest.get()) == PGRES_COPY_IN) {
      PQputCopyEnd(conn, "COPY is only supported through copy_in");
    } else if (PQresultStatus(rest.get()) == PGRES_COPY_OUT) {
      char* buffer = nullptr;
      while (PQgetCopyData(conn, &buffer, 0) > 0) PQfreemem(buffer);
    }
  }
}

// Turns a statement's result into Rows or an Error. COPY states reached through exec() or
// exec_script() are a misuse; they are ended so that the connection stays usable.
Expected<Rows> to_rows(PGconn* conn, ResultHandle res) {
  if (!res) return error_from(conn, nullptr);
  switch (PQresultStatus(res.get())) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
      return Rows(std::move(res));
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
      res.reset();
      drain_results(conn);
      return make_error(ErrorKind::invalid_argument, "COPY is only supported through copy_in");
    default:
      return error_from(conn, res.get());
  }
}

void check_cell(const PGresult* res, int row, int col) {
  if (row < 0 || row >= PQntuples(res) || col < 0 || col >= PQnfields(res)) {
    throw std::out_of_range("pg::Rows: row " + std::to_string(row) + ", column " +
                            std::to_string(col) + " out of range");
  }
}

}  // namespace

// ---- Rows ------------------------------------------------------------------------------------

Rows::Rows(ResultHandle result) : result_(std::move(result)) {}

int Rows::size() const { return PQntuples(result_.get()); }
int Rows::columns() const { return PQnfields(result_.get()); }

int Rows::column(std::string_view name) const {
  // PQfnumber would fold case and parse quotes; an exact match is what callers mean.
  for (int c = 0; c < columns(); ++c) {
    if (name == PQfname(result_.get(), c)) return c;
  }
  return -1;
}

bool Rows::is_null(int row, int col) const {
  check_cell(result_.get(), row, col);
  return PQgetisnull(result_.get(), row, col) == 1;
}

std::string_view Rows::text(int row, int col) const {
  check_cell(result_.get(), row, col);
  return {PQgetvalue(result_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
}

std::int64_t Rows::int64(int row, int col) const {
  if (is_null(row, col)) return 0;
  const std::string_view value = text(row, col);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    throw std::invalid_argument("pg::Rows::int64: not an integer: " + std::string(value));
  }
  return out;
}

bool Rows::boolean(int row, int col) const { return text(row, col) == "t"; }

std::int64_t Rows::affected() const {
  const std::string_view tuples = PQcmdTuples(result_.get());
  std::int64_t out = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), out);
  return out;
}

std::string_view Rows::command() const { return PQcmdStatus(result_.get()); }

// ---- Connection ------------------------------------------------------------------------------

Expected<Connection> Connection::open(const std::string& conninfo) {
  // Keywords before "dbname" are defaults: the expanded conninfo (URL or key=value) that
  // follows overrides them (libpq processes the arrays in order, last value wins).
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "disparo", conninfo.c_str(), nullptr};
  ConnHandle handle{PQconnectdbParams(keywords, values, /*expand_dbname=*/1)};
  if (!handle) return make_error(ErrorKind::unavailable, "libpq could not allocate a connection");
  if (PQstatus(handle.get()) != CONNECTION_OK) {
    // libpq's message names host and port but never the password; the conninfo is not echoed.
    return make_error(ErrorKind::unavailable,
                      "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(handle.get())));
  }
  // libpq's default prints NOTICE/WARNING text to stderr, which would break our JSON-lines logs
  // ("relation already exists, skipping" from every migration run). Errors still come back as
  // values; notices carry nothing we act on.
  PQsetNoticeProcessor(handle.get(), [](void*, const char*) {}, nullptr);
  return Connection(std::move(handle));
}

Expected<Rows> Connection::exec(std::string_view sql, const Params& params) {
  if (!handle_) return make_error(ErrorKind::internal, "pg::Connection used after move");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  const std::string statement(sql);  // libpq wants a NUL-terminated string
  ResultHandle res{PQexecParams(handle_.get(), statement.c_str(), static_cast<int>(values.size()),
                                /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                                /*paramFormats=*/nullptr, /*resultFormat=text*/ 0)};
  return to_rows(handle_.get(), std::move(res));
}

Expected<std::string> Connection::prepared_name(const std::string& sql, int param_count) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
  std::string name = "disparo_" + std::to_string(++prepared_count_);
  auto prepared = to_rows(handle_.get(), ResultHandle{PQprepare(handle_.get(), name.c_str(), sql.c_str(),
                                                                param_count, /*paramTypes=*/nullptr)});
  if (!prepared) return std::move(prepared).error();
  prepared_.emplace(sql, name);
  return name;
}

Expected<Rows> Connection::exec_prepared(std::string_view sql, const Params& params) {
  if (!handle_) return make_error(ErrorKind::internal, "pg::Connection used after move");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  const std::string statement(sql);
  for (int attempt = 0;; ++attempt) {
    auto name = prepared_name(statement, static_cast<int>(values.size()));
    if (!name) return std::move(name).error();
    ResultHandle res{PQexecPrepared(handle_.get(), name->c_str(), static_cast<int>(values.size()),
                                    values.data(), /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
                                    /*resultFormat=text*/ 0)};
    auto rows = to_rows(handle_.get(), std::move(res));
    // 26000 invalid_sql_statement_name: the server forgot it (DISCARD ALL, DEALLOCATE ALL), and
    // most likely the others too. Inside a transaction the retry fails like any statement after
    // an error; the next call prepares afresh.
    if (rows || rows.error().code != "26000" || attempt > 0) return rows;
    prepared_.clear();
  }
}

Expected<void> Connection::exec_script(std::string_view sql) {
  if (!handle_) return make_error(ErrorKind::internal, "pg::Connection used after move");
  const std::string script(sql);
  // PQexec returns the last statement's result, or the first failing one (later ones not run).
  auto rows = to_rows(handle_.get(), ResultHandle{PQexec(handle_.get(), script.c_str())});
  if (!rows) return std::move(rows).error();
  return {};
}

Expected<std::int64_t> Connection::copy_in(std::string_view copy_sql, std::string_view data) {
  if (!handle_) return make_error(ErrorKind::internal, "pg::Connection used after move");
  PGconn* conn = handle_.get();
  const std::string statement(copy_sql);
  ResultHandle start{PQexec(conn, statement.c_str())};
  if (!start) return error_from(conn, nullptr);
  if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
    if (PQresultStatus(start.get()) == PGRES_FATAL_ERROR) return error_from(conn, start.get());
    start.reset();
    drain_results(conn);
    return make_error(ErrorKind::invalid_argument, "copy_in needs a COPY ... FROM STDIN statement");
  }
  start.reset();

  // PQputCopyData takes an int length; send in bounded chunks. In blocking mode each call
  // returns once libpq has queued (and if needed flushed) the chunk.
  constexpr std::size_t kChunk = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn, data.data() + at, static_cast<int>(n)) != 1) break;  // error below
  }
  PQputCopyEnd(conn, nullptr);

  Expected<std::int64_t> outcome = make_error(ErrorKind::internal, "COPY returned no result");
  bool first = true;
  while (ResultHandle res{PQgetResult(conn)}) {
    if (!first) continue;  // keep the first outcome; read the rest to free the connection
    first = false;
    if (PQresultStatus(res.get()) == PGRES_COMMAND_OK) {
      outcome = Rows(std::move(res)).affected();
    } else {
      outcome = error_from(conn, res.get());
    }
  }
  if (first) return error_from(conn, nullptr);
  return outcome;
}

bool Connection::is_open() const { return handle_ && PQstatus(handle_.get()) == CONNECTION_OK; }

bool Connection::is_idle() const {
  return is_open() && PQtransactionStatus(handle_.get()) == PQTRANS_IDLE;
}

bool Connection::check_alive() {
  if (!is_open()) return false;
  // An idle connection has nothing to read unless the server spoke on its own: a notification,
  // a parameter change, or the error it sends before closing. Read until the socket is quiet;
  // a closed socket turns the status to CONNECTION_BAD inside PQconsumeInput.
  pollfd pfd{PQsocket(handle_.get()), POLLIN, 0};
  for (int round = 0; round < 8 && ::poll(&pfd, 1, 0) > 0; ++round) {
    if (PQconsumeInput(handle_.get()) == 0) break;
  }
  return is_open();
}

int Connection::socket() const { return handle_ ? PQsocket(handle_.get()) : -1; }

std::vector<std::string> Connection::drain_notifications() {
  std::vector<std::string> channels;
  if (!handle_) return channels;
  PQconsumeInput(handle_.get());  // on failure the status turns bad; queued ones are still read
  while (PGnotify* note = PQnotifies(handle_.get())) {
    channels.emplace_back(note->relname);
    PQfreemem(note);  // libpq allocated it; ownership passed to us with PQnotifies
  }
  return channels;
}

}  // namespace disparo::pg
