// JsonWriter: commas and nesting, escaping of every control character, replacement of invalid
// UTF-8, and (property) that any string written is read back unchanged by simdjson.
#include "common/json_writer.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <limits>
#include <string>

namespace disparo {
namespace {

std::string body_of(std::string_view text) {
  std::string out;
  append_json_string_body(out, text);
  return out;
}

TEST(JsonWriter, NestingAndCommas) {
  JsonWriter json;
  json.begin_object();
  json.field("a", 1).key("list").begin_array().value(1).value("two").begin_object().field_null("n").end_object()
      .begin_array().end_array().end_array();
  json.key("empty").begin_object().end_object();
  json.field("t", true).field("f", false).field_raw("raw", R"({"x":[1]})").field("s", std::string("str"));
  json.end_object();
  EXPECT_EQ(json.str(), R"({"a":1,"list":[1,"two",{"n":null},[]],"empty":{},"t":true,"f":false,"raw":{"x":[1]},"s":"str"})");
}

TEST(JsonWriter, TopLevelArrayAndScalars) {
  EXPECT_EQ(JsonWriter().begin_array().value(-5).value(std::int64_t{9007199254740993}).null().end_array().str(),
            "[-5,9007199254740993,null]");
  EXPECT_EQ(JsonWriter().value("x").str(), R"("x")");
  EXPECT_EQ(JsonWriter().value(0.5).str(), "0.5");
  EXPECT_EQ(JsonWriter().value(std::numeric_limits<double>::quiet_NaN()).str(), "null");
  EXPECT_EQ(JsonWriter().value(std::numeric_limits<double>::infinity()).str(), "null");
}

TEST(JsonWriter, DoublesRoundTrip) {
  for (double d : {0.1, 1e300, -2.5e-300, 3.141592653589793, 1.0 / 3}) {
    const auto text = JsonWriter().value(d).str();
    EXPECT_EQ(std::stod(text), d) << text;
  }
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(body_of("a\"b\\c"), R"(a\"b\\c)");
  EXPECT_EQ(body_of("\n\r\t\b\f"), R"(\n\r\t\b\f)");
  EXPECT_EQ(body_of(std::string("\x00\x01\x1f", 3)), R"(\u0000\u0001\u001f)");
  EXPECT_EQ(body_of("/ < > & \x7f"), "/ < > & \x7f");  // valid JSON as they are
  EXPECT_EQ(JsonWriter().begin_object().field("k\"ey", "v\nal").end_object().str(), R"({"k\"ey":"v\nal"})");
}

TEST(JsonWriter, KeepsValidUtf8) {
  for (const char* text : {"ção", "€", "😀", "\xF4\x8F\xBF\xBF" /* U+10FFFF */, "\xED\x9F\xBF" /* U+D7FF */}) {
    EXPECT_EQ(body_of(text), text);
  }
}

TEST(JsonWriter, ReplacesInvalidUtf8) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(body_of("\xff"), kFffd);
  EXPECT_EQ(body_of("a\x80z"), "a" + kFffd + "z");                          // lone continuation
  EXPECT_EQ(body_of("\xC0\x80"), kFffd + kFffd);                             // overlong NUL
  EXPECT_EQ(body_of("\xE0\x80\x80"), kFffd + kFffd + kFffd);                 // overlong
  EXPECT_EQ(body_of("\xED\xA0\x80"), kFffd + kFffd + kFffd);                 // surrogate U+D800
  EXPECT_EQ(body_of("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);     // above U+10FFFF
  EXPECT_EQ(body_of("\xC3"), kFffd);                                         // truncated at the end
  EXPECT_EQ(body_of("\xE2\x82x"), kFffd + kFffd + "x");                      // truncated in the middle
}

RC_GTEST_PROP(JsonWriterProperty, AnyBytesGiveValidJson, (const std::string& key, const std::string& text)) {
  JsonWriter json;
  json.begin_object().field(key, text).key("list").begin_array().value(text).value(1).end_array().end_object();
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  RC_ASSERT(parser.parse(json.str()).get(object) == simdjson::SUCCESS);
  RC_ASSERT(object.size() == 2u);
}

rc::Gen<std::string> valid_utf8() {
  return rc::gen::map(rc::gen::container<std::vector<std::uint32_t>>(rc::gen::oneOf(
                          rc::gen::inRange<std::uint32_t>(0, 0x80), rc::gen::inRange<std::uint32_t>(0x80, 0x800),
                          rc::gen::inRange<std::uint32_t>(0x800, 0xD800), rc::gen::inRange<std::uint32_t>(0xE000, 0x10000),
                          rc::gen::inRange<std::uint32_t>(0x10000, 0x110000))),
                      [](const std::vector<std::uint32_t>& points) {
                        std::string out;
                        for (std::uint32_t c : points) {
                          if (c < 0x80) {
                            out += static_cast<char>(c);
                          } else if (c < 0x800) {
                            out += static_cast<char>(0xC0 | (c >> 6));
                            out += static_cast<char>(0x80 | (c & 0x3F));
                          } else if (c < 0x10000) {
                            out += static_cast<char>(0xE0 | (c >> 12));
                            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
                            out += static_cast<char>(0x80 | (c & 0x3F));
                          } else {
                            out += static_cast<char>(0xF0 | (c >> 18));
                            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
                            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
                            out += static_cast<char>(0x80 | (c & 0x3F));
                          }
                        }
                        return out;
                      });
}

RC_GTEST_PROP(JsonWriterProperty, ValidUtf8RoundTrips, ()) {
  const auto text = *valid_utf8();
  const auto json = JsonWriter().begin_array().value(text).end_array().str();
  simdjson::dom::parser parser;
  std::string_view back;
  RC_ASSERT(parser.parse(json).at(0).get(back) == simdjson::SUCCESS);
  RC_ASSERT(back == text);
}

}  // namespace
}  // namespace disparo
