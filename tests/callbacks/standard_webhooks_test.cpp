// Standard Webhooks signing and verification: fixed vectors checked against the reference
// implementation (npm "standardwebhooks" 1.0.0, Webhook(secret).sign(id, date, body)), the
// receiver's checks (tolerance, wrong secret, tampering, several signatures) and round-trip
// properties.
#include "dispatcher/callbacks/standard_webhooks.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace disparo::dispatch::standard_webhooks {
namespace {

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kOtherSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";

struct Vector {
  std::string secret;
  std::string id;
  std::int64_t timestamp;
  std::string body;
  std::string signature;
};

// Each signature was produced by the reference library for the same inputs.
const Vector kVectors[] = {
    // The example of the specification's own test suite.
    {std::string(kSecret), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})",
     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
    // A body shaped like our callbacks.
    {std::string(kSecret), "msg_42", 1767225600,
     R"({"type":"message.sent","timestamp":"2026-01-01T00:00:00.000000Z","data":{"id":"7","status":"sent"}})",
     "v1,drhw4PQIZMgiaEDhHctOp8FTa6zhh2obeesR+/Gvbhg="},
    // An empty body and a secret of known bytes 0x00..0x17.
    {std::string(kOtherSecret), "msg_1", 1700000000, "",
     "v1,1mgOj6TVhp3BSMcTTSkIcSqwMImLcuoATUkCX45722Q="},
};

TEST(StandardWebhooksTest, SignaturesMatchTheReferenceImplementation) {
  for (const auto& v : kVectors) {
    auto key = decode_secret(v.secret);
    ASSERT_TRUE(key) << v.secret;
    EXPECT_EQ(signature(*key, v.id, v.timestamp, v.body), v.signature) << v.id;
    auto headers = sign(v.secret, v.id, v.timestamp, v.body);
    ASSERT_TRUE(headers);
    EXPECT_EQ(headers->id, v.id);
    EXPECT_EQ(headers->timestamp, std::to_string(v.timestamp));
    EXPECT_EQ(headers->signature, v.signature);
  }
}

TEST(StandardWebhooksTest, ReferenceSignaturesVerify) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(verify(v.secret, v.id, std::to_string(v.timestamp), v.signature, v.body, v.timestamp),
              Verdict::ok)
        << v.id;
  }
}

TEST(StandardWebhooksTest, SecretDecodesWithOrWithoutPrefix) {
  auto with = decode_secret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX");
  auto without = decode_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYX");
  ASSERT_TRUE(with);
  ASSERT_TRUE(without);
  EXPECT_EQ(*with, *without);
  ASSERT_EQ(with->size(), 24u);
  for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(static_cast<unsigned char>((*with)[i]), i);
}

TEST(StandardWebhooksTest, InvalidSecretsAreRefused) {
  for (const char* bad : {"", "whsec_", "secret", "whsec_not base64!", "whsec_abc", "whsec_===="}) {
    auto key = decode_secret(bad);
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().kind, ErrorKind::invalid_argument);
    EXPECT_FALSE(sign(std::string(bad), "evt_1", 1, "{}")) << bad;
  }
  EXPECT_FALSE(sign(std::vector<std::string>{}, "evt_1", 1, "{}"));
}

TEST(StandardWebhooksTest, SeveralSecretsGiveSpaceSeparatedSignatures) {
  const std::vector<std::string> secrets{std::string(kSecret), std::string(kOtherSecret)};
  auto headers = sign(secrets, "evt_9", 1767225600, "{}");
  ASSERT_TRUE(headers);
  auto first = decode_secret(kSecret);
  auto second = decode_secret(kOtherSecret);
  EXPECT_EQ(headers->signature, signature(*first, "evt_9", 1767225600, "{}") + " " +
                                    signature(*second, "evt_9", 1767225600, "{}"));
  // A receiver holding either secret accepts it (key rotation).
  EXPECT_EQ(verify(kSecret, "evt_9", "1767225600", headers->signature, "{}", 1767225600),
            Verdict::ok);
  EXPECT_EQ(verify(kOtherSecret, "evt_9", "1767225600", headers->signature, "{}", 1767225600),
            Verdict::ok);
}

TEST(StandardWebhooksTest, WebhookIdIsStablePerDelivery) {
  EXPECT_EQ(webhook_id(42), "evt_42");
  EXPECT_EQ(webhook_id(42), webhook_id(42));
  EXPECT_NE(webhook_id(42), webhook_id(43));
}

class VerifyTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kNow = 1767225600;
  const std::string body_ = R"({"type":"message.delivered","data":{"id":"12"}})";
  std::string sig_at(std::int64_t timestamp, std::string_view secret = kSecret) const {
    return sign(std::string(secret), "evt_12", timestamp, body_)->signature;
  }
};

TEST_F(VerifyTest, AcceptsAFreshSignature) {
  EXPECT_EQ(verify(kSecret, "evt_12", std::to_string(kNow), sig_at(kNow), body_, kNow),
            Verdict::ok);
}

TEST_F(VerifyTest, RejectsAnotherSecret) {
  EXPECT_EQ(verify(kOtherSecret, "evt_12", std::to_string(kNow), sig_at(kNow), body_, kNow),
            Verdict::no_matching_signature);
}

