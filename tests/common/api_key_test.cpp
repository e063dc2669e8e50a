// API keys and webhook secrets: shape, hashing, uniqueness.
#include "common/api_key.hpp"

#include <gtest/gtest.h>

#include "common/crypto.hpp"

namespace disparo {
namespace {

TEST(ApiKeyTest, MintedKeyHasTheDocumentedShape) {
  const MintedApiKey minted = mint_api_key();
  ASSERT_EQ(minted.key.size(), 44u);
  EXPECT_EQ(minted.key.substr(0, 4), "dsp_");
  EXPECT_TRUE(looks_like_api_key(minted.key));
  EXPECT_EQ(minted.prefix, minted.key.substr(0, 12));
  EXPECT_EQ(minted.hash, crypto::sha256_hex(minted.key));
  EXPECT_EQ(minted.hash.size(), 64u);
}

TEST(ApiKeyTest, MintedKeysDiffer) {
  const MintedApiKey a = mint_api_key();
  const MintedApiKey b = mint_api_key();
  EXPECT_NE(a.key, b.key);
  EXPECT_NE(a.hash, b.hash);
}

TEST(ApiKeyTest, HashIsSha256Hex) {
  EXPECT_EQ(api_key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKeyTest, LooksLikeApiKeyRejectsOtherShapes) {
  const std::string good = "dsp_" + std::string(40, 'a');
  EXPECT_TRUE(looks_like_api_key(good));
  EXPECT_FALSE(looks_like_api_key(""));
  EXPECT_FALSE(looks_like_api_key("dsp_"));
  EXPECT_FALSE(looks_like_api_key("dsp_" + std::string(39, 'a')));
  EXPECT_FALSE(looks_like_api_key("dsp_" + std::string(41, 'a')));
  EXPECT_FALSE(looks_like_api_key("DSP_" + std::string(40, 'a')));
  EXPECT_FALSE(looks_like_api_key("key_" + std::string(40, 'a')));
  EXPECT_FALSE(looks_like_api_key("dsp_" + std::string(39, 'a') + "-"));
  EXPECT_FALSE(looks_like_api_key("dsp_" + std::string(39, 'a') + "\xc3"));
}

TEST(WebhookSecretTest, IsStandardWebhooksFormatWith24RandomBytes) {
  const std::string secret = mint_webhook_secret();
  ASSERT_EQ(secret.substr(0, 6), "whsec_");
  EXPECT_EQ(secret.size(), 6u + 32u);
  std::string key;
  ASSERT_TRUE(crypto::base64_decode(secret.substr(6), key));
  EXPECT_EQ(key.size(), 24u);
  EXPECT_NE(secret, mint_webhook_secret());
}

}  // namespace
}  // namespace disparo
