// Brazilian money and date formatting (admin/billing/money_format.hpp).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>

#include "admin/billing/money_format.hpp"

namespace disparo::admin::billing {
namespace {

TEST(MoneyFormat, Brl) {
  EXPECT_EQ(format_brl(0), "R$ 0,00");
  EXPECT_EQ(format_brl(5), "R$ 0,05");
  EXPECT_EQ(format_brl(123456), "R$ 1.234,56");
  EXPECT_EQ(format_brl(100000000), "R$ 1.000.000,00");
  EXPECT_EQ(format_brl(-500), "-R$ 5,00");
  EXPECT_EQ(format_brl(std::numeric_limits<std::int64_t>::min()), "-R$ 92.233.720.368.547.758,08");
}

TEST(MoneyFormat, DecimalComma) {
  EXPECT_EQ(decimal_comma(0), "0,00");
  EXPECT_EQ(decimal_comma(123456), "1234,56");
  EXPECT_EQ(decimal_comma(-5), "-0,05");
}

TEST(MoneyFormat, BrDate) {
  EXPECT_EQ(br_date("2026-11-22"), "22/11/2026");
  EXPECT_EQ(br_date("2026-01-05T10:00:00Z"), "05/01/2026");
  EXPECT_EQ(br_date("soon"), "soon");
}

RC_GTEST_PROP(MoneyFormatProps, DecimalCommaRoundTrips, (std::int64_t cents)) {
  const auto text = decimal_comma(cents);
  const auto comma = text.find(',');
  RC_ASSERT(comma != std::string::npos);
  RC_ASSERT(text.size() - comma == 3);
  // Reading it back as "units,cents" gives the same number (checked in unsigned arithmetic).
  const bool negative = text[0] == '-';
  std::uint64_t m = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') m = m * 10 + static_cast<unsigned>(c - '0');
  }
  const std::uint64_t expected = cents < 0 ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  RC_ASSERT(m == expected);
  RC_ASSERT(negative == (cents < 0));
}

}  // namespace
}  // namespace disparo::admin::billing
