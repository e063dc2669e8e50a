// RFC 3339: what callers send (Z, offsets, fractions) and what is refused (impossible dates,
// missing parts), the one output format, and the round trip at microsecond precision.
#include "common/rfc3339.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <string>

namespace disparo {
namespace {

using namespace std::chrono;

SysTime epoch_us(std::int64_t micros) { return SysTime{microseconds{micros}}; }

TEST(Rfc3339, ParsesUtc) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), epoch_us(0));
  EXPECT_EQ(parse_rfc3339("2026-11-22T18:00:00Z"), epoch_us(1795370400LL * 1'000'000));
  EXPECT_EQ(parse_rfc3339("2026-11-22t18:00:00z"), parse_rfc3339("2026-11-22T18:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-11-22 18:00:00Z"), parse_rfc3339("2026-11-22T18:00:00Z"));
}

TEST(Rfc3339, ParsesOffsets) {
  const auto utc = *parse_rfc3339("2026-11-23T14:25:00Z");
  EXPECT_EQ(parse_rfc3339("2026-11-23T11:25:00-03:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-11-23T10:25:00-04:00"), utc);  // Manaus
  EXPECT_EQ(parse_rfc3339("2026-11-23T15:25:00+01:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-11-23T20:10:00+05:45"), utc);
  EXPECT_EQ(parse_rfc3339("2026-11-23T14:25:00+00:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-11-23T14:25:00-00:00"), utc);
  // Crossing midnight and the year.
  EXPECT_EQ(parse_rfc3339("2026-12-31T22:00:00-03:00"), parse_rfc3339("2027-01-01T01:00:00Z"));
}

TEST(Rfc3339, ParsesFractions) {
  const auto base = *parse_rfc3339("2026-01-01T00:00:00Z");
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.5Z"), base + 500ms);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.123Z"), base + 123ms);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.000001Z"), base + 1us);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.1234567Z"), base + 123456us);   // kept to microseconds
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.999999999Z"), base + 999999us);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.250-03:00"), base + 3h + 250ms);
}

TEST(Rfc3339, LeapYears) {
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2000-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2100-02-29T00:00:00Z"));
}

TEST(Rfc3339, RefusesInvalid) {
  for (const char* text : {
           "", "2026", "2026-02-30T12:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
           "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
           "2026-01-01T23:59:60Z", "2026-01-01T00:00:00", "2026-01-01", "2026-01-01T00:00Z",
           "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z", "2026-01-01T00:00:00+0300",
           "2026-01-01T00:00:00+03", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+03:60",
           "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00Z ", " 2026-01-01T00:00:00Z", "2026-1-01T00:00:00Z",
           "2026/01/01T00:00:00Z", "2026-01-01X00:00:00Z", "1969-12-31T23:59:59Z", "+2026-01-01T00:00:00Z",
           "2026-01-01T00:00:00.-1Z", "2026-01-01T0a:00:00Z", "١٩٧٠-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  }
}

TEST(Rfc3339, FormatsUtcWithMicroseconds) {
  EXPECT_EQ(format_rfc3339(epoch_us(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-23T11:25:00.123-03:00")), "2026-11-23T14:25:00.123000Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2099-12-31T23:59:59.999999Z")), "2099-12-31T23:59:59.999999Z");
}

constexpr std::int64_t kYear2100Micros = 4102444800LL * 1'000'000;  // 2100-01-01T00:00:00Z

RC_GTEST_PROP(Rfc3339Property, FormatThenParseIsIdentity, ()) {
  const auto t = epoch_us(*rc::gen::inRange<std::int64_t>(0, kYear2100Micros));
  const auto text = format_rfc3339(t);
  RC_ASSERT(text.size() == 27u);
  RC_ASSERT(parse_rfc3339(text) == t);
}

RC_GTEST_PROP(Rfc3339Property, ParseThenFormatIsIdentityOnCanonicalText, ()) {
  const auto t = epoch_us(*rc::gen::inRange<std::int64_t>(0, kYear2100Micros));
  const auto text = format_rfc3339(t);
  RC_ASSERT(format_rfc3339(*parse_rfc3339(text)) == text);
}

// The same instant written in any offset parses to the same time.
RC_GTEST_PROP(Rfc3339Property, OffsetsDescribeTheSameInstant, ()) {
  const auto t = epoch_us(*rc::gen::inRange<std::int64_t>(86'400'000'000LL, kYear2100Micros));
  const int offset_minutes = *rc::gen::inRange(-23 * 60 - 59, 23 * 60 + 60);
  const auto local = t + minutes{offset_minutes};
  auto text = format_rfc3339(local);  // "...Z" in local wall time
  text.pop_back();
  char offset[16];
  const int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(offset, sizeof offset, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
  RC_ASSERT(parse_rfc3339(text + offset) == t);
}

}  // namespace
}  // namespace disparo
