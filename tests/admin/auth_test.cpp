// Pure parts of authentication: the bearer token and the master key comparison.
#include "admin/auth.hpp"

#include <gtest/gtest.h>

namespace disparo::admin {
namespace {

TEST(BearerToken, ParsesTheToken) {
  EXPECT_EQ(bearer_token("Bearer dsp_abc"), std::optional<std::string_view>("dsp_abc"));
  EXPECT_EQ(bearer_token("bearer dsp_abc"), std::optional<std::string_view>("dsp_abc"));
  EXPECT_EQ(bearer_token("BEARER   dsp_abc  "), std::optional<std::string_view>("dsp_abc"));
}

TEST(BearerToken, RejectsOtherShapes) {
  EXPECT_FALSE(bearer_token(""));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Basic dXNlcjpwYXNz"));
  EXPECT_FALSE(bearer_token("Bearer two tokens"));
  EXPECT_FALSE(bearer_token("Bearer " + std::string(300, 'x')));
  EXPECT_FALSE(bearer_token("Bearerdsp_abc"));
}

TEST(MasterKey, MatchesOnlyTheConfiguredKey) {
  EXPECT_TRUE(master_key_matches("master-key-0123456789", "master-key-0123456789"));
  EXPECT_FALSE(master_key_matches("master-key-0123456789", "master-key-012345678"));
  EXPECT_FALSE(master_key_matches("master-key-0123456789", ""));
  // An empty configured key disables the routes: nothing matches it, not even "".
  EXPECT_FALSE(master_key_matches("", ""));
}

}  // namespace
}  // namespace disparo::admin
