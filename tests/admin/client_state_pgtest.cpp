// The C++ mirror of the derived client state (admin/billing/client_state) against the SQL
// functions every query uses (disparo_client_status / disparo_client_category, migration 0005):
// random inputs, evaluated by both, must agree.
#include <chrono>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "admin/billing/client_state.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin::billing {
namespace {

using namespace std::chrono;

std::string iso(sys_days d) {
  year_month_day ymd(d);
  std::ostringstream out;
  out << static_cast<int>(ymd.year()) << '-' << (static_cast<unsigned>(ymd.month()) < 10 ? "0" : "")
      << static_cast<unsigned>(ymd.month()) << '-' << (static_cast<unsigned>(ymd.day()) < 10 ? "0" : "")
      << static_cast<unsigned>(ymd.day());
  return out.str();
}

class ClientStateSql : public ::testing::Test {
 protected:
  ClientStateSql() : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()) {}
  disparo::test::TestDatabase db_;
  pg::Connection conn_;
};

TEST_F(ClientStateSql, MirrorAgreesWithTheSqlFunctions) {
  auto& conn = conn_;
  const bool ok = rc::check("status and category agree", [&conn] {
    const auto base = sys_days(year{2024} / 1 / 1);
    const auto today = base + days(*rc::gen::inRange(0, 1200));  // crosses leap day 2024-02-29
    const bool has_due = *rc::gen::weightedElement<bool>({{1, false}, {6, true}});
    const auto due = today + days(*rc::gen::inRange(-70, 70));
    const int grace = *rc::gen::inRange(-1, 35);
    const bool blocked = *rc::gen::arbitrary<bool>();
    const bool archived = *rc::gen::weightedElement<bool>({{4, false}, {1, true}});
    const bool has_payment = *rc::gen::arbitrary<bool>();
    const auto paid = today - days(*rc::gen::inRange(-5, 130));

    auto rows = conn.exec(
        "SELECT disparo_client_status($1::date, $2::int, $3::boolean, $4::timestamptz, $5::date), "
        "       disparo_client_category($6::date, $4::timestamptz, $5::date)",
        {has_due ? std::optional<std::string>(iso(due)) : std::nullopt, std::to_string(grace),
         blocked ? "true" : "false", archived ? std::optional<std::string>("2024-01-01T00:00:00Z") : std::nullopt,
         iso(today), has_payment ? std::optional<std::string>(iso(paid)) : std::nullopt});
    RC_ASSERT(rows.has_value());
    const auto status = client_status(has_due ? std::optional(due) : std::nullopt, grace, blocked, archived, today);
    const auto category = client_category(has_payment ? std::optional(paid) : std::nullopt, archived, today);
    RC_ASSERT(rows->text(0, 0) == to_string(status));
    RC_ASSERT(rows->text(0, 1) == to_string(category));
  });
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace disparo::admin::billing
