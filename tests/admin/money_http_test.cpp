// Query strings, ids, RFC 3339 and date checks of the money routes (admin/money/http_helpers.hpp).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "admin/money/http_helpers.hpp"

namespace disparo::admin::money {
namespace {

TEST(MoneyQuery, DecodesAndReadsTypedValues) {
  Query q("/v1/payments?client_id=42&method=pix&from=2026-11-01&name=Jo%C3%A3o+Silva&flag=true");
  EXPECT_EQ(q.positive_id("client_id"), 42);
  EXPECT_EQ(q.one_of("method", {"pix", "card"}), "pix");
  EXPECT_EQ(q.date("from"), "2026-11-01");
  EXPECT_EQ(q.get("name"), "João Silva");
  EXPECT_EQ(q.boolean("flag"), true);
  EXPECT_FALSE(q.get("absent").has_value());
  EXPECT_TRUE(q.ok());
}

TEST(MoneyQuery, RecordsOneErrorPerBadParameter) {
  Query q("/x?client_id=0&method=wire&from=2026-02-30&limit=9999&bogus=1&flag=yes");
  q.reject_unknown({"client_id", "method", "from", "limit", "flag"});
  q.positive_id("client_id");
  q.one_of("method", {"pix"});
  q.date("from");
  q.integer_in("limit", 1, 500);
  q.boolean("flag");
  ASSERT_EQ(q.errors().size(), 6u);
  EXPECT_EQ(q.errors()[0].field, "bogus");
}

TEST(MoneyQuery, MalformedEscapeIsAnError) {
  Query q("/x?a=%zz");
  EXPECT_FALSE(q.ok());
  EXPECT_FALSE(percent_decode("%4", false).has_value());
  EXPECT_EQ(percent_decode("a%20b+c", false), "a b+c");
}

TEST(MoneyValues, Rfc3339) {
  EXPECT_TRUE(is_rfc3339("2026-11-22T21:00:00Z"));
  EXPECT_TRUE(is_rfc3339("2026-11-22T18:00:00.123456-03:00"));
  EXPECT_TRUE(is_rfc3339("2024-02-29t00:00:00z"));
  EXPECT_FALSE(is_rfc3339("2026-11-22T21:00:00"));       // no offset
  EXPECT_FALSE(is_rfc3339("2026-11-22 21:00:00Z"));      // space
  EXPECT_FALSE(is_rfc3339("2025-02-29T00:00:00Z"));      // no such day
  EXPECT_FALSE(is_rfc3339("2026-11-22T24:00:00Z"));
  EXPECT_FALSE(is_rfc3339("2026-11-22T21:00:00.Z"));
  EXPECT_FALSE(is_rfc3339("2026-11-22T21:00:00+3:00"));
}

TEST(MoneyValues, IdsAndDates) {
  EXPECT_EQ(parse_id("1"), 1);
  EXPECT_EQ(parse_id("900719925474099"), 900719925474099);
  EXPECT_FALSE(parse_id("0").has_value());
  EXPECT_FALSE(parse_id("01").has_value());
  EXPECT_FALSE(parse_id("-1").has_value());
  EXPECT_FALSE(parse_id("1x").has_value());
  EXPECT_FALSE(parse_id("").has_value());
  EXPECT_FALSE(parse_id("9999999999999999999").has_value());
  EXPECT_TRUE(is_iso_date("2024-02-29"));
  EXPECT_FALSE(is_iso_date("2023-02-29"));
  EXPECT_FALSE(is_iso_date("2023-2-28"));
}

RC_GTEST_PROP(MoneyQueryProps, PercentEncodingRoundTrips, (std::string text)) {
  std::string encoded;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : text) {
    encoded += '%';
    encoded += hex[c >> 4];
    encoded += hex[c & 15];
  }
  RC_ASSERT(percent_decode(encoded, true) == text);
  Query q("/p?v=" + encoded);
  RC_ASSERT(q.get("v") == text);
}

RC_GTEST_PROP(MoneyQueryProps, NeverThrowsOnArbitraryTargets, (std::string target)) {
  Query q(target);
  q.positive_id("a");
  q.boolean("b");
  q.date("c");
  q.integer_in("d", 0, 10);
  RC_SUCCEED();
}

}  // namespace
}  // namespace disparo::admin::money
