// DueCalendar: how a payment moves a client's due date, and how removing it moves the date back.
//
// Rules (issue 5): a payment extends the due date by the plan's cycle (1, 2, 3, 6 or 12 months),
// anchored on the client's due day and clamped to the month's length, so a due day of 31 gives
// Jan 31 -> Feb 28/29 -> Mar 31: the day is always recomputed from the anchor, never carried over
// from the previous (clamped) date, so it never drifts. Rolling back the latest payment restores
// the due date it replaced (stored with the payment; retreat_due_date() is the same rule backwards
// for callers that have no stored value).
//
// Pure calendar arithmetic on civil dates (date::year_month_day); no time zones here: callers pass
// the tenant's local date. Any thread.
#pragma once

#include <optional>
#include <string_view>

#include <date/date.h>

namespace disparo::admin::billing {

enum class Cycle { monthly, bimonthly, quarterly, semiannual, annual };

// 1, 2, 3, 6, 12.
int cycle_months(Cycle cycle);
// "monthly" ... "annual"; nullopt for anything else.
std::optional<Cycle> parse_cycle(std::string_view text);
std::string_view to_string(Cycle cycle);

// A due day is 1..31 (the day of month the client pays on; clamped in short months).
bool valid_due_day(int due_day);

// The date in `month` on `due_day`, clamped to that month's last day. due_day must be valid.
date::year_month_day anchored(date::year_month month, int due_day);

// The due date one cycle after `current`, on the anchor day. due_day must be valid.
date::year_month_day extend_due_date(date::year_month_day current, Cycle cycle, int due_day);
// The due date one cycle before `current`, on the anchor day: the inverse of extend_due_date()
// for every date that is itself anchored (anchored(month of d, due_day) == d).
date::year_month_day retreat_due_date(date::year_month_day current, Cycle cycle, int due_day);

// What recording a payment does to a client's due date.
struct DueChange {
  std::optional<date::year_month_day> previous;  // none for a client's first due date
  date::year_month_day next;
  int due_day = 1;  // the anchor used (the client's, or the one this payment established)
};

// The client as the calendar needs it. A client without a due date yet starts from the day it
// paid (`paid_on`, tenant local date); a client without a due day anchors on its current due
// date's day, or else on `paid_on`'s day.
struct DueInput {
  std::optional<date::year_month_day> due_date;
  std::optional<int> due_day;
  Cycle cycle = Cycle::monthly;
  date::year_month_day paid_on;
};
DueChange apply_payment(const DueInput& input);

// Rolling back the payment that made `change` restores what it replaced.
inline std::optional<date::year_month_day> roll_back(const DueChange& change) { return change.previous; }

}  // namespace disparo::admin::billing
