#include "admin/money/export_routes.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <utility>

#include <boost/beast/http/field.hpp>
#include <date/tz.h>

#include "admin/client_query.hpp"
#include "admin/money/http_helpers.hpp"
#include "admin/money/payment_store.hpp"
#include "admin/offload.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {
namespace money {
namespace {

// Column name -> SQL expression (text in the canonical form of its kind; see CellKind).
struct ColumnSql {
  ExportColumn column;
  std::string_view sql;
};

const std::vector<ColumnSql>& payment_columns_sql() {
  static const std::vector<ColumnSql> kColumns{
      {{"id", CellKind::integer}, "p.id::text"},
      {{"client_id", CellKind::integer}, "p.client_id::text"},
      {{"client_name", CellKind::text}, "c.name"},
      {{"client_phone", CellKind::text}, "c.phone"},
      {{"amount", CellKind::money}, "p.amount_cents::text"},
      {{"method", CellKind::text}, "p.method"},
      {{"paid_at", CellKind::datetime}, "disparo_rfc3339(p.paid_at)"},
      {{"paid_on", CellKind::date}, "p.paid_on::text"},
      {{"external_id", CellKind::text}, "p.external_id"},
      {{"source", CellKind::text}, "p.source"},
      {{"previous_due_date", CellKind::date}, "p.previous_due_date::text"},
      {{"new_due_date", CellKind::date}, "p.new_due_date::text"},
      {{"created_at", CellKind::datetime}, "disparo_rfc3339(p.created_at)"},
      {{"deleted_at", CellKind::datetime}, "disparo_rfc3339(p.deleted_at)"},
  };
  return kColumns;
}

const std::vector<ColumnSql>& client_columns_sql() {
  static const std::vector<ColumnSql> kColumns{
      {{"id", CellKind::integer}, "c.id::text"},
      {{"name", CellKind::text}, "c.name"},
      {{"username", CellKind::text}, "c.username"},
      {{"phone", CellKind::text}, "c.phone"},
      {{"email", CellKind::text}, "c.email"},
      {{"server", CellKind::text}, "sv.name"},
      {{"plan", CellKind::text}, "pl.name"},
      {{"amount", CellKind::money},
       "(CASE WHEN c.amount_cents > 0 THEN c.amount_cents ELSE coalesce(pl.price_cents, 0) END)::text"},
      {{"screens", CellKind::integer}, "c.screens::text"},
      {{"due_date", CellKind::date}, "c.due_date::text"},
      {{"due_day", CellKind::integer}, "c.due_day::text"},
      {{"channel", CellKind::text}, "ch.name"},
      {{"status", CellKind::text},
       "disparo_client_status(c.due_date, pl.grace_days, c.blocked, c.archived_at, (now() AT TIME ZONE tn.time_zone)::date)"},
      {{"category", CellKind::text},
       "disparo_client_category((c.last_payment_at AT TIME ZONE tn.time_zone)::date, c.archived_at, "
       "(now() AT TIME ZONE tn.time_zone)::date)"},
      {{"blocked", CellKind::boolean}, "CASE WHEN c.blocked THEN 't' ELSE 'f' END"},
      {{"archived_at", CellKind::datetime}, "disparo_rfc3339(c.archived_at)"},
      {{"archive_reason", CellKind::text}, "c.archive_reason"},
      {{"last_payment_at", CellKind::datetime}, "disparo_rfc3339(c.last_payment_at)"},
      {{"tags", CellKind::text},
       "(SELECT string_agg(g.tag, ', ' ORDER BY g.tag) FROM client_tags g WHERE g.client_id = c.id)"},
      {{"notes", CellKind::text}, "c.notes"},
      {{"created_at", CellKind::datetime}, "disparo_rfc3339(c.created_at)"},
  };
  return kColumns;
}

std::vector<ExportColumn> columns_of(const std::vector<ColumnSql>& all) {
  std::vector<ExportColumn> out;
  for (const auto& c : all) out.push_back(c.column);
  return out;
}

// "a,b,c" -> the chosen columns, in the caller's order; a FieldError for unknown or repeated names.
std::vector<const ColumnSql*> choose(const std::vector<ColumnSql>& all, const std::optional<std::string>& fields,
                                     std::vector<FieldError>& errors) {
  std::vector<const ColumnSql*> out;
  if (!fields) {
    for (const auto& c : all) out.push_back(&c);
    return out;
  }
  std::string_view rest(*fields);
  while (true) {
    auto comma = rest.find(',');
    auto name = rest.substr(0, comma);
    const ColumnSql* found = nullptr;
    for (const auto& c : all) {
      if (c.column.name == name) found = &c;
    }
    if (!found) {
      errors.push_back({"fields", "'" + std::string(name) + "' is not an exportable field"});
    } else if (std::find(out.begin(), out.end(), found) != out.end()) {
      errors.push_back({"fields", "'" + std::string(name) + "' is listed twice"});
    } else {
      out.push_back(found);
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

struct ExportJob {
  std::int64_t tenant_id = 0;
  bool xlsx = false;
  CsvProfile profile = CsvProfile::excel_br;
  std::vector<const ColumnSql*> columns;
  PaymentFilter payments;             // resource == payments
  std::optional<ClientListRequest> clients;  // resource == clients
};

std::string select_list(const std::vector<const ColumnSql*>& columns) {
  std::string sql;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += columns[i]->sql;
  }
  return sql;
}

// One export in progress: what it selects, where its next page starts, and its writer. Pages
// run one at a time on worker threads (with_db); between pages nothing touches it.
struct ExportRun {
  ExportJob job;
  int page_rows = kExportPage;
  std::unique_ptr<TableWriter> writer;  // null until the first page
  bool done = false;
  std::optional<std::pair<std::string, std::string>> payments_after;  // (paid_at µs, id) of the last row
  ClientListRequest clients;                                          // its `after` moves page by page
};

Expected<void> open_writer(pg::Connection& conn, ExportRun& run) {
  const auto& job = run.job;
  auto zone_name = conn.exec("SELECT time_zone FROM tenants WHERE id = $1", {std::to_string(job.tenant_id)});
  if (!zone_name) return std::move(zone_name).error();
  const date::time_zone* zone = nullptr;
  try {
    if (zone_name->size() > 0) zone = date::locate_zone(std::string(zone_name->text(0, 0)));
  } catch (const std::exception&) {
    zone = nullptr;  // an unknown zone exports UTC rather than failing
  }
  const char* sheet = job.clients ? "Clientes" : "Pagamentos";
  run.writer = job.xlsx ? make_xlsx_writer(sheet, zone, std::filesystem::temp_directory_path().string())
                        : make_csv_writer(job.profile, zone);
  std::vector<ExportColumn> header;
  for (const auto* c : job.columns) header.push_back(c->column);
  run.writer->header(header);
  return {};
}

Expected<void> write_rows(TableWriter& writer, const pg::Rows& rows, int first_col, int count, int row_count) {
  for (int r = 0; r < row_count; ++r) {
    ExportRow row;
    for (int c = first_col; c < first_col + count; ++c) {
      if (rows.is_null(r, c)) row.emplace_back(std::nullopt);
      else row.emplace_back(std::string(rows.text(r, c)));
    }
    if (auto ok = writer.row(row); !ok) return ok;
  }
  return {};
}

Expected<void> payments_page(pg::Connection& conn, ExportRun& run) {
  const auto& job = run.job;
  const auto filter = payment_filter_sql(job.tenant_id, job.payments);
  auto params = filter.params;
  std::string where = filter.where;
  if (run.payments_after) {
    params.emplace_back(run.payments_after->first);
    params.emplace_back(run.payments_after->second);
    const auto n = params.size();
    where += " AND (p.paid_at, p.id) < ('epoch'::timestamptz + $" + std::to_string(n - 1) +
             "::bigint * interval '1 microsecond', $" + std::to_string(n) + "::bigint)";
  }
  auto rows = conn.exec("SELECT (extract(epoch from p.paid_at) * 1000000)::bigint::text, p.id::text, " +
                            select_list(job.columns) +
                            " FROM payments p JOIN clients c ON c.id = p.client_id WHERE " + where +
                            " ORDER BY p.paid_at DESC, p.id DESC LIMIT " + std::to_string(run.page_rows),
                        params);
  if (!rows) return std::move(rows).error();
  if (auto ok = write_rows(*run.writer, *rows, 2, static_cast<int>(job.columns.size()), rows->size()); !ok) return ok;
  if (rows->size() < run.page_rows) {
    run.done = true;
  } else {
    run.payments_after = {std::string(rows->text(rows->size() - 1, 0)), std::string(rows->text(rows->size() - 1, 1))};
  }
  return {};
}

Expected<void> clients_page(pg::Connection& conn, ExportRun& run) {
  const auto& job = run.job;
  run.clients.limit = run.page_rows;
  // The listing's own query picks the ids (same filters, same order, tenant-scoped); our columns
  // are then read for exactly those ids.
  auto page_sql = client_page_sql(job.tenant_id, run.clients);
  auto page = conn.exec(page_sql.sql, page_sql.params);
  if (!page) return std::move(page).error();
  const int n = std::min(page->size(), run.clients.limit);
  if (n == 0) {
    run.done = true;
    return {};
  }
  std::string ids = "{";
  for (int i = 0; i < n; ++i) {
    if (i > 0) ids += ',';
    ids += page->text(i, 0);
  }
  ids += '}';
  auto rows = conn.exec(
      "SELECT " + select_list(job.columns) +
          " FROM unnest($2::bigint[]) WITH ORDINALITY AS sel(id, ord) JOIN clients c ON c.id = sel.id "
          "JOIN tenants tn ON tn.id = c.tenant_id LEFT JOIN plans pl ON pl.id = c.plan_id "
          "LEFT JOIN servers sv ON sv.id = c.server_id LEFT JOIN acquisition_channels ch ON ch.id = c.channel_id "
          "WHERE c.tenant_id = $1 ORDER BY sel.ord",
      {std::to_string(job.tenant_id), ids});
  if (!rows) return std::move(rows).error();
  if (auto ok = write_rows(*run.writer, *rows, 0, static_cast<int>(job.columns.size()), rows->size()); !ok) return ok;
  if (page->size() <= run.clients.limit) {
    run.done = true;
  } else {
    const int key = page->column("sort_key");
    run.clients.after = ClientCursor{std::string(page->text(n - 1, key)), page->int64(n - 1, 0)};
  }
  return {};
}

// Opens the writer on the first call, then writes the next page; sets run.done after the last.
Expected<void> write_export_page(pg::Connection& conn, ExportRun& run) {
  if (!run.writer) {
    if (auto opened = open_writer(conn, run); !opened) return opened;
  }
  if (run.done) return {};
  return run.job.clients ? clients_page(conn, run) : payments_page(conn, run);
}

// The CSV body: the first page was written before the head was sent (so a failure there is still
// a problem answer); each next() writes one more page on a worker thread and hands its text over.
class CsvExportBody final : public BodySource {
 public:
  CsvExportBody(ApiContext& ctx, std::shared_ptr<ExportRun> run, std::string first)
      : ctx_(ctx), run_(std::move(run)), pending_(std::move(first)) {}

  boost::asio::awaitable<Expected<std::string>> next() override {
    if (!pending_.empty()) co_return std::exchange(pending_, std::string());
    while (!run_->done) {
      auto page = [run = run_](pg::Connection& conn) -> Expected<std::string> {
        if (auto ok = write_export_page(conn, *run); !ok) return std::move(ok).error();
        return run->writer->take();
      };
      auto piece = co_await with_db(ctx_, std::move(page));
      if (!piece) co_return std::move(piece).error();
      if (!piece->empty()) co_return std::move(*piece);
    }
    co_return std::string();  // the end
  }

 private:
  ApiContext& ctx_;
  std::shared_ptr<ExportRun> run_;
  std::string pending_;
};

// The XLSX body: the finished workbook (already unlinked), read in pieces on a worker thread.
class FileBody final : public BodySource {
 public:
  static constexpr std::size_t kPiece = 64 * 1024;
  FileBody(boost::asio::thread_pool& workers, FileHandle file, std::uint64_t size)
      : workers_(workers), file_(std::move(file)), size_(size) {}

  boost::asio::awaitable<Expected<std::string>> next() override {
    auto read = [file = file_.get()]() -> Expected<std::string> {
      std::string piece(kPiece, '\0');
      const std::size_t n = std::fread(piece.data(), 1, piece.size(), file);
      if (n == 0 && std::ferror(file)) return make_error(ErrorKind::internal, "cannot read the export file");
      piece.resize(n);
      return piece;
    };
    co_return co_await offload(workers_, std::move(read));
  }
  std::optional<std::uint64_t> size() const override { return size_; }

 private:
  boost::asio::thread_pool& workers_;
  FileHandle file_;
  std::uint64_t size_;
};

boost::asio::awaitable<Response> export_route(ApiContext& ctx, RequestContext rc, bool payments) {
  auto guarded = co_await guard(ctx, rc.request, Action::exports_run);
  if (!guarded.caller) co_return guarded.denied;

  ExportJob job;
  job.tenant_id = guarded.caller->tenant_id;
  std::vector<FieldError> errors;
  Query query(rc.request.target());
  const auto format = query.one_of("format", {"csv", "xlsx"}).value_or("csv");
  const auto profile = query.one_of("profile", {"excel", "machine"}).value_or("excel");
  job.xlsx = format == "xlsx";
  job.profile = profile == "machine" ? CsvProfile::machine : CsvProfile::excel_br;
  job.columns = choose(payments ? payment_columns_sql() : client_columns_sql(), query.get("fields"), errors);
  if (payments) {
    query.reject_unknown({"format", "profile", "fields", "client_id", "method", "from", "to", "include_deleted"});
    job.payments.client_id = query.positive_id("client_id");
    job.payments.method = query.one_of("method", {"pix", "card", "boleto", "cash"});
    job.payments.from = query.date("from");
    job.payments.to = query.date("to");
    job.payments.include_deleted = query.boolean("include_deleted").value_or(false);
  } else {
    // Everything but our own parameters goes to the client listing's reader.
    QueryParams rest;
    for (auto& [k, v] : parse_query(rc.request.target())) {
      if (k != "format" && k != "profile" && k != "fields") rest.emplace_back(k, v);
    }
    auto read = read_client_list_request(rest);
    if (!read.value) {
      for (auto& e : read.errors) errors.push_back(std::move(e));
    } else {
      job.clients = std::move(*read.value);
      job.clients->after.reset();
    }
  }
  for (auto& e : query.errors()) errors.push_back(std::move(e));
  if (!errors.empty()) co_return problem_response(validation_failed(std::move(errors)));

  auto run = std::make_shared<ExportRun>();
  run->job = std::move(job);
  if (run->job.clients) run->clients = *run->job.clients;
  auto failed = [&ctx](const Error& error) {
    if (error.kind == ErrorKind::invalid_argument) {
      return problem_response(validation_failed({{"filters", error.message}}));
    }
    return problem_response(problem_logged(ctx, "export_failed", error));
  };

  // The first page before the head: most failures (database down) are still a proper problem.
  auto first_page = [run](pg::Connection& conn) -> Expected<std::string> {
    if (auto ok = write_export_page(conn, *run); !ok) return std::move(ok).error();
    return run->writer->take();
  };
  auto first = co_await with_db(ctx, std::move(first_page));
  if (!first) co_return failed(first.error());

  const bool xlsx = run->job.xlsx;
  const std::string name = std::string(payments ? "pagamentos" : "clientes") + (xlsx ? ".xlsx" : ".csv");
  const std::string_view type =
      xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
  auto response = make_response(http::status::ok, std::string(), type);
  response.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
  if (!xlsx) {
    // CSV streams page by page with chunked transfer encoding, however many rows match.
    response.stream = std::make_shared<CsvExportBody>(ctx, run, std::move(*first));
    co_return response;
  }
  // XLSX is a zip whose directory comes last: libxlsxwriter builds it in a file (constant-memory
  // mode: rows go to a temporary file as they are written), page by page, each page on a worker
  // thread with a connection of its own; the finished file is then sent from disk in pieces.
  while (!run->done) {
    auto page = [run](pg::Connection& conn) { return write_export_page(conn, *run); };
    auto written = co_await with_db(ctx, std::move(page));
    if (!written) co_return failed(written.error());
  }
  auto close = [run]() -> Expected<std::pair<FileHandle, std::uint64_t>> {
    auto file = run->writer->finish_file();
    if (!file) return std::move(file).error();
    struct stat info {};
    if (::fstat(::fileno(file->get()), &info) != 0) return make_error(ErrorKind::internal, "cannot size the export file");
    return std::make_pair(std::move(*file), static_cast<std::uint64_t>(info.st_size));
  };
  auto closed = co_await offload(ctx.workers, std::move(close));
  if (!closed) co_return failed(closed.error());
  response.stream = std::make_shared<FileBody>(ctx.workers, std::move(closed->first), closed->second);
  co_return response;
}

}  // namespace

const std::vector<ExportColumn>& payment_export_columns() {
  static const auto kColumns = columns_of(payment_columns_sql());
  return kColumns;
}

const std::vector<ExportColumn>& client_export_columns() {
  static const auto kColumns = columns_of(client_columns_sql());
  return kColumns;
}

}  // namespace money

void add_export_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/exports/payments",
             [&ctx](RequestContext rc) { return money::export_route(ctx, rc, true); });
  router.add(http::verb::get, "/v1/exports/clients",
             [&ctx](RequestContext rc) { return money::export_route(ctx, rc, false); });
}

}  // namespace disparo::admin
