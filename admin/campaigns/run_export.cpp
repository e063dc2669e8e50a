// Exports of campaign runs and of one run's recipients as CSV or XLSX, written by the money
// exports' table writers (admin/money/export_format.hpp) with the same parameters:
//   GET /v1/exports/campaign-runs?format=csv|xlsx&profile=excel|machine&fields=a,b&<run filters>
//   GET /v1/exports/campaign-runs/{id}/recipients?format=...&profile=...&fields=...&status=...
// Rows come from the listings' own page statements (run_store.hpp), walked in keyset pages.
#include <algorithm>
#include <filesystem>

#include <boost/beast/http/field.hpp>
#include <date/tz.h>

#include "admin/campaigns/campaign_routes.hpp"
#include "admin/campaigns/run_store.hpp"
#include "admin/money/export_format.hpp"
#include "admin/money/export_routes.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin::campaigns {
namespace {

using money::CellKind;
using money::ExportColumn;

// An exportable column: its header and kind, and the column of the page statement it reads.
struct Column {
  ExportColumn column;
  int index;
};

const std::vector<Column>& run_columns() {
  static const std::vector<Column> kColumns{
      {{"id", CellKind::integer}, kRunId},
      {{"campaign_id", CellKind::integer}, kRunCampaignId},
      {{"campaign", CellKind::text}, kRunCampaignName},
      {{"kind", CellKind::text}, kRunCampaignKind},
      {{"trigger", CellKind::text}, kRunTrigger},
      {{"slot_at", CellKind::datetime}, kRunSlotAt},
      {{"local_day", CellKind::date}, kRunLocalDay},
      {{"state", CellKind::text}, kRunState},
      {{"state_reason", CellKind::text}, kRunStateReason},
      {{"recipients", CellKind::integer}, kRunRecipients},
      {{"excluded", CellKind::integer}, kRunExcluded},
      {{"sent", CellKind::integer}, kRunSent},
      {{"delivered", CellKind::integer}, kRunDelivered},
      {{"read", CellKind::integer}, kRunRead},
      {{"failed", CellKind::integer}, kRunFailed},
      {{"requested_by", CellKind::text}, kRunRequestedBy},
      {{"requested_at", CellKind::datetime}, kRunRequestedAt},
      {{"started_at", CellKind::datetime}, kRunStartedAt},
      {{"finished_at", CellKind::datetime}, kRunFinishedAt},
  };
  return kColumns;
}

const std::vector<Column>& recipient_columns() {
  static const std::vector<Column> kColumns{
      {{"client_id", CellKind::integer}, kRcptClientId},
      {{"name", CellKind::text}, kRcptName},
      {{"phone", CellKind::text}, kRcptPhone},
      {{"status", CellKind::text}, kRcptStatus},
      {{"reason", CellKind::text}, kRcptReason},
      {{"message_id", CellKind::integer}, kRcptMessageId},
      {{"session_id", CellKind::integer}, kRcptSessionId},
      {{"send_at", CellKind::datetime}, kRcptSendAt},
      {{"updated_at", CellKind::datetime}, kRcptUpdatedAt},
  };
  return kColumns;
}

// "a,b,c" -> the chosen columns in the caller's order; a field error per unknown or repeated name.
std::vector<const Column*> choose(const std::vector<Column>& all, const std::optional<std::string>& fields,
                                  std::vector<FieldError>& errors) {
  std::vector<const Column*> out;
  if (!fields) {
    for (const auto& c : all) out.push_back(&c);
    return out;
  }
  std::string_view rest(*fields);
  while (true) {
    const auto comma = rest.find(',');
    const auto name = rest.substr(0, comma);
    const Column* found = nullptr;
    for (const auto& c : all) {
      if (c.column.name == name) found = &c;
    }
    if (!found) errors.push_back({"fields", "'" + std::string(name) + "' is not an exportable field"});
    else if (std::find(out.begin(), out.end(), found) != out.end())
      errors.push_back({"fields", "'" + std::string(name) + "' is listed twice"});
    else out.push_back(found);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

struct Job {
  std::int64_t tenant_id = 0;
  std::optional<std::int64_t> run_id;  // set: the recipients of this run
  bool xlsx = false;
  money::CsvProfile profile = money::CsvProfile::excel_br;
  std::vector<const Column*> columns;
  RunListRequest runs;
  RecipientListRequest recipients;
};

Expected<std::unique_ptr<money::TableWriter>> open_writer(pg::Connection& conn, const Job& job, const char* sheet) {
  auto zone_name = conn.exec("SELECT time_zone FROM tenants WHERE id = $1", {param(job.tenant_id)});
  if (!zone_name) return std::move(zone_name).error();
  const date::time_zone* zone = nullptr;
  try {
    if (zone_name->size() > 0) zone = date::locate_zone(std::string(zone_name->text(0, 0)));
  } catch (const std::exception&) {
    zone = nullptr;  // an unknown zone exports UTC rather than failing (as the money exports)
  }
  std::unique_ptr<money::TableWriter> writer =
      job.xlsx ? money::make_xlsx_writer(sheet, zone, std::filesystem::temp_directory_path().string())
               : money::make_csv_writer(job.profile, zone);
  std::vector<ExportColumn> header;
  for (const auto* c : job.columns) header.push_back(c->column);
  writer->header(header);
  return writer;
}

// Writes the first `count` rows of a page; false past the row cap.
Expected<void> write_rows(money::TableWriter& writer, const Job& job, const pg::Rows& rows, int count, int& written) {
  for (int r = 0; r < count; ++r) {
    if (++written > money::kExportMaxRows) {
      return make_error(ErrorKind::invalid_argument, "The export has more than " +
                                                         std::to_string(money::kExportMaxRows) +
                                                         " rows; narrow the filters.");
    }
    money::ExportRow row;
    for (const auto* c : job.columns) {
      if (rows.is_null(r, c->index)) row.emplace_back(std::nullopt);
      else row.emplace_back(std::string(rows.text(r, c->index)));
    }
    if (auto ok = writer.row(row); !ok) return ok;
  }
  return {};
}

Expected<std::string> run_export(pg::Connection& conn, const Job& job) {
  if (job.run_id) {
    auto exists = run_exists(conn, job.tenant_id, *job.run_id);
    if (!exists) return std::move(exists).error();
    if (!*exists) return not_found_error("campaign run");
  }
  auto writer = open_writer(conn, job, job.run_id ? "Destinatarios" : "Execucoes");
  if (!writer) return std::move(writer).error();
  auto runs = job.runs;
  auto recipients = job.recipients;
  runs.limit = recipients.limit = money::kExportPage;
  int written = 0;
  while (true) {
    const auto page = job.run_id ? recipient_page_sql(job.tenant_id, *job.run_id, recipients)
                                 : run_page_sql(job.tenant_id, runs);
    auto rows = conn.exec(page.sql, page.params);
    if (!rows) return std::move(rows).error();
    const int n = std::min(rows->size(), money::kExportPage);
    if (auto ok = write_rows(**writer, job, *rows, n, written); !ok) return std::move(ok).error();
    if (rows->size() <= money::kExportPage) break;
    if (job.run_id) {
      recipients.after = std::make_pair(static_cast<int>(rows->int64(n - 1, kRcptPart)), rows->int64(n - 1, kRcptKey));
    } else {
      runs.after_id = rows->int64(n - 1, kRunId);
    }
  }
  return (*writer)->finish();
}

boost::asio::awaitable<Response> export_route(ApiContext& ctx, RequestContext rc, bool recipients) {
  auto auth = co_await authorize(ctx, rc.request, Action::campaigns_read);
  if (!auth.caller) co_return problem_response(auth.problem);
  Job job;
  job.tenant_id = auth.caller->tenant_id;
  if (recipients) {
    job.run_id = parse_id(rc.params.get("id"));
    if (!job.run_id) co_return problem_response(not_found("No campaign run with this id."));
  }
  std::vector<FieldError> errors;
  std::optional<std::string> fields;
  QueryParams filters;
  for (auto& [key, value] : parse_query(rc.request.target())) {
    if (key == "format") {
      if (value == "csv" || value == "xlsx") job.xlsx = value == "xlsx";
      else errors.push_back({key, "must be one of: csv, xlsx"});
    } else if (key == "profile") {
      if (value == "excel" || value == "machine") {
        job.profile = value == "machine" ? money::CsvProfile::machine : money::CsvProfile::excel_br;
      } else {
        errors.push_back({key, "must be one of: excel, machine"});
      }
    } else if (key == "fields") {
      fields = value;
    } else if (key == "limit" || key == "cursor") {
      errors.push_back({key, "is not a known parameter"});  // an export is every row
    } else {
      filters.emplace_back(key, value);
    }
  }
  job.columns = choose(recipients ? recipient_columns() : run_columns(), fields, errors);
  if (recipients) {
    auto read = read_recipient_list_request(filters);
    if (read.value) job.recipients = std::move(*read.value);
    for (auto& e : read.errors) errors.push_back(std::move(e));
  } else {
    auto read = read_run_list_request(filters);
    if (read.value) job.runs = std::move(*read.value);
    for (auto& e : read.errors) errors.push_back(std::move(e));
  }
  if (!errors.empty()) co_return problem_response(validation_failed(std::move(errors)));

  auto work = [job](pg::Connection& conn) { return run_export(conn, job); };
  auto file = co_await with_db(ctx, std::move(work));
  if (!file) {
    if (file.error().kind == ErrorKind::invalid_argument) {
      co_return problem_response(validation_failed({{"filters", file.error().message}}));
    }
    co_return failure_response(ctx, "campaign_export_failed", file.error());
  }
  const std::string stem = recipients ? "campanha-" + std::to_string(*job.run_id) + "-destinatarios" : "campanhas-execucoes";
  const std::string name = stem + (job.xlsx ? ".xlsx" : ".csv");
  const std::string_view type = job.xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                         : "text/csv; charset=utf-8";
  auto response = make_response(http::status::ok, std::move(*file), type);
  response.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
  co_return response;
}

}  // namespace

void add_run_export_routes(Router& router, ApiContext& ctx) {
  router.add(http::verb::get, "/v1/exports/campaign-runs",
             [&ctx](RequestContext rc) { return export_route(ctx, rc, false); });
  router.add(http::verb::get, "/v1/exports/campaign-runs/{id}/recipients",
             [&ctx](RequestContext rc) { return export_route(ctx, rc, true); });
}

}  // namespace disparo::admin::campaigns
