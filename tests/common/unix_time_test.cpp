// provider_unix_seconds: the range of provider times we store, [0, 9999-12-31T23:59:59Z].
#include <gtest/gtest.h>

#include "common/rfc3339.hpp"
#include "common/unix_time.hpp"

namespace disparo {
namespace {

TEST(ProviderUnixSeconds, KeepsTimesInRangeAndZeroesTheRest) {
  EXPECT_EQ(provider_unix_seconds(0), 0);
  EXPECT_EQ(provider_unix_seconds(1'795'407'349), 1'795'407'349);
  EXPECT_EQ(provider_unix_seconds(kLatestUnixSeconds), kLatestUnixSeconds);
  EXPECT_EQ(provider_unix_seconds(kLatestUnixSeconds + 1), 0);
  EXPECT_EQ(provider_unix_seconds(-1), 0);
  EXPECT_EQ(provider_unix_seconds(INT64_MIN), 0);
  EXPECT_EQ(provider_unix_seconds(INT64_MAX), 0);
}

TEST(ProviderUnixSeconds, TheLatestIsTheLastSecondOfYear9999) {
  auto last = parse_rfc3339("9999-12-31T23:59:59Z");
  ASSERT_TRUE(last);
  EXPECT_EQ(std::chrono::floor<std::chrono::seconds>(*last).time_since_epoch().count(), kLatestUnixSeconds);
}

}  // namespace
}  // namespace disparo
