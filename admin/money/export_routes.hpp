// Exports of clients and payments as CSV or XLSX, with the caller's choice of columns:
//   GET /v1/exports/payments?format=csv|xlsx&profile=excel|machine&fields=a,b,...&<payment filters>
//   GET /v1/exports/clients?format=csv|xlsx&profile=excel|machine&fields=a,b,...&<client filters>
// Payment filters are those of GET /v1/payments (client_id, method, from, to, include_deleted);
// client filters those of GET /v1/clients (admin/client_query.hpp), so an export shows what the
// listing shows. Role: exports.run. Client passwords are never exported.
//
// Rows are read from PostgreSQL in keyset pages of kExportPage (each page on a worker thread with
// a pooled connection, released between pages) and written in order. CSV is streamed: each page's
// text is sent as it is made (chunked transfer encoding), so memory holds one page whatever the
// row count. XLSX is built in libxlsxwriter's constant-memory mode in a temporary file (a zip
// needs its end to be written before it can be read), then sent from the file in pieces with its
// Content-Length. Neither has a row cap any more; XLSX stops at the worksheet's 1,048,575 data
// rows (422). Registered once (api.cpp).
#pragma once

#include <string>
#include <vector>

#include "admin/api_context.hpp"
#include "admin/money/export_format.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

void add_export_routes(Router& router, ApiContext& ctx);

namespace money {
inline constexpr int kExportPage = 2000;
// The bound of exports answered as one in-memory body (campaign run exports); the client and
// payment exports stream and have none.
inline constexpr int kExportMaxRows = 200'000;

// The exportable columns of each resource, in their default order.
const std::vector<ExportColumn>& payment_export_columns();
const std::vector<ExportColumn>& client_export_columns();
}  // namespace money

}  // namespace disparo::admin
