// Campaign runs as the admin API shows them: the listing (filters, keyset pages, newest first),
// one run's report (recipients, sent / delivered / read, failed by reason, excluded by reason,
// start and end) and its recipients (each enqueued message, then each excluded client), plus the
// page statements the CSV/XLSX exports walk, so a listing and its export see the same rows.
//
// Query reading is pure (any thread); the rest blocks on libpq (worker threads via with_db()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin::campaigns {

inline constexpr int kMaxRunPage = 200;

struct RunFilter {
  std::optional<std::int64_t> campaign_id;
  std::optional<std::string> state;    // requested, sending, completed, skipped, failed
  std::optional<std::string> trigger;  // schedule, manual
  std::optional<std::string> kind;     // the campaign's kind
  std::optional<std::string> from, to; // local_day range (YYYY-MM-DD, inclusive)
};

struct RunListRequest {
  RunFilter filter;
  int limit = 50;
  std::optional<std::int64_t> after_id;  // from the cursor
};

// Parameters: campaign_id, state, trigger, kind, from, to, limit, cursor. Unknown ones are errors.
Validated<RunListRequest> read_run_list_request(const QueryParams& query);

struct RecipientListRequest {
  std::optional<std::string> status;  // a message status, or "excluded"
  int limit = 50;
  std::optional<std::pair<int, std::int64_t>> after;  // (part, key) from the cursor
};

// Parameters: status, limit, cursor.
Validated<RecipientListRequest> read_recipient_list_request(const QueryParams& query);

struct PageSql {
  std::string sql;
  pg::Params params;
};

// One page of runs (limit + 1 rows; the extra row says there is a next page). Columns: see
// RunColumn.
enum RunColumn : int {
  kRunId = 0, kRunCampaignId, kRunCampaignName, kRunCampaignKind, kRunTrigger, kRunSlotAt, kRunLocalDay,
  kRunState, kRunStateReason, kRunRecipients, kRunExcluded, kRunRequestedBy, kRunRequestedAt,
  kRunStartedAt, kRunFinishedAt, kRunMessages, kRunSent, kRunDelivered, kRunRead, kRunFailed
};
PageSql run_page_sql(std::int64_t tenant_id, const RunListRequest& request);

// One page of a run's recipients: messages of the run (by message id), then its exclusions (by
// client id). The run must be checked to be the tenant's first (run_exists).
enum RecipientColumn : int {
  kRcptPart = 0, kRcptKey, kRcptClientId, kRcptName, kRcptPhone, kRcptStatus, kRcptReason,
  kRcptMessageId, kRcptSessionId, kRcptSendAt, kRcptUpdatedAt
};
PageSql recipient_page_sql(std::int64_t tenant_id, std::int64_t run_id, const RecipientListRequest& request);

Expected<bool> run_exists(pg::Connection& conn, std::int64_t tenant_id, std::int64_t run_id);

// {"items": [...], "next_cursor": "..." | null}
Expected<boost::json::value> list_runs(pg::Connection& conn, std::int64_t tenant_id, const RunListRequest& request);
// The run with its "report"; not_found for another tenant's run.
Expected<boost::json::value> read_run(pg::Connection& conn, std::int64_t tenant_id, std::int64_t run_id);
Expected<boost::json::value> list_recipients(pg::Connection& conn, std::int64_t tenant_id, std::int64_t run_id,
                                             const RecipientListRequest& request);

}  // namespace disparo::admin::campaigns
