// The campaign routes of the admin API (docs/admin-api.md, section Campaigns):
//   GET/POST /v1/campaigns, GET/PATCH/DELETE /v1/campaigns/{id}, GET /v1/campaigns/{id}/preview,
//   POST /v1/campaigns/{id}/run, POST /v1/campaigns/presets/{preset},
//   GET /v1/campaign-runs, GET /v1/campaign-runs/{id}, GET /v1/campaign-runs/{id}/recipients,
//   GET /v1/exports/campaign-runs, GET /v1/exports/campaign-runs/{id}/recipients.
// Roles: campaigns.read, campaigns.write, campaigns.run (admin/roles.hpp).
//
// Registered once at start-up (api.cpp); handlers run on the loop thread, SQL on worker threads.
#pragma once

#include "admin/api_context.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

// All of the routes above.
void add_campaign_routes(Router& router, ApiContext& ctx);

namespace campaigns {
void add_campaign_crud_routes(Router& router, ApiContext& ctx);  // campaigns, preview, run, presets
void add_run_routes(Router& router, ApiContext& ctx);            // runs, report, recipients
void add_run_export_routes(Router& router, ApiContext& ctx);     // CSV/XLSX of runs and recipients
}  // namespace campaigns

}  // namespace disparo::admin
