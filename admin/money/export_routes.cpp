#include "admin/money/export_routes.hpp"

#include <filesystem>

#include <boost/beast/http/field.hpp>
#include <date/tz.h>

#include "admin/client_query.hpp"
#include "admin/money/http_helpers.hpp"
#include "admin/money/payment_store.hpp"
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

Expected<std::unique_ptr<TableWriter>> open_writer(pg::Connection& conn, const ExportJob& job, const char* sheet) {
  auto zone_name = conn.exec("SELECT time_zone FROM tenants WHERE id = $1", {std::to_string(job.tenant_id)});
  if (!zone_name) return std::move(zone_name).error();
  const date::time_zone* zone = nullptr;
  try {
    if (zone_name->size() > 0) zone = date::locate_zone(std::string(zone_name->text(0, 0)));
  } catch (const std::exception&) {
    zone = nullptr;  // an unknown zone exports UTC rather than failing
  }
  std::unique_ptr<TableWriter> writer =
      job.xlsx ? make_xlsx_writer(sheet, zone, std::filesystem::temp_directory_path().string())
               : make_csv_writer(job.profile, zone);
  std::vector<ExportColumn> header;
  for (const auto* c : job.columns) header.push_back(c->column);
  writer->header(header);
  return writer;
}

Expected<void> write_rows(TableWriter& writer, const pg::Rows& rows, int first_col, int count, int& written) {
  for (int r = 0; r < rows.size(); ++r) {
    if (++written > kExportMaxRows) {
      return make_error(ErrorKind::invalid_argument,
                        "The export has more than " + std::to_string(kExportMaxRows) + " rows; narrow the filters.");
    }
    ExportRow row;
    for (int c = first_col; c < first_col + count; ++c) {
      if (rows.is_null(r, c)) row.emplace_back(std::nullopt);
      else row.emplace_back(std::string(rows.text(r, c)));
    }
    if (auto ok = writer.row(row); !ok) return ok;
  }
  return {};
}

Expected<std::string> export_payments(pg::Connection& conn, const ExportJob& job) {
  auto writer = open_writer(conn, job, "Pagamentos");
  if (!writer) return std::move(writer).error();
  const auto filter = payment_filter_sql(job.tenant_id, job.payments);
  int written = 0;
  std::optional<std::pair<std::string, std::string>> after;  // (paid_at µs, id) of the last row
  while (true) {
    auto params = filter.params;
    std::string where = filter.where;
    if (after) {
      params.emplace_back(after->first);
      params.emplace_back(after->second);
      const auto n = params.size();
      where += " AND (p.paid_at, p.id) < ('epoch'::timestamptz + $" + std::to_string(n - 1) +
               "::bigint * interval '1 microsecond', $" + std::to_string(n) + "::bigint)";
    }
    auto rows = conn.exec("SELECT (extract(epoch from p.paid_at) * 1000000)::bigint::text, p.id::text, " +
                              select_list(job.columns) +
                              " FROM payments p JOIN clients c ON c.id = p.client_id WHERE " + where +
                              " ORDER BY p.paid_at DESC, p.id DESC LIMIT " + std::to_string(kExportPage),
                          params);
    if (!rows) return std::move(rows).error();
    if (auto ok = write_rows(**writer, *rows, 2, static_cast<int>(job.columns.size()), written); !ok) {
      return std::move(ok).error();
    }
    if (rows->size() < kExportPage) break;
    after = {std::string(rows->text(rows->size() - 1, 0)), std::string(rows->text(rows->size() - 1, 1))};
  }
  return (*writer)->finish();
}

Expected<std::string> export_clients(pg::Connection& conn, const ExportJob& job) {
  auto writer = open_writer(conn, job, "Clientes");
  if (!writer) return std::move(writer).error();
  ClientListRequest request = *job.clients;
  request.limit = kExportPage;
  int written = 0;
  while (true) {
    // The listing's own query picks the ids (same filters, same order); our columns are then
    // read for exactly those ids.
    auto page_sql = client_page_sql(job.tenant_id, request);
    auto page = conn.exec(page_sql.sql, page_sql.params);
    if (!page) return std::move(page).error();
    const int n = std::min(page->size(), request.limit);
    if (n == 0) break;
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
    if (auto ok = write_rows(**writer, *rows, 0, static_cast<int>(job.columns.size()), written); !ok) {
      return std::move(ok).error();
    }
    if (page->size() <= request.limit) break;
    const int key = page->column("sort_key");
    request.after = ClientCursor{std::string(page->text(n - 1, key)), page->int64(n - 1, 0)};
  }
  return (*writer)->finish();
}

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

  auto work = [job, payments](pg::Connection& conn) {
    return payments ? export_payments(conn, job) : export_clients(conn, job);
  };
  auto file = co_await with_db(ctx, std::move(work));
  if (!file) {
    if (file.error().kind == ErrorKind::invalid_argument) {
      co_return problem_response(validation_failed({{"filters", file.error().message}}));
    }
    co_return problem_response(problem_logged(ctx, "export_failed", file.error()));
  }
  const std::string name = std::string(payments ? "pagamentos" : "clientes") + (job.xlsx ? ".xlsx" : ".csv");
  const std::string_view type = job.xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                         : "text/csv; charset=utf-8";
  auto response = make_response(http::status::ok, std::move(*file), type);
  response.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
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
