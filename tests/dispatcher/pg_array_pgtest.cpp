// PgArrayBuilder against PostgreSQL: the server reads back exactly the strings (and NULLs)
// that went in, for hand-picked troublemakers and for random text (rapidcheck).
#include "dispatcher/pg_array.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/dispatcher/store_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using Values = std::vector<std::optional<std::string>>;

class PgArrayTest : public StoreTest {
 protected:
  // Sends `values` as one text[] parameter and reads the elements back in order.
  Values round_trip(const Values& values) {
    PgArrayBuilder array;
    for (const auto& v : values) array.add_optional(v);
    auto rows = sql("SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
                    {std::move(array).finish()});
    Values out;
    for (int r = 0; r < rows.size(); ++r) {
      out.push_back(rows.is_null(r, 0) ? std::nullopt : std::optional<std::string>(rows.text(r, 0)));
    }
    return out;
  }
};

TEST_F(PgArrayTest, Troublemakers) {
  const Values values = {"plain", "", " spaced ", "\"", "\\", "\\\"", "a,b", "{", "}", "{x,y}", "NULL", "null",
                         std::nullopt, "tab\there", "line\nbreak", "João 😀", R"({"json":[1,"2"]})", "'quote'"};
  EXPECT_EQ(round_trip(values), values);
  EXPECT_EQ(round_trip({}), Values{});
  EXPECT_EQ(round_trip({std::nullopt}), Values{std::nullopt});
}

TEST_F(PgArrayTest, BigintArraysFromDecimalText) {
  PgArrayBuilder array;
  for (const char* v : {"1", "9223372036854775807", "-5"}) array.add(v);
  EXPECT_EQ(sql_text("SELECT array_to_string($1::bigint[], '|')", {std::move(array).finish()}),
            "1|9223372036854775807|-5");
}

// Valid UTF-8 without NUL (PostgreSQL text cannot hold NUL), weighted towards the characters
// that array syntax treats specially.
rc::Gen<std::string> text_value() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::string>>(rc::gen::weightedOneOf<std::string>({
          {6, rc::gen::element<std::string>("\"", "\\", ",", "{", "}", " ", "\t", "\n", "'", "NULL", "$1", ";")},
          {6, rc::gen::map(rc::gen::inRange<int>(1, 128), [](int c) { return std::string(1, static_cast<char>(c)); })},
          {2, rc::gen::element<std::string>("ç", "ã", "€", "😀", "\xE2\x80\xA8")},
      })),
      [](const std::vector<std::string>& pieces) {
        std::string out;
        for (const auto& p : pieces) out += p;
        return out;
      });
}

TEST_F(PgArrayTest, RandomTextRoundTrips) {
  ASSERT_EQ(sql_text("SHOW server_encoding"), "UTF8");
  int cases = 0;
  const bool ok = rc::check("PostgreSQL reads back what PgArrayBuilder wrote", [&] {
    const auto values = *rc::gen::container<Values>(
        rc::gen::weightedOneOf<std::optional<std::string>>({
            {9, rc::gen::map(text_value(), [](std::string s) { return std::optional<std::string>(std::move(s)); })},
            {1, rc::gen::just(std::optional<std::string>())},
        }));
    ++cases;
    RC_ASSERT(round_trip(values) == values);
  });
  EXPECT_TRUE(ok);
  EXPECT_GE(cases, 100);
}

}  // namespace
}  // namespace disparo::dispatch::test
