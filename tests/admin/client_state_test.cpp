// The C++ mirror of the derived client state (admin/billing/client_state): the examples
// and properties over random dates. The mirror is checked against the SQL functions in
// client_state_pgtest.
#include "admin/billing/client_state.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace disparo::admin::billing {
namespace {

using namespace std::chrono;

sys_days day(int y, unsigned m, unsigned d) { return sys_days(year{y} / month{m} / d); }

TEST(ClientState, DueDec5With5GraceDaysIsSuspendedFromDec11) {
  const auto due = day(2026, 12, 5);
  EXPECT_EQ(client_status(due, 5, false, false, day(2026, 12, 5)), ClientStatus::active);
  EXPECT_EQ(client_status(due, 5, false, false, day(2026, 12, 6)), ClientStatus::overdue);
  EXPECT_EQ(client_status(due, 5, false, false, day(2026, 12, 10)), ClientStatus::overdue);
  EXPECT_EQ(client_status(due, 5, false, false, day(2026, 12, 11)), ClientStatus::suspended);
}

TEST(ClientState, WithoutGraceDaysSuspendedTheDayAfterDue) {
  EXPECT_EQ(client_status(day(2026, 12, 5), 0, false, false, day(2026, 12, 5)), ClientStatus::active);
  EXPECT_EQ(client_status(day(2026, 12, 5), 0, false, false, day(2026, 12, 6)), ClientStatus::suspended);
}

TEST(ClientState, NoDueDateIsActiveAndFlagsDoNotChangeStatus) {
  EXPECT_EQ(client_status(std::nullopt, 0, true, true, day(2026, 1, 1)), ClientStatus::active);
  EXPECT_EQ(client_status(day(2026, 1, 1), 3, true, false, day(2026, 1, 2)), ClientStatus::overdue);
}

TEST(ClientState, CategoriesByLastPayment) {
  const auto today = day(2026, 11, 22);
  EXPECT_EQ(client_category(std::nullopt, false, today), ClientCategory::lead);
  EXPECT_EQ(client_category(today - days(60), false, today), ClientCategory::active);
  EXPECT_EQ(client_category(today - days(61), false, today), ClientCategory::inactive);
  EXPECT_EQ(client_category(today, true, today), ClientCategory::archived);
  EXPECT_EQ(client_category(std::nullopt, true, today), ClientCategory::archived);
}

TEST(ClientState, Names) {
  EXPECT_EQ(to_string(ClientStatus::suspended), "suspended");
  EXPECT_EQ(to_string(ClientCategory::inactive), "inactive");
}

// As days pass the status only moves forward: active -> overdue -> suspended.
RC_GTEST_PROP(ClientStateProps, StatusNeverMovesBackAsTimePasses, ()) {
  const auto due = day(2020, 1, 1) + days(*rc::gen::inRange(0, 3000));
  const int grace = *rc::gen::inRange(-2, 40);
  const auto today = due + days(*rc::gen::inRange(-100, 100));
  const auto later = today + days(*rc::gen::inRange(0, 100));
  RC_ASSERT(static_cast<int>(client_status(due, grace, false, false, today)) <=
            static_cast<int>(client_status(due, grace, false, false, later)));
}

// Suspended exactly when today - due > max(grace, 0); overdue exactly in between.
RC_GTEST_PROP(ClientStateProps, StatusMatchesTheDayCount, ()) {
  const auto due = day(2020, 1, 1) + days(*rc::gen::inRange(0, 3000));
  const int grace = *rc::gen::inRange(-2, 40);
  const int late = *rc::gen::inRange(-50, 80);
  const auto status = client_status(due, grace, *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(),
                                    due + days(late));
  const int g = std::max(grace, 0);
  RC_ASSERT(status == (late <= 0 ? ClientStatus::active : late <= g ? ClientStatus::overdue : ClientStatus::suspended));
}

}  // namespace
}  // namespace disparo::admin::billing
