// Derived state of a client: status (active / overdue / suspended) and category (lead / active /
// inactive / archived). The rules live in ONE place, the SQL functions disparo_client_status and
// disparo_client_category (migration 0005), which every query uses; this is their C++ mirror for
// code that holds a client in memory, property-tested against the SQL (client_state_pgtest).
//
// Pure; any thread. Dates are the tenant's local calendar dates.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace disparo::admin::billing {

enum class ClientStatus { active, overdue, suspended };
enum class ClientCategory { lead, active, inactive, archived };

std::string_view to_string(ClientStatus status);
std::string_view to_string(ClientCategory category);

// Days after the last payment during which a paying client counts as active.
inline constexpr int kActiveWindowDays = 60;

// active: no due date, or today is on or before it; overdue: past due by at most `grace_days`;
// suspended: past due by more (due Dec 5, 5 grace days: overdue Dec 6..10, suspended from Dec 11;
// 0 grace days: suspended from Dec 6). Negative grace counts as 0. Blocked and archived are
// reported as separate flags and do not change the status.
ClientStatus client_status(std::optional<std::chrono::sys_days> due_date, int grace_days, bool blocked,
                           bool archived, std::chrono::sys_days today);

// archived when archived; lead when never paid; active when the last payment is at most 60 days
// before today (a payment dated after today counts as recent); inactive otherwise.
ClientCategory client_category(std::optional<std::chrono::sys_days> last_payment, bool archived,
                               std::chrono::sys_days today);

}  // namespace disparo::admin::billing
