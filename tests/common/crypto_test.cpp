// Crypto helpers against published vectors (FIPS 180-2, RFC 4231, RFC 4648) and properties.
#include "common/crypto.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <string>

namespace disparo::crypto {
namespace {

TEST(CryptoTest, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, HmacSha256Rfc4231Case1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hmac_sha256_hex(key, "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(CryptoTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, HmacRawIsTheBytesOfTheHex) {
  const std::string raw = hmac_sha256_raw("Jefe", "what do ya want for nothing?");
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x5b);
  EXPECT_EQ(static_cast<unsigned char>(raw[31]), 0x43);
}

TEST(CryptoTest, HmacWithEmptyKeyAndData) {
  EXPECT_EQ(hmac_sha256_hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(CryptoTest, Base64Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [raw, text] : vectors) {
    EXPECT_EQ(base64_encode(raw), text);
    std::string decoded = "garbage";
    ASSERT_TRUE(base64_decode(text, decoded)) << text;
    EXPECT_EQ(decoded, raw);
  }
  std::string decoded;
  ASSERT_TRUE(base64_decode("+/+/", decoded));
  EXPECT_EQ(decoded, "\xfb\xff\xbf");
}

TEST(CryptoTest, Base64RejectsMalformedText) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "=Zm9", "Zg=a", "Zm9v\n", "Zm 9v", " Zm9v",
                          "Zm9v====", "Zm9-", "Zm9_", "Zm9v\xff\xff\xff\xff"}) {
    std::string out;
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
  }
}

TEST(CryptoTest, Base64UrlIsUrlSafeUnpaddedAndStrict) {
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  std::string decoded;
  ASSERT_TRUE(base64url_decode("-_-_", decoded));
  EXPECT_EQ(decoded, "\xfb\xff\xbf");
  ASSERT_TRUE(base64url_decode("Zm8", decoded));
  EXPECT_EQ(decoded, "fo");
  for (const char* bad : {"+/+/", "Zg==", "Zm9vY", "Zm 9", "Zm9v\n"}) {
    std::string out;
    EXPECT_FALSE(base64url_decode(bad, out)) << bad;
  }
}

RC_GTEST_PROP(CryptoProperty, Base64UrlRoundTrips, (const std::string& raw)) {
  const std::string text = base64url_encode(raw);
  RC_ASSERT(text.find_first_of("+/=") == std::string::npos);
  std::string decoded;
  RC_ASSERT(base64url_decode(text, decoded));
  RC_ASSERT(decoded == raw);
}

RC_GTEST_PROP(CryptoProperty, Base64RoundTrips, (const std::string& raw)) {
  const std::string text = base64_encode(raw);
  RC_ASSERT(text.size() == 4 * ((raw.size() + 2) / 3));
  std::string decoded;
  RC_ASSERT(base64_decode(text, decoded));
  RC_ASSERT(decoded == raw);
}

RC_GTEST_PROP(CryptoProperty, Base64DecodeNeverCrashesOnArbitraryText, ()) {
  const auto text = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  std::string decoded;
  if (base64_decode(text, decoded)) RC_ASSERT(base64_encode(decoded).size() == text.size());
}

TEST(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret!"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(CryptoTest, RandomTokenHasTheLengthAndAlphabet) {
  EXPECT_EQ(random_token(0), "");
  const std::string token = random_token(1000);
  ASSERT_EQ(token.size(), 1000u);
  for (char c : token) {
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << c;
  }
  EXPECT_NE(random_token(32), random_token(32));
}

TEST(CryptoTest, RandomTokenUsesTheWholeAlphabet) {
  // 20000 uniform draws miss one of 62 characters with probability ~62 * e^-325.
  const std::string token = random_token(20000);
  const std::set<char> seen(token.begin(), token.end());
  EXPECT_EQ(seen.size(), 62u);
}

TEST(CryptoTest, RandomBytes) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(24).size(), 24u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

constexpr std::string_view kSecret = "meta-app-secret";
constexpr std::string_view kBody = R"({"object":"whatsapp_business_account","entry":[]})";

TEST(HubSignatureTest, KnownValue) {
  EXPECT_EQ(hub_signature_256("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HubSignatureTest, AcceptsTheCorrectSignatureInEitherCase) {
  const std::string header = hub_signature_256(kSecret, kBody);
  EXPECT_TRUE(verify_hub_signature_256(kSecret, kBody, header));
  std::string upper = header;
  for (std::size_t i = 7; i < upper.size(); ++i) {
    if (upper[i] >= 'a' && upper[i] <= 'f') upper[i] = static_cast<char>(upper[i] - 'a' + 'A');
  }
  EXPECT_TRUE(verify_hub_signature_256(kSecret, kBody, upper));
}

TEST(HubSignatureTest, RejectsWrongSecretBodyPrefixOrLength) {
  const std::string header = hub_signature_256(kSecret, kBody);
  const std::string hex = header.substr(7);
  EXPECT_FALSE(verify_hub_signature_256("other-secret", kBody, header));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, std::string(kBody) + " ", header));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, "sha1=" + hex));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, "SHA256=" + hex));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, hex));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, header.substr(0, header.size() - 1)));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, header + "0"));
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, ""));
  std::string not_hex = header;
  not_hex.back() = 'g';
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, not_hex));
  std::string one_bit = header;
  one_bit.back() = (one_bit.back() == '0') ? '1' : '0';
  EXPECT_FALSE(verify_hub_signature_256(kSecret, kBody, one_bit));
}

TEST(HubSignatureTest, EmptySecretVerifiesNothing) {
  EXPECT_FALSE(verify_hub_signature_256("", kBody, hub_signature_256("", kBody)));
}

}  // namespace
}  // namespace disparo::crypto
