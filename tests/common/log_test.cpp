// Logger: exact line format, levels, JSON escaping, masking; every line is valid JSON.
#include "common/log.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace disparo::log {
namespace {

using namespace std::chrono_literals;

// A FILE* over memory, so tests read exactly what the Logger wrote.
class CapturedStream {
 public:
  CapturedStream() : file_(open_memstream(&buffer_, &size_)) {}
  ~CapturedStream() {
    std::fclose(file_);
    std::free(buffer_);
  }
  CapturedStream(const CapturedStream&) = delete;
  CapturedStream& operator=(const CapturedStream&) = delete;

  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    std::istringstream in(text());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

 private:
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

SysTime fixed_time() {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 22} + 18h + 123456us;
}

// Writes one info line with `fields` and returns it without the trailing newline.
std::string one_line(std::initializer_list<Field> fields, std::string_view event = "e") {
  CapturedStream out;
  FakeClock clock(fixed_time());
  Logger logger("test", Level::debug, out.file(), &clock);
  logger.info(event, fields);
  std::string text = out.text();
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  if (!text.empty()) text.pop_back();
  return text;
}

// The part of a line after the fixed members: ",\"k\":v..." without the closing brace.
std::string fields_of(const std::string& line) {
  const std::string head =
      R"({"ts":"2026-11-22T18:00:00.123456Z","level":"info","component":"test","event":"e")";
  EXPECT_EQ(line.substr(0, head.size()), head);
  return line.substr(head.size(), line.size() - head.size() - 1);
}

TEST(LoggerTest, WritesTheDocumentedLineFormat) {
  CapturedStream out;
  FakeClock clock(fixed_time());
  Logger logger("dispatcher", Level::info, out.file(), &clock);
  logger.info("message_sent", {{"message_id", std::int64_t{42}},
                               {"attempt", 2},
                               {"latency", 0.25},
                               {"ok", true},
                               {"provider", "cloud_api"}});
  EXPECT_EQ(out.text(),
            R"({"ts":"2026-11-22T18:00:00.123456Z","level":"info","component":"dispatcher",)"
            R"("event":"message_sent","message_id":42,"attempt":2,"latency":0.25,"ok":true,)"
            R"("provider":"cloud_api"})"
            "\n");
}

TEST(LoggerTest, TimestampHasSixFractionDigitsAndPadsFields) {
  CapturedStream out;
  FakeClock clock(SysTime{} + 1us);  // 1970-01-01T00:00:00.000001Z
  Logger logger("c", Level::info, out.file(), &clock);
  logger.warn("x");
  EXPECT_EQ(out.text(),
            R"({"ts":"1970-01-01T00:00:00.000001Z","level":"warn","component":"c","event":"x"})"
            "\n");
}

TEST(LoggerTest, DropsLinesBelowTheMinimumLevel) {
  CapturedStream out;
  FakeClock clock(fixed_time());
  Logger logger("c", Level::warn, out.file(), &clock);
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("level":"warn")"), std::string::npos);
  EXPECT_NE(lines[1].find(R"("level":"error")"), std::string::npos);
  EXPECT_FALSE(logger.enabled(Level::info));
  EXPECT_TRUE(logger.enabled(Level::error));
}

TEST(LoggerTest, ParsesAndPrintsLevels) {
  for (Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    Level parsed = Level::error;
    ASSERT_TRUE(parse_level(to_string(level), parsed));
    EXPECT_EQ(parsed, level);
  }
  Level unchanged = Level::info;
  EXPECT_FALSE(parse_level("warning", unchanged));
  EXPECT_FALSE(parse_level("INFO", unchanged));
  EXPECT_FALSE(parse_level("", unchanged));
  EXPECT_EQ(unchanged, Level::info);
}

TEST(LoggerTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  append_json_escaped(out, std::string("a\"b\\c\n\r\t\b\f\x01\x1f\x7f", 13));
  EXPECT_EQ(out, R"(a\"b\\c\n\r\t\b\f\u0001\u001f)" + std::string("\x7f"));
}

TEST(LoggerTest, KeepsValidUtf8AndReplacesInvalidSequences) {
  const auto escaped = [](std::string_view text) {
    std::string out;
    append_json_escaped(out, text);
    return out;
  };
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(escaped("cobran\xC3\xA7 \xE2\x82\xAC 10 \xF0\x9F\x98\x80"),
            "cobran\xC3\xA7 \xE2\x82\xAC 10 \xF0\x9F\x98\x80");
  EXPECT_EQ(escaped("a\xFF b"), "a" + r + " b");
  EXPECT_EQ(escaped("a\xE2\x82"), "a" + r);  // truncated: one replacement
  EXPECT_EQ(escaped("\xE2\x82 b"), r + " b");
  EXPECT_EQ(escaped("\xC0\xAF"), r + r);                  // overlong '/'
  EXPECT_EQ(escaped("\xED\xA0\x80"), r + r + r);          // UTF-16 surrogate
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(escaped("\x80"), r);                          // lone continuation byte
}

TEST(LoggerTest, MasksFieldsNamedLikeSecrets) {
  EXPECT_EQ(fields_of(one_line({{"api_key", "dsp_live_abcdef123456"},
                                {"Authorization", "Bearer abcdefghijklmnopqrstuvwxyz"},
                                {"app_secret", "short"},
                                {"db_password", "hunter2hunter2hunter2"},
                                {"verify_token", ""}})),
            R"(,"api_key":"dsp_…3456","Authorization":"Bearer …wxyz","app_secret":"…",)"
            R"("db_password":"…ter2","verify_token":"")");
}

TEST(LoggerTest, MasksFieldsNamedLikePhonesWhenTheyHoldDigits) {
  EXPECT_EQ(fields_of(one_line({{"to", "+5511987654321"},
                                {"phone", "5511987654321"},
                                {"recipient", "+12025550123"},
                                {"wa_id", "551187654321@s.whatsapp.net"},
                                {"from", "queued"},
                                {"To", "sent"}})),
            R"(,"to":"+55119****4321","phone":"55119****4321","recipient":"+120****0123",)"
            R"("wa_id":"5511****4321@s.whatsapp.net","from":"queued","To":"sent")");
}

TEST(LoggerTest, RenamesFieldsThatCollideWithFixedMembers) {
  EXPECT_EQ(fields_of(one_line({{"event", "x"}, {"ts", 1}, {"level", "y"}, {"component", "z"}})),
            R"(,"_event":"x","_ts":1,"_level":"y","_component":"z")");
}

TEST(LoggerTest, WritesNonFiniteNumbersAsNull) {
  EXPECT_EQ(fields_of(one_line({{"a", std::numeric_limits<double>::quiet_NaN()},
                                {"b", std::numeric_limits<double>::infinity()},
                                {"c", -1.5},
                                {"d", std::int64_t{-9007199254740993}}})),
            R"(,"a":null,"b":null,"c":-1.5,"d":-9007199254740993)");
}

TEST(MaskTest, MaskPhoneKeepsCountryAreaAndLastFour) {
  EXPECT_EQ(mask_phone("+5511987654321"), "+55119****4321");
  EXPECT_EQ(mask_phone("+551133334444"), "+5511****4444");
  EXPECT_EQ(mask_phone("5511987654321:7@s.whatsapp.net"), "55119****4321:7@s.whatsapp.net");
  EXPECT_EQ(mask_phone("987654321"), "*******21");
  EXPECT_EQ(mask_phone("1234"), "****");
  EXPECT_EQ(mask_phone(""), "");
}

TEST(MaskTest, MaskSecretKeepsOnlyTheTypePrefixAndLastFour) {
  EXPECT_EQ(mask_secret("dsp_live_abcdef123456"), "dsp_…3456");
  EXPECT_EQ(mask_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "whsec_…LaSw");
  EXPECT_EQ(mask_secret("0123456789abcdef"), "…cdef");
  EXPECT_EQ(mask_secret("0123456789abcde"), "…");
  EXPECT_EQ(mask_secret("-not-a-prefix-0123456789"), "…6789");
  EXPECT_EQ(mask_secret(""), "");
}

TEST(LoggerTest, ConcurrentWritersNeverInterleaveLines) {
  CapturedStream out;
  Logger logger("c", Level::info, out.file());
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < kLines; ++i) logger.info("tick", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
  }
}

// Any bytes in the event, a key or a value give a line that is valid JSON (simdjson also checks
// UTF-8); valid UTF-8 comes back unchanged.
RC_GTEST_PROP(LoggerProperty, EveryLineIsValidJsonAndRoundTripsValidUtf8, ()) {
  const auto bytes = rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  const std::string event = *bytes;
  const std::string key = *bytes;
  const std::string value = *bytes;
  CapturedStream out;
  FakeClock clock(fixed_time());
  Logger logger("prop", Level::info, out.file(), &clock);
  logger.info(event, {{"k_" + key, value}});
  const std::string line = out.text();
  RC_ASSERT(!line.empty() && line.back() == '\n');
  RC_ASSERT(line.find('\n') == line.size() - 1);

  simdjson::dom::parser parser;
  simdjson::dom::object object;
  RC_ASSERT(parser.parse(line).get(object) == simdjson::SUCCESS);
  std::string_view parsed_event;
  RC_ASSERT(object["event"].get(parsed_event) == simdjson::SUCCESS);
  if (simdjson::validate_utf8(event.data(), event.size())) RC_ASSERT(parsed_event == event);
}

}  // namespace
}  // namespace disparo::log