TEST_F(VerifyTest, RejectsATamperedBodyIdOrTimestamp) {
  const std::string ts = std::to_string(kNow);
  std::string tampered = body_;
  tampered[tampered.size() - 3] = '3';
  EXPECT_EQ(verify(kSecret, "evt_12", ts, sig_at(kNow), tampered, kNow),
            Verdict::no_matching_signature);
  EXPECT_EQ(verify(kSecret, "evt_13", ts, sig_at(kNow), body_, kNow),
            Verdict::no_matching_signature);
  // A replayed request with a fresh timestamp but the old signature.
  EXPECT_EQ(verify(kSecret, "evt_12", std::to_string(kNow + 60), sig_at(kNow), body_, kNow + 60),
            Verdict::no_matching_signature);
}

TEST_F(VerifyTest, EnforcesTheFiveMinuteTolerance) {
  const auto at = [&](std::int64_t ts) {
    return verify(kSecret, "evt_12", std::to_string(ts), sig_at(ts), body_, kNow);
  };
  EXPECT_EQ(at(kNow - 300), Verdict::ok);
  EXPECT_EQ(at(kNow + 300), Verdict::ok);
  EXPECT_EQ(at(kNow - 301), Verdict::timestamp_too_old);
  EXPECT_EQ(at(kNow - 86400), Verdict::timestamp_too_old);
  EXPECT_EQ(at(kNow + 301), Verdict::timestamp_too_new);
  EXPECT_EQ(
      verify(kSecret, "evt_12", std::to_string(kNow - 301), sig_at(kNow - 301), body_, kNow, 600),
      Verdict::ok);
}

TEST_F(VerifyTest, FindsTheMatchingEntryAmongSeveral) {
  const std::string good = sig_at(kNow);
  const std::string other = sig_at(kNow, kOtherSecret);
  const std::string ts = std::to_string(kNow);
  EXPECT_EQ(verify(kSecret, "evt_12", ts, other + " " + good, body_, kNow), Verdict::ok);
  EXPECT_EQ(verify(kSecret, "evt_12", ts, good + " " + other, body_, kNow), Verdict::ok);
  EXPECT_EQ(verify(kSecret, "evt_12", ts, "v1a,c29tZXRoaW5n " + good, body_, kNow), Verdict::ok);
  EXPECT_EQ(verify(kSecret, "evt_12", ts, other + " v1,AAAA", body_, kNow),
            Verdict::no_matching_signature);
  // The right bytes under another version tag do not count.
  EXPECT_EQ(verify(kSecret, "evt_12", ts, "v2," + good.substr(3), body_, kNow),
            Verdict::no_matching_signature);
  // Only the signature, without the "v1," tag, does not count either.
  EXPECT_EQ(verify(kSecret, "evt_12", ts, good.substr(3), body_, kNow),
            Verdict::no_matching_signature);
}

TEST_F(VerifyTest, RejectsMissingOrMalformedHeaders) {
  const std::string ts = std::to_string(kNow);
  EXPECT_EQ(verify(kSecret, "", ts, sig_at(kNow), body_, kNow), Verdict::missing_header);
  EXPECT_EQ(verify(kSecret, "evt_12", "", sig_at(kNow), body_, kNow), Verdict::missing_header);
  EXPECT_EQ(verify(kSecret, "evt_12", ts, "", body_, kNow), Verdict::missing_header);
  for (const char* bad :
       {"-1", "+1767225600", " 1767225600", "1767225600.5", "17672256OO", "1234567890123456789"}) {
    EXPECT_EQ(verify(kSecret, "evt_12", bad, sig_at(kNow), body_, kNow), Verdict::bad_timestamp)
        << bad;
  }
  EXPECT_EQ(verify("not a secret", "evt_12", ts, sig_at(kNow), body_, kNow), Verdict::bad_secret);
}

TEST(StandardWebhooksTest, VerdictsHaveNames) {
  EXPECT_STREQ(to_string(Verdict::ok), "ok");
  EXPECT_STREQ(to_string(Verdict::timestamp_too_old), "timestamp_too_old");
  EXPECT_STREQ(to_string(Verdict::no_matching_signature), "no_matching_signature");
}

RC_GTEST_PROP(StandardWebhooksProperties, SignedBodiesVerify, (const std::string& body)) {
  const auto id = "evt_" + std::to_string(*rc::gen::inRange<std::int64_t>(1, 1'000'000'000));
  const auto ts = *rc::gen::inRange<std::int64_t>(1'000'000'000, 4'000'000'000);
  const auto skew = *rc::gen::inRange<std::int64_t>(-kToleranceSeconds, kToleranceSeconds + 1);
  auto headers = sign(std::string(kSecret), id, ts, body);
  RC_ASSERT(headers.has_value());
  RC_ASSERT(verify(kSecret, headers->id, headers->timestamp, headers->signature, body, ts + skew) ==
            Verdict::ok);
}

RC_GTEST_PROP(StandardWebhooksProperties, AnyChangedByteIsRejected, (const std::string& body)) {
  RC_PRE(!body.empty());
  auto headers = sign(std::string(kSecret), "evt_7", 1767225600, body);
  RC_ASSERT(headers.has_value());
  std::string changed = body;
  const auto at = *rc::gen::inRange<std::size_t>(0, body.size());
  const auto flip = *rc::gen::inRange<int>(1, 256);
  changed[at] = static_cast<char>(static_cast<unsigned char>(changed[at]) ^ flip);
  RC_ASSERT(verify(kSecret, headers->id, headers->timestamp, headers->signature, changed,
                   1767225600) == Verdict::no_matching_signature);
}

}  // namespace
}  // namespace disparo::dispatch::standard_webhooks
