// Logger: JSON-lines logging with levels, one object per line.
//
// Every line is {"ts":"2026-11-22T18:00:00.123456Z","level":"info","component":"...","event":"...",
// <fields>}. Phone numbers and secrets are masked: the Logger masks any field whose key names a
// secret (contains "token", "key", "secret", "password" or "authorization") or a phone (is "to",
// "phone", "recipient" or "wa_id"); the helpers below are for text built by hand. Strings are
// escaped as JSON and invalid UTF-8 is replaced by U+FFFD, so a line is always valid JSON.
// Thread-safe: one fwrite + fflush per line under a mutex. Created once in main and passed by
// reference (no global state).
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "common/clock.hpp"

namespace disparo::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// Parses "debug" | "info" | "warn" | "error" (exactly, lower case); returns false when unknown.
bool parse_level(std::string_view text, Level& out);
// The inverse of parse_level: "debug", "info", "warn" or "error".
const char* to_string(Level level) noexcept;

struct Field {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};

class Logger {
 public:
  // Writes to `out` (not owned; stderr by default). `component` is added to every line.
  // `clock` (not owned, may be null for the system clock) stamps the lines; tests pass a
  // FakeClock so the output is deterministic.
  explicit Logger(std::string component, Level min_level = Level::info, std::FILE* out = stderr,
                  const Clock* clock = nullptr);

  // Fields named like the fixed members ("ts", "level", "component", "event") are written with a
  // leading underscore ("_event") so a line never has duplicate keys.
  void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});
  void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::debug, event, fields);
  }
  void info(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::info, event, fields);
  }
  void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::warn, event, fields);
  }
  void error(std::string_view event, std::initializer_list<Field> fields = {}) {
    write(Level::error, event, fields);
  }
  bool enabled(Level level) const { return level >= min_level_; }

 private:
  std::string component_;
  Level min_level_;
  std::FILE* out_;
  const Clock* clock_;
  std::mutex mutex_;
};

// "+5511987654321" -> "+55119****4321": keeps the country code, the area code and the first
// subscriber digit, and the last 4 digits. Short inputs keep at most their last 2 characters;
// a WhatsApp JID keeps its device and server ("5511987654321:7@s.whatsapp.net" ->
// "55119****4321:7@s.whatsapp.net").
std::string mask_phone(std::string_view phone);
// "dsp_live_abcdef123456" -> "dsp_…3456": keeps a short type prefix ("dsp_", "whsec_", or an
// auth scheme like "Bearer ") and, when at least 16 characters follow it, the last 4 of them;
// shorter secrets show nothing but the prefix. An empty secret stays empty.
std::string mask_secret(std::string_view secret);
// Appends `text` to `out` as the inside of a JSON string (quotes not included). Control
// characters are escaped, invalid UTF-8 is replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace disparo::log
