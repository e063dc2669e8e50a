// The client listing's query: filters, sorting and keyset pagination read from the query string
// (with a field error per bad parameter), and the SQL they become. The same ClientFilter serves
// the exports (money), so a listing and an export of the same filters see the same clients.
//
// Pure; any thread. The SQL is parameterized: user values only ever travel as parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "admin/problem.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {

enum class ClientSort { name, created_at, due_date };

struct ClientFilter {
  std::optional<std::string> text;  // lower-cased; digits only when it looked like a phone
  std::optional<std::int64_t> server_id, plan_id, channel_id;
  std::optional<std::string> tag;
  std::optional<std::string> status;    // active, overdue, suspended
  std::optional<bool> blocked;
  std::optional<bool> suspended;
  std::optional<std::string> category;  // lead, active, inactive, archived
  std::optional<std::string> archived;  // "false" (default), "true", "all"
  std::optional<std::string> created_from, created_to;  // RFC 3339 or YYYY-MM-DD (tenant's day)
  std::optional<std::string> due_from, due_to;          // YYYY-MM-DD
  std::optional<std::string> payment_method;            // pix, card, boleto, cash (any live payment)
};

struct ClientCursor {
  std::string value;  // the sort key of the last row, as text
  std::int64_t id = 0;
};

struct ClientListRequest {
  ClientFilter filter;
  ClientSort sort = ClientSort::name;
  bool descending = false;
  int limit = 50;
  std::optional<ClientCursor> after;
  // The tenant's largest grace period, looked up by the store when filtering on status=overdue:
  // a value the planner can see (a sub-select's result would be a blind guess to it).
  int max_grace_days = 0;
};

inline constexpr int kMaxPageSize = 200;

// From "?q=...&server_id=...&sort=-created_at&limit=50&cursor=...". Unknown parameters are
// errors (a typo must not silently list everything).
Validated<ClientListRequest> read_client_list_request(const QueryParams& query);

// Opaque cursor text for the row after which the next page starts; decode_cursor checks it was
// made for the same sort.
std::string encode_cursor(ClientSort sort, bool descending, const ClientCursor& cursor);
std::optional<ClientCursor> decode_cursor(std::string_view text, ClientSort sort, bool descending);

// The SQL of one page: selects kClientColumns-shaped rows plus a last column "sort_key" (text),
// limit + 1 rows (the extra row says whether there is a next page). $1 is the tenant id.
struct ClientPageSql {
  std::string sql;
  pg::Params params;
};
ClientPageSql client_page_sql(std::int64_t tenant_id, const ClientListRequest& request);

// The select list and FROM clause of a client with its derived state, shared by the listing and
// single reads: "<columns> FROM clients c JOIN tenants tn ... LEFT JOIN plans p ...", needing
// the tenant id as $1.
extern const char* const kClientSelect;
extern const char* const kClientFrom;

}  // namespace disparo::admin
