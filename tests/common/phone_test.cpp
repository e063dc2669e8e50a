// Phone number normalization: the Brazilian input forms, other countries, rejections.
#include "common/phone.hpp"

#include <gtest/gtest.h>

#include <string>

namespace disparo::phone {
namespace {

std::string e164(std::string_view input, std::string_view country = "55") {
  const auto parsed = normalize(input, country);
  return parsed ? parsed->e164 : "<nullopt>";
}

TEST(PhoneTest, BrazilianMobileInEveryCommonFormat) {
  for (const char* input : {
           "(11) 98765-4321",
           "11987654321",
           "11 98765 4321",
           "11.98765.4321",
           "011987654321",
           "0 11 98765-4321",
           "(011) 98765-4321",
           "0 21 11 98765-4321",
           "+55 11 98765-4321",
           "+55 (11) 98765-4321",
           "+5511987654321",
           "5511987654321",
           "55 11 98765 4321",
           "0055 11 98765 4321",
           "+55 (011) 98765-4321",
           " \t+55 11 987654321 ",
       }) {
    const auto parsed = normalize(input);
    ASSERT_TRUE(parsed) << input;
    EXPECT_EQ(parsed->e164, "+5511987654321") << input;
    EXPECT_TRUE(parsed->brazilian_mobile) << input;
  }
}

TEST(PhoneTest, AddsTheNinthDigitToOldMobiles) {
  for (const char* input : {"(11) 8765-4321", "1187654321", "+55 11 8765-4321", "551187654321",
                            "0 11 8765-4321", "0 21 11 8765-4321", "0055 11 8765 4321"}) {
    const auto parsed = normalize(input);
    ASSERT_TRUE(parsed) << input;
    EXPECT_EQ(parsed->e164, "+5511987654321") << input;
    EXPECT_TRUE(parsed->brazilian_mobile) << input;
  }
  EXPECT_EQ(e164("(21) 6123-4567"), "+5521961234567");
  EXPECT_EQ(e164("(92) 7123-4567"), "+5592971234567");
  EXPECT_EQ(e164("(51) 9123-4567"), "+5551991234567");
}

TEST(PhoneTest, KeepsLandlines) {
  for (const char* input : {"(11) 3333-4444", "+55 11 3333-4444", "0 11 3333-4444",
                            "0 15 11 3333-4444", "551133334444"}) {
    const auto parsed = normalize(input);
    ASSERT_TRUE(parsed) << input;
    EXPECT_EQ(parsed->e164, "+551133334444") << input;
    EXPECT_FALSE(parsed->brazilian_mobile) << input;
  }
  EXPECT_EQ(e164("(21) 2555-1234"), "+552125551234");
  EXPECT_EQ(e164("(61) 4004-0001"), "+556140040001");
  EXPECT_EQ(e164("(55) 5123-4567"), "+555551234567");
}

TEST(PhoneTest, AreaCode55IsNotMistakenForTheCountryCode) {
  // Santa Maria (RS) has DDD 55: national numbers are 10 or 11 digits, with country code 12/13.
  EXPECT_EQ(e164("55 98765-4321"), "+5555987654321");
  EXPECT_EQ(e164("5598765-4321"), "+5555987654321");
  EXPECT_EQ(e164("555598765-4321"), "+5555987654321");
}

TEST(PhoneTest, RejectsAreaCodesNotInUse) {
  // "0x" is not listed: "(01) 98765-4321" reads as trunk 0 + DDD 19 + an 8-digit mobile.
  for (const char* ddd : {"10", "20", "23", "25", "26", "29", "30", "36", "39", "40", "50", "52",
                          "56", "57", "58", "59", "60", "70", "72", "76", "78", "80", "90"}) {
    EXPECT_FALSE(normalize(std::string("(") + ddd + ") 98765-4321")) << ddd;
    EXPECT_FALSE(normalize(std::string("+55") + ddd + "987654321")) << ddd;
  }
}

TEST(PhoneTest, AcceptsEveryAreaCodeInUse) {
  const int ddds[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33,
                      34, 35, 37, 38, 41, 42, 43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55,
                      61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77, 79, 81, 82,
                      83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99};
  EXPECT_EQ(std::size(ddds), 67u);
  for (int ddd : ddds) {
    EXPECT_EQ(e164(std::to_string(ddd) + "987654321"), "+55" + std::to_string(ddd) + "987654321");
  }
}

TEST(PhoneTest, RejectsImpossibleBrazilianSubscriberNumbers) {
  EXPECT_EQ(e164("(11) 88765-4321"), "<nullopt>");  // 9 digits not starting with 9
  EXPECT_EQ(e164("(11) 1234-5678"), "<nullopt>");   // 8 digits starting with 1
  EXPECT_EQ(e164("(11) 0234-5678"), "<nullopt>");
  EXPECT_EQ(e164("(11) 987654-4321"), "<nullopt>");  // 10-digit subscriber
  EXPECT_EQ(e164("(11) 765-4321"), "<nullopt>");
  EXPECT_EQ(e164("+55 11 88765-4321"), "<nullopt>");
  EXPECT_EQ(e164("+55 11 987654-4321"), "<nullopt>");  // Brazil is never passed through
  EXPECT_EQ(e164("0800 123 4567"), "<nullopt>");
  EXPECT_EQ(e164("190"), "<nullopt>");
}

TEST(PhoneTest, OtherCountriesNeedAPlusOr00) {
  EXPECT_EQ(e164("+1 (202) 555-0123"), "+12025550123");
  EXPECT_EQ(e164("0044 20 7946 0958"), "+442079460958");
  EXPECT_EQ(e164("+351 912 345 678"), "+351912345678");
  EXPECT_EQ(e164("+12345678"), "+12345678");                // 8 digits: shortest E.164 kept
  EXPECT_EQ(e164("+1234567"), "<nullopt>");                 // too short
  EXPECT_EQ(e164("+123456789012345"), "+123456789012345");  // 15 digits
  EXPECT_EQ(e164("+1234567890123456"), "<nullopt>");        // 16 digits
  EXPECT_EQ(e164("+0123456789"), "<nullopt>");              // no country code starts with 0
  EXPECT_EQ(e164("2025550123"), "<nullopt>");               // national to Brazil: DDD 20
  const auto parsed = normalize("+1 202 555 0123");
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->brazilian_mobile);
}

TEST(PhoneTest, OtherDefaultCountry) {
  EXPECT_EQ(e164("020 7946 0958", "44"), "+442079460958");
  EXPECT_EQ(e164("(202) 555-0123", "1"), "+12025550123");
  EXPECT_EQ(e164("+55 11 98765-4321", "44"), "+5511987654321");
  EXPECT_EQ(e164("00", "44"), "<nullopt>");
  EXPECT_EQ(e164("11987654321", ""), "<nullopt>");
  EXPECT_EQ(e164("11987654321", "0"), "<nullopt>");
  EXPECT_EQ(e164("11987654321", "1234"), "<nullopt>");
  EXPECT_EQ(e164("11987654321", "+55"), "<nullopt>");
}

TEST(PhoneTest, RejectsGarbage) {
  for (const char* input : {"", " ", "+", "++5511987654321", "55+11987654321", "11 9876a-4321",
                            "abc", "0xx21 11 98765-4321", "+55 11 98765/4321", "tel:+5511987654321",
                            "11987654321\n", "1198765432112345678901234567890", "\xff\xfe"}) {
    EXPECT_FALSE(normalize(input)) << input;
  }
}

TEST(PhoneTest, DigitsWithoutNinth) {
  EXPECT_EQ(digits_without_ninth("+5511987654321"), "551187654321");
  EXPECT_EQ(digits_without_ninth("+551133334444"), "551133334444");
  EXPECT_EQ(digits_without_ninth("+5511923456789"), "5511923456789");  // never an 8-digit mobile
  EXPECT_EQ(digits_without_ninth("+12025550123"), "12025550123");
  EXPECT_EQ(digits_without_ninth("+351912345678"), "351912345678");
}

TEST(PhoneTest, E164FromWaId) {
  const auto check = [](std::string_view wa_id) {
    const auto e = e164_from_wa_id(wa_id);
    return e ? *e : std::string("<nullopt>");
  };
  EXPECT_EQ(check("551187654321"), "+5511987654321");
  EXPECT_EQ(check("5511987654321"), "+5511987654321");
  EXPECT_EQ(check("551133334444"), "+551133334444");
  EXPECT_EQ(check("551187654321@s.whatsapp.net"), "+5511987654321");
  EXPECT_EQ(check("5511987654321:12@s.whatsapp.net"), "+5511987654321");
  EXPECT_EQ(check("5511987654321@c.us"), "+5511987654321");
  EXPECT_EQ(check("12025550123"), "+12025550123");
  EXPECT_EQ(check("120363043211234567@g.us"), "<nullopt>");
  EXPECT_EQ(check("123456789012345@lid"), "<nullopt>");
  EXPECT_EQ(check("+5511987654321"), "<nullopt>");  // wa_ids are digits only
  EXPECT_EQ(check("11987654321"), "+11987654321");  // always international, never national
  EXPECT_EQ(check(""), "<nullopt>");
  EXPECT_EQ(check("@s.whatsapp.net"), "<nullopt>");
  EXPECT_EQ(check("1234567890123456"), "<nullopt>");
}

}  // namespace
}  // namespace disparo::phone
