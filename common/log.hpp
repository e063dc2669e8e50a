// Logger: JSON-lines logging with levels, one object per line.
//
// Phone numbers and secrets are masked by the helpers below before they reach a field; the
// Logger itself also masks any field whose key names a secret ("token", "key", "secret",
// "password", "authorization") or a phone ("to", "phone", "wa_id"). Thread-safe: one write
// per line under a mutex. Created once in main and passed by reference (no global state).
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

namespace disparo::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// Parses "debug" | "info" | "warn" | "error"; returns false when unknown.
bool parse_level(std::string_view text, Level& out);

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
  explicit Logger(std::string component, Level min_level = Level::info, std::FILE* out = stderr);

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
  std::mutex mutex_;
};

// "+5511987654321" -> "+55119****4321": keeps country/area and the last 4 digits.
std::string mask_phone(std::string_view phone);
// "dsp_live_abcdef123456" -> "dsp_…3456" (keeps a short prefix and the last 4 characters).
std::string mask_secret(std::string_view secret);
// Appends `text` to `out` as the inside of a JSON string (quotes not included).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace disparo::log
