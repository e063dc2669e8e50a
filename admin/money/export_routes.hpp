// Exports of clients and payments as CSV or XLSX, with the caller's choice of columns:
//   GET /v1/exports/payments?format=csv|xlsx&profile=excel|machine&fields=a,b,...&<payment filters>
//   GET /v1/exports/clients?format=csv|xlsx&profile=excel|machine&fields=a,b,...&<client filters>
// Payment filters are those of GET /v1/payments (client_id, method, from, to, include_deleted);
// client filters those of GET /v1/clients (admin/client_query.hpp), so an export shows what the
// listing shows. Role: exports.run. Client passwords are never exported.
//
// Rows are read from PostgreSQL in keyset pages of kExportPage and written in order (XLSX in
// constant-memory mode to a temporary file); the finished file is answered as one body (the
// admin's HTTP layer sends string bodies), so an export is capped at kExportMaxRows rows.
// Registered once (api.cpp); the work runs on a worker thread.
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
inline constexpr int kExportMaxRows = 200'000;

// The exportable columns of each resource, in their default order.
const std::vector<ExportColumn>& payment_export_columns();
const std::vector<ExportColumn>& client_export_columns();
}  // namespace money

}  // namespace disparo::admin
