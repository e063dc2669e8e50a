// Properties of phone normalization over generated inputs (rapidcheck).
#include "common/phone.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace disparo::phone {
namespace {

const std::vector<std::string> kAreaCodes = {
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27", "28",
    "31", "32", "33", "34", "35", "37", "38", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "51", "53", "54", "55", "61", "62", "63", "64", "65", "66", "67", "68",
    "69", "71", "73", "74", "75", "77", "79", "81", "82", "83", "84", "85", "86", "87",
    "88", "89", "91", "92", "93", "94", "95", "96", "97", "98", "99"};

// ^\+[1-9][0-9]{7,14}$ (checked by hand: std::regex trips gcc 12 warnings under sanitizers).
bool is_e164(const std::string& text) {
  if (text.size() < 9 || text.size() > 16 || text[0] != '+' || text[1] == '0') return false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

TEST(PhonePropertyHelper, IsE164MatchesThePattern) {
  EXPECT_TRUE(is_e164("+12345678"));
  EXPECT_TRUE(is_e164("+123456789012345"));
  EXPECT_FALSE(is_e164("+1234567"));
  EXPECT_FALSE(is_e164("+1234567890123456"));
  EXPECT_FALSE(is_e164("+02345678"));
  EXPECT_FALSE(is_e164("12345678"));
  EXPECT_FALSE(is_e164("+1234567a"));
}

rc::Gen<std::string> digits(std::size_t count) {
  return rc::gen::container<std::string>(count, rc::gen::inRange('0', static_cast<char>('9' + 1)));
}

// Text shaped like phone input (a prefix, 7..16 digits, separators, now and then a stray
// character), so that a good share of generated cases parse and the rest are near misses.
rc::Gen<std::string> phone_like_text() {
  return rc::gen::exec([] {
    std::string text = *rc::gen::elementOf(
        std::vector<std::string>{"", "", "+", "+", "00", "0", "+55", "55", "+1", "(", " "});
    const int count = *rc::gen::inRange(7, 17);
    for (int i = 0; i < count; ++i) {
      text += *rc::gen::inRange('0', static_cast<char>('9' + 1));
      text += *rc::gen::weightedOneOf<std::string>(
          {{12, rc::gen::just(std::string())},
           {3, rc::gen::elementOf(std::vector<std::string>{" ", "-", ".", "(", ")"})},
           {1,
            rc::gen::map(rc::gen::arbitrary<char>(), [](char c) { return std::string(1, c); })}});
    }
    return text;
  });
}

struct BrazilianNumber {
  std::string area;        // DDD
  std::string subscriber;  // 8 digits as they were before the ninth digit (mobiles: 6..9 first)
  bool mobile;
  std::string canonical() const { return "+55" + area + (mobile ? "9" : "") + subscriber; }
};

rc::Gen<BrazilianNumber> brazilian_number(bool mobile) {
  return rc::gen::exec([mobile] {
    const char first = mobile ? *rc::gen::inRange('6', ':') : *rc::gen::inRange('2', '6');
    return BrazilianNumber{*rc::gen::elementOf(kAreaCodes), first + *digits(7), mobile};
  });
}

// One way a person or a system may write `n`. Draws values: call inside a property or gen::exec.
std::string written_form(const BrazilianNumber& n) {
  const auto sep = [] {
    return *rc::gen::elementOf(std::vector<std::string>{"", " ", "-", ".", "  "});
  };
  const std::string carrier =
      *rc::gen::elementOf(std::vector<std::string>{"12", "14", "15", "21", "31", "41", "43"});
  const std::string prefix = *rc::gen::elementOf(
      std::vector<std::string>{"", "0", "0" + carrier, "55", "+55", "0055", "+55 0", "+ 55"});
  // Old mobiles may be written without the ninth digit.
  const bool ninth = n.mobile && *rc::gen::arbitrary<bool>();
  const std::string subscriber = (ninth ? "9" : "") + n.subscriber;
  const std::size_t split = subscriber.size() - 4;
  std::string area = n.area;
  if (*rc::gen::arbitrary<bool>()) area = "(" + area + ")";
  return *rc::gen::elementOf(std::vector<std::string>{"", " ", "\t"}) + prefix + sep() + area +
         sep() + subscriber.substr(0, split) + sep() + subscriber.substr(split);
}

rc::Gen<std::string> written_brazilian_number(bool mobile) {
  return rc::gen::exec([mobile] { return written_form(*brazilian_number(mobile)); });
}

RC_GTEST_PROP(PhoneProperty, NeverCrashesAndOutputIsE164OnArbitraryBytes, ()) {
  const auto text = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  const auto country = *rc::gen::elementOf(std::vector<std::string>{"55", "1", "44", "351", ""});
  if (const auto parsed = normalize(text, country)) RC_ASSERT(is_e164(parsed->e164));
  if (const auto e = e164_from_wa_id(text)) RC_ASSERT(is_e164(*e));
  (void)digits_without_ninth(text);
}

RC_GTEST_PROP(PhoneProperty, OutputIsE164OnPhoneLikeText, ()) {
  const auto text = *phone_like_text();
  const auto parsed = normalize(text);
  RC_TAG(!parsed ? "rejected" : parsed->brazilian_mobile ? "BR mobile" : "other");
  if (parsed) RC_ASSERT(is_e164(parsed->e164));
}

RC_GTEST_PROP(PhoneProperty, NormalizeIsIdempotentOnItsOutput, ()) {
  const auto text = *rc::gen::oneOf(phone_like_text(), written_brazilian_number(true),
                                    written_brazilian_number(false));
  const auto once = normalize(text);
  if (!once) return;
  const auto twice = normalize(once->e164);
  RC_ASSERT(twice.has_value());
  RC_ASSERT(twice->e164 == once->e164);
  RC_ASSERT(twice->brazilian_mobile == once->brazilian_mobile);
}

RC_GTEST_PROP(PhoneProperty, EveryWrittenFormOfABrazilianMobileGivesTheSameE164, ()) {
  const BrazilianNumber n = *brazilian_number(true);
  const std::string text = written_form(n);
  RC_LOG() << "input: '" << text << "'";
  const auto parsed = normalize(text);
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(parsed->e164 == n.canonical());
  RC_ASSERT(parsed->brazilian_mobile);
}

RC_GTEST_PROP(PhoneProperty, EveryWrittenFormOfABrazilianLandlineGivesTheSameE164, ()) {
  const BrazilianNumber n = *brazilian_number(false);
  const std::string text = written_form(n);
  RC_LOG() << "input: '" << text << "'";
  const auto parsed = normalize(text);
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(parsed->e164 == n.canonical());
  RC_ASSERT(!parsed->brazilian_mobile);
}

RC_GTEST_PROP(PhoneProperty, WaIdWithOrWithoutTheNinthDigitMapsBack, ()) {
  const BrazilianNumber n = *brazilian_number(*rc::gen::arbitrary<bool>());
  const std::string e164 = n.canonical();
  const std::string key = digits_without_ninth(e164);
  RC_ASSERT(key == "55" + n.area + n.subscriber);
  RC_ASSERT(e164_from_wa_id(key) == std::optional<std::string>(e164));
  RC_ASSERT(e164_from_wa_id(e164.substr(1)) == std::optional<std::string>(e164));
  RC_ASSERT(e164_from_wa_id(key + "@s.whatsapp.net") == std::optional<std::string>(e164));
}

RC_GTEST_PROP(PhoneProperty, DigitsWithoutNinthRoundTripsEveryNormalizedNumber, ()) {
  const auto text = *rc::gen::oneOf(phone_like_text(), written_brazilian_number(true));
  const auto parsed = normalize(text);
  if (!parsed) return;
  RC_ASSERT(e164_from_wa_id(digits_without_ninth(parsed->e164)) ==
            std::optional<std::string>(parsed->e164));
}

}  // namespace
}  // namespace disparo::phone
