// Validation of tenant input: slug, name, IANA time zone (real tz database), JSON shape. Pure.
//
// std::regex (the independent oracle of the slug property) trips a false -Wmaybe-uninitialized
// in GCC 12's <functional> under -fsanitize at -O2.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "admin/validation.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <regex>

#include "admin/json.hpp"

namespace disparo::admin {
namespace {

Validated<NewTenant> read(std::string_view text) {
  auto object = parse_object(text);
  EXPECT_TRUE(object.has_value()) << text;
  return read_new_tenant(*object);
}

bool has_error(const std::vector<FieldError>& errors, std::string_view field) {
  for (const auto& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

TEST(Validation, Slugs) {
  for (std::string good : {std::string("acme"), std::string("a1"), std::string("acme-iptv"),
                           std::string("0day"), std::string(63, 'a')}) {
    EXPECT_FALSE(check_slug(good).has_value()) << good;
  }
  for (std::string bad : {std::string(""), std::string("a"), std::string("-acme"), std::string("Acme"),
                          std::string("acme_iptv"), std::string("acme iptv"), std::string("açaí"),
                          std::string(64, 'a')}) {
    EXPECT_TRUE(check_slug(bad).has_value()) << bad;
  }
}

TEST(Validation, Names) {
  EXPECT_FALSE(check_tenant_name("Acme IPTV").has_value());
  EXPECT_FALSE(check_tenant_name("São João Telecom").has_value());
  EXPECT_FALSE(check_tenant_name(std::string(200, 'x')).has_value());
  // 200 characters of two bytes each is still 200 characters.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "é";
  EXPECT_FALSE(check_tenant_name(accents).has_value());
  EXPECT_TRUE(check_tenant_name(accents + "é").has_value());
  EXPECT_TRUE(check_tenant_name("").has_value());
  EXPECT_TRUE(check_tenant_name("   ").has_value());
  EXPECT_TRUE(check_tenant_name("line\nbreak").has_value());
  EXPECT_TRUE(check_tenant_name(std::string(201, 'x')).has_value());
}

TEST(Validation, TimeZonesComeFromTheTzDatabase) {
  warm_time_zones();
  for (const char* zone : {"America/Sao_Paulo", "America/Manaus", "America/Rio_Branco",
                           "America/Noronha", "Europe/Lisbon", "UTC"}) {
    EXPECT_FALSE(check_time_zone(zone).has_value()) << zone;
  }
  for (const char* zone : {"", "Mars/Olympus", "America/SaoPaulo", "-03:00", "GMT-3x",
                           "../../etc/passwd"}) {
    EXPECT_TRUE(check_time_zone(zone).has_value()) << zone;
  }
}

TEST(Validation, NewTenantWithDefaults) {
  auto v = read(R"({"slug":"acme","name":"Acme IPTV"})");
  ASSERT_TRUE(v.value.has_value());
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.value->slug, "acme");
  EXPECT_EQ(v.value->name, "Acme IPTV");
  EXPECT_EQ(v.value->time_zone, "America/Sao_Paulo");
}

TEST(Validation, NewTenantReportsEveryProblem) {
  auto v = read(R"({"slug":"A","nme":"x","time_zone":3})");
  EXPECT_FALSE(v.value.has_value());
  EXPECT_TRUE(has_error(v.errors, "slug"));       // bad value
  EXPECT_TRUE(has_error(v.errors, "name"));       // missing
  EXPECT_TRUE(has_error(v.errors, "time_zone"));  // wrong type
  EXPECT_TRUE(has_error(v.errors, "nme"));        // unknown
  EXPECT_EQ(v.errors.size(), 4u);
}

TEST(Validation, NullCountsAsMissing) {
  auto v = read(R"({"slug":null,"name":"Acme","time_zone":null})");
  EXPECT_FALSE(v.value.has_value());
  ASSERT_EQ(v.errors.size(), 1u);
  EXPECT_EQ(v.errors[0].field, "slug");
  EXPECT_EQ(v.errors[0].message, "is required");
}

TEST(Validation, UnknownZoneIsAFieldError) {
  auto v = read(R"({"slug":"acme","name":"Acme","time_zone":"America/Atlantis"})");
  ASSERT_EQ(v.errors.size(), 1u);
  EXPECT_EQ(v.errors[0].field, "time_zone");
}

TEST(Json, ParseObjectRejectsOtherShapes) {
  EXPECT_FALSE(parse_object("").has_value());
  EXPECT_FALSE(parse_object("[1]").has_value());
  EXPECT_FALSE(parse_object("{\"a\":").has_value());
  EXPECT_FALSE(parse_object("\"x\"").has_value());
  EXPECT_EQ(parse_object("{} x").error().kind, ErrorKind::invalid_argument);
  EXPECT_TRUE(parse_object(R"({"a":[1,2]})").has_value());
}

TEST(Json, WriterEscapes) {
  boost::json::object o{{"s", "quote\" backslash\\ nl\n ctl\x01 é"}};
  EXPECT_EQ(to_json(o), R"({"s":"quote\" backslash\\ nl\n ctl\u0001 é"})");
}

RC_GTEST_PROP(ValidationProperty, SlugCheckAgreesWithTheDatabaseRule, ()) {
  static const std::regex rule("^[a-z0-9][a-z0-9-]{1,62}$");
  auto slug = *rc::gen::container<std::string>(
      rc::gen::oneOf(rc::gen::inRange('a', 'z'), rc::gen::inRange('0', '9'),
                     rc::gen::element('-', 'A', '_', ' ', '\xc3')));
  RC_ASSERT(check_slug(slug).has_value() == !std::regex_match(slug, rule));
}

}  // namespace
}  // namespace disparo::admin
