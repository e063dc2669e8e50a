// The due-date calendar (admin/billing/due_calendar.hpp): examples from issue 5 and properties
// over every cycle, month end and leap year.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "admin/billing/due_calendar.hpp"

namespace disparo::admin::billing {
namespace {

using date::year_month_day;
using namespace date::literals;  // 2024_y, jan, ...

constexpr Cycle kCycles[] = {Cycle::monthly, Cycle::bimonthly, Cycle::quarterly, Cycle::semiannual,
                             Cycle::annual};

year_month_day ymd(int y, unsigned m, unsigned d) {
  return date::year(y) / date::month(m) / date::day(d);
}

TEST(DueCalendar, DueDay31WalksThroughShortMonthsWithoutDrifting) {
  // The example: Jan 31 -> Feb 29 (2024 is a leap year) -> Mar 31 -> Apr 30 -> May 31.
  auto d = ymd(2024, 1, 31);
  d = extend_due_date(d, Cycle::monthly, 31);
  EXPECT_EQ(d, ymd(2024, 2, 29));
  d = extend_due_date(d, Cycle::monthly, 31);
  EXPECT_EQ(d, ymd(2024, 3, 31));
  d = extend_due_date(d, Cycle::monthly, 31);
  EXPECT_EQ(d, ymd(2024, 4, 30));
  d = extend_due_date(d, Cycle::monthly, 31);
  EXPECT_EQ(d, ymd(2024, 5, 31));
}

TEST(DueCalendar, FebruaryOfACommonYearHas28Days) {
  EXPECT_EQ(extend_due_date(ymd(2025, 1, 31), Cycle::monthly, 31), ymd(2025, 2, 28));
  EXPECT_EQ(extend_due_date(ymd(2025, 1, 30), Cycle::monthly, 30), ymd(2025, 2, 28));
  EXPECT_EQ(extend_due_date(ymd(2025, 2, 28), Cycle::monthly, 30), ymd(2025, 3, 30));
  // 1900 is not a leap year, 2000 is.
  EXPECT_EQ(extend_due_date(ymd(1900, 1, 29), Cycle::monthly, 29), ymd(1900, 2, 28));
  EXPECT_EQ(extend_due_date(ymd(2000, 1, 29), Cycle::monthly, 29), ymd(2000, 2, 29));
}

TEST(DueCalendar, EveryCycleAddsItsMonths) {
  EXPECT_EQ(extend_due_date(ymd(2026, 11, 10), Cycle::monthly, 10), ymd(2026, 12, 10));
  EXPECT_EQ(extend_due_date(ymd(2026, 11, 10), Cycle::bimonthly, 10), ymd(2027, 1, 10));
  EXPECT_EQ(extend_due_date(ymd(2026, 11, 10), Cycle::quarterly, 10), ymd(2027, 2, 10));
  EXPECT_EQ(extend_due_date(ymd(2026, 8, 31), Cycle::semiannual, 31), ymd(2027, 2, 28));
  EXPECT_EQ(extend_due_date(ymd(2024, 2, 29), Cycle::annual, 29), ymd(2025, 2, 28));
  EXPECT_EQ(extend_due_date(ymd(2027, 2, 28), Cycle::annual, 29), ymd(2028, 2, 29));
}

TEST(DueCalendar, RetreatUndoesExtend) {
  EXPECT_EQ(retreat_due_date(ymd(2024, 3, 31), Cycle::monthly, 31), ymd(2024, 2, 29));
  EXPECT_EQ(retreat_due_date(ymd(2024, 2, 29), Cycle::monthly, 31), ymd(2024, 1, 31));
  EXPECT_EQ(retreat_due_date(ymd(2027, 1, 10), Cycle::bimonthly, 10), ymd(2026, 11, 10));
}

TEST(DueCalendar, FirstPaymentStartsFromThePaymentDay) {
  DueInput input;
  input.paid_on = ymd(2026, 1, 31);
  input.cycle = Cycle::monthly;
  auto change = apply_payment(input);
  EXPECT_FALSE(change.previous.has_value());
  EXPECT_EQ(change.due_day, 31);
  EXPECT_EQ(change.next, ymd(2026, 2, 28));
  EXPECT_FALSE(roll_back(change).has_value());
}

TEST(DueCalendar, ExistingDueDateIsExtendedOnTheClientsDueDay) {
  DueInput input;
  input.due_date = ymd(2026, 2, 28);
  input.due_day = 31;
  input.cycle = Cycle::quarterly;
  input.paid_on = ymd(2026, 3, 5);  // paying late does not move the anchor
  auto change = apply_payment(input);
  EXPECT_EQ(change.next, ymd(2026, 5, 31));
  EXPECT_EQ(roll_back(change), ymd(2026, 2, 28));
}

TEST(DueCalendar, CyclesParseAndPrint) {
  for (auto cycle : kCycles) EXPECT_EQ(parse_cycle(to_string(cycle)), cycle);
  EXPECT_FALSE(parse_cycle("weekly").has_value());
  EXPECT_FALSE(parse_cycle("").has_value());
  EXPECT_TRUE(valid_due_day(1));
  EXPECT_TRUE(valid_due_day(31));
  EXPECT_FALSE(valid_due_day(0));
  EXPECT_FALSE(valid_due_day(32));
}

// Generators: years around now (incl. 1900/2000/2100 century rules), any anchor day, any cycle.
rc::Gen<Cycle> gen_cycle() { return rc::gen::elementOf(std::vector<Cycle>(std::begin(kCycles), std::end(kCycles))); }
rc::Gen<int> gen_year() { return rc::gen::inRange(1890, 2210); }

year_month_day anchored_start(int year, unsigned month, int due_day) {
  return anchored(date::year(year) / date::month(month), due_day);
}

RC_GTEST_PROP(DueCalendarProps, ResultIsAlwaysAValidDateOnTheAnchorOrTheMonthEnd, ()) {
  const int year = *gen_year();
  const unsigned month = *rc::gen::inRange(1u, 13u);
  const int due_day = *rc::gen::inRange(1, 32);
  const auto cycle = *gen_cycle();
  const auto next = extend_due_date(anchored_start(year, month, due_day), cycle, due_day);
  RC_ASSERT(next.ok());
  const auto last = static_cast<int>(static_cast<unsigned>((next.year() / next.month() / date::last).day()));
  RC_ASSERT(static_cast<int>(static_cast<unsigned>(next.day())) == std::min(due_day, last));
}

RC_GTEST_PROP(DueCalendarProps, ExtendMovesExactlyTheCyclesMonths, ()) {
  const int year = *gen_year();
  const unsigned month = *rc::gen::inRange(1u, 13u);
  const int due_day = *rc::gen::inRange(1, 32);
  const auto cycle = *gen_cycle();
  const auto start = anchored_start(year, month, due_day);
  const auto next = extend_due_date(start, cycle, due_day);
  const auto months = (next.year() / next.month()) - (start.year() / start.month());
  RC_ASSERT(months.count() == cycle_months(cycle));
  RC_ASSERT(next > start);
}

RC_GTEST_PROP(DueCalendarProps, ExtendThenRetreatIsIdentity, ()) {
  const int year = *gen_year();
  const unsigned month = *rc::gen::inRange(1u, 13u);
  const int due_day = *rc::gen::inRange(1, 32);
  const auto cycle = *gen_cycle();
  const auto start = anchored_start(year, month, due_day);
  RC_ASSERT(retreat_due_date(extend_due_date(start, cycle, due_day), cycle, due_day) == start);
  RC_ASSERT(extend_due_date(retreat_due_date(start, cycle, due_day), cycle, due_day) == start);
}

RC_GTEST_PROP(DueCalendarProps, AnchoringNeverDrifts, ()) {
  // After n extensions, the date equals the anchor applied directly n cycles later: clamping in a
  // short month never leaks into the following months.
  const int year = *gen_year();
  const unsigned month = *rc::gen::inRange(1u, 13u);
  const int due_day = *rc::gen::inRange(1, 32);
  const auto cycle = *gen_cycle();
  const int steps = *rc::gen::inRange(1, 40);
  const auto start = anchored_start(year, month, due_day);
  auto d = start;
  for (int i = 0; i < steps; ++i) d = extend_due_date(d, cycle, due_day);
  const auto expected = anchored(start.year() / start.month() + date::months(steps * cycle_months(cycle)), due_day);
  RC_ASSERT(d == expected);
}

RC_GTEST_PROP(DueCalendarProps, PaymentsThenRollbacksRestoreEveryDueDate, ()) {
  // A client pays n times (each payment remembering what it replaced); rolling the payments back
  // latest first walks the exact same dates backwards, down to "no due date".
  const int year = *gen_year();
  const unsigned month = *rc::gen::inRange(1u, 13u);
  const unsigned day = *rc::gen::inRange(1u, 29u);
  const auto cycle = *gen_cycle();
  const int count = *rc::gen::inRange(1, 20);
  std::optional<int> due_day;
  if (*rc::gen::arbitrary<bool>()) due_day = *rc::gen::inRange(1, 32);

  std::optional<year_month_day> due;
  std::vector<DueChange> history;
  std::vector<std::optional<year_month_day>> seen{due};
  for (int i = 0; i < count; ++i) {
    DueInput input{due, due_day, cycle, date::year(year) / date::month(month) / date::day(day)};
    auto change = apply_payment(input);
    due_day = change.due_day;
    due = change.next;
    history.push_back(change);
    seen.push_back(due);
  }
  while (!history.empty()) {
    RC_ASSERT(due == seen.back());
    seen.pop_back();
    due = roll_back(history.back());
    history.pop_back();
  }
  RC_ASSERT(!due.has_value());
}

RC_GTEST_PROP(DueCalendarProps, LeapDayOnlyInLeapYears, ()) {
  const int year = *gen_year();
  const auto feb = extend_due_date(anchored_start(year, 1, 31), Cycle::monthly, 31);
  const bool leap = date::year(year).is_leap();
  RC_ASSERT(static_cast<unsigned>(feb.day()) == (leap ? 29u : 28u));
}

}  // namespace
}  // namespace disparo::admin::billing
