#include "admin/billing/due_calendar.hpp"

#include <algorithm>

namespace disparo::admin::billing {

int cycle_months(Cycle cycle) {
  switch (cycle) {
    case Cycle::monthly: return 1;
    case Cycle::bimonthly: return 2;
    case Cycle::quarterly: return 3;
    case Cycle::semiannual: return 6;
    case Cycle::annual: return 12;
  }
  return 1;
}

std::optional<Cycle> parse_cycle(std::string_view text) {
  if (text == "monthly") return Cycle::monthly;
  if (text == "bimonthly") return Cycle::bimonthly;
  if (text == "quarterly") return Cycle::quarterly;
  if (text == "semiannual") return Cycle::semiannual;
  if (text == "annual") return Cycle::annual;
  return std::nullopt;
}

std::string_view to_string(Cycle cycle) {
  switch (cycle) {
    case Cycle::monthly: return "monthly";
    case Cycle::bimonthly: return "bimonthly";
    case Cycle::quarterly: return "quarterly";
    case Cycle::semiannual: return "semiannual";
    case Cycle::annual: return "annual";
  }
  return "monthly";
}

bool valid_due_day(int due_day) { return due_day >= 1 && due_day <= 31; }

date::year_month_day anchored(date::year_month month, int due_day) {
  const auto last = static_cast<unsigned>((month / date::last).day());
  const auto day = std::min(static_cast<unsigned>(due_day), last);
  return month / date::day(day);
}

date::year_month_day extend_due_date(date::year_month_day current, Cycle cycle, int due_day) {
  // year_month arithmetic never touches the day, so no "Jan 31 + 1 month" overflow happens here.
  return anchored(current.year() / current.month() + date::months(cycle_months(cycle)), due_day);
}

date::year_month_day retreat_due_date(date::year_month_day current, Cycle cycle, int due_day) {
  return anchored(current.year() / current.month() - date::months(cycle_months(cycle)), due_day);
}

DueChange apply_payment(const DueInput& input) {
  DueChange change;
  change.previous = input.due_date;
  const auto base = input.due_date.value_or(input.paid_on);
  int due_day = static_cast<int>(static_cast<unsigned>(base.day()));
  if (input.due_day && valid_due_day(*input.due_day)) due_day = *input.due_day;
  change.due_day = due_day;
  change.next = extend_due_date(base, input.cycle, due_day);
  return change;
}

}  // namespace disparo::admin::billing
