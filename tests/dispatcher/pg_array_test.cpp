// PgArrayBuilder: the text of PostgreSQL array literals. (dispatcher_pgtest checks that the
// server reads back exactly what went in.)
#include "dispatcher/pg_array.hpp"

#include <gtest/gtest.h>

#include <string>

namespace disparo::dispatch {
namespace {

template <class... Values>
std::string array_of(Values... values) {
  PgArrayBuilder array;
  (array.add(std::string_view(values)), ...);
  return std::move(array).finish();
}

TEST(PgArrayBuilder, Empty) { EXPECT_EQ(PgArrayBuilder().finish(), "{}"); }

TEST(PgArrayBuilder, EveryElementIsQuoted) {
  EXPECT_EQ(array_of("a"), R"({"a"})");
  EXPECT_EQ(array_of("1", "22", "333"), R"({"1","22","333"})");
  EXPECT_EQ(array_of(""), R"({""})");
  EXPECT_EQ(array_of(" padded "), R"({" padded "})");
}

TEST(PgArrayBuilder, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(array_of(R"(say "hi")"), R"({"say \"hi\""})");
  EXPECT_EQ(array_of(R"(C:\path\)"), R"({"C:\\path\\"})");
  EXPECT_EQ(array_of(R"(\")"), R"({"\\\""})");
}

TEST(PgArrayBuilder, DelimitersStayInsideQuotes) {
  EXPECT_EQ(array_of("a,b", "{c}", "d}"), R"({"a,b","{c}","d}"})");
  EXPECT_EQ(array_of(R"({"json":[1,2]})"), R"({"{\"json\":[1,2]}"})");
}

TEST(PgArrayBuilder, NullIsBareAndTheWordNullIsQuoted) {
  PgArrayBuilder array;
  array.add("x");
  array.add_null();
  array.add("NULL");
  array.add_optional(std::nullopt);
  array.add_optional(std::string("y"));
  EXPECT_EQ(std::move(array).finish(), R"({"x",NULL,"NULL",NULL,"y"})");
  PgArrayBuilder only_null;
  only_null.add_null();
  EXPECT_EQ(std::move(only_null).finish(), "{NULL}");
}

TEST(PgArrayBuilder, MultibyteTextIsCopiedAsIs) {
  EXPECT_EQ(array_of("João", "😀"), "{\"João\",\"😀\"}");
}

}  // namespace
}  // namespace disparo::dispatch
