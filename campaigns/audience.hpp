// The audience of a campaign run: ONE SQL text that lists every client the campaign's filters
// select on a local day, each either a recipient (reason NULL) or excluded with a reason. Both
// the preview (campaigns/preview.hpp) and the expansion (campaigns/expansion.hpp) run exactly
// this statement, so what a preview shows is what a run enqueues.
//
// The filters are read from the campaigns row itself (server_ids, audience_status,
// audience_anchor + day_offset, plan_ids, channel_ids, tags), never passed around in C++, so the
// two callers cannot disagree about them. Pure text building (any thread); running it blocks
// (worker threads only).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "adapters/postgres/pg.hpp"
#include "campaigns/placeholders.hpp"

namespace disparo::campaigns {

// Exclusion reasons, in the order they are checked (a client gets the first that applies).
// "render_error" is not in the audience statement: the expansion records it for a client whose
// message cannot be rendered (e.g. a too long text), so one client never stops a run.
inline constexpr std::array<std::string_view, 6> kExclusionReasons = {
    "blocked", "archived", "opted_out", "no_session", "no_provider_template",
    "already_reached_today"};
inline constexpr std::string_view kRenderError = "render_error";

// Who and when: the campaign, the tenant-local day the run is for ("today" of the filters and of
// "already reached today") and the run being expanded (its own messages never count as
// "already reached"); nullopt for a preview.
struct AudienceScope {
  std::int64_t tenant_id = 0;
  std::int64_t campaign_id = 0;
  date::local_days day{};
  std::optional<std::int64_t> run_id;
};

// Columns of the audience statement, in order.
enum AudienceColumn : int {
  kClientId = 0, kClientName, kPhone, kUsername, kPassword, kServerId, kServerName, kPlanName,
  kAmountCents, kDueDate, kSessionId, kSessionName, kProvider, kReason, kAudienceColumnCount
};

// The statement ($1 tenant, $2 campaign, $3 day, $4 run id or NULL), ordered by client id.
// Clients in the filters but excluded carry their reason; recipients a NULL reason. A campaign
// of another tenant selects nothing.
const std::string& audience_sql();
pg::Params audience_params(const AudienceScope& scope);

// The render context of one row of the audience statement ({empresa} = tenant_name; {data} =
// scope day; {hora} = local_minutes).
RenderContext context_from_row(const pg::Rows& rows, int row, const std::string& tenant_name,
                               date::local_days day, std::chrono::minutes local_minutes);

// "YYYY-MM-DD" -> date; nullopt when malformed.
std::optional<date::local_days> parse_local_date(std::string_view iso);
std::string format_local_date(date::local_days day);  // "YYYY-MM-DD"

}  // namespace disparo::campaigns
