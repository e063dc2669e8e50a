#include "common/log.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace disparo::log {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026 in UTF-8

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool names_secret(std::string_view key) {
  const std::string k = lower(key);
  for (std::string_view word : {"token", "key", "secret", "password", "authorization"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

bool names_phone(std::string_view key) {
  const std::string k = lower(key);
  return k == "to" || k == "phone" || k == "recipient" || k == "wa_id";
}

bool has_digit(std::string_view text) {
  for (char c : text) {
    if (is_digit(c)) return true;
  }
  return false;
}

bool is_reserved(std::string_view key) {
  return key == "ts" || key == "level" || key == "component" || key == "event";
}

// Length of the well-formed UTF-8 sequence at the start of `s` (s non-empty, first byte >= 0x80),
// or 0 with `*bad` set to the number of bytes forming the maximal invalid subpart (Unicode's
// "substitution of maximal subparts": one U+FFFD per broken sequence, not per byte).
std::size_t utf8_sequence(std::string_view s, std::size_t* bad) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad = 1;
    return 0;
  }
  for (std::size_t i = 1; i <= need; ++i) {
    if (i >= s.size()) {
      *bad = i;
      return 0;
    }
    const auto b = static_cast<unsigned char>(s[i]);
    const unsigned char min = (i == 1) ? lo : 0x80;
    const unsigned char max = (i == 1) ? hi : 0xBF;
    if (b < min || b > max) {
      *bad = i;
      return 0;
    }
  }
  return need + 1;
}

void append_timestamp(std::string& out, SysTime t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{t - day};
  std::array<char, 40> buf{};
  const int n = std::snprintf(
      buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
  out.append(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}

void append_string_member(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  append_json_escaped(out, key);
  out += "\":\"";
  append_json_escaped(out, value);
  out += '"';
}

void append_field(std::string& out, const Field& field) {
  out += ",\"";
  if (is_reserved(field.key)) out += '_';
  append_json_escaped(out, field.key);
  out += "\":";
  std::array<char, 32> buf{};
  if (const auto* text = std::get_if<std::string_view>(&field.value)) {
    out += '"';
    if (names_secret(field.key)) {
      append_json_escaped(out, mask_secret(*text));
    } else if (names_phone(field.key) && has_digit(*text)) {
      // Only text with digits can leak a number; "to":"sent" (a state) stays readable.
      append_json_escaped(out, mask_phone(*text));
    } else {
      append_json_escaped(out, *text);
    }
    out += '"';
  } else if (const auto* integer = std::get_if<std::int64_t>(&field.value)) {
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), *integer);
    out.append(buf.data(), r.ptr);
  } else if (const auto* real = std::get_if<double>(&field.value)) {
    if (!std::isfinite(*real)) {
      out += "null";  // JSON has no NaN or infinity
    } else {
      const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), *real);
      out.append(buf.data(), r.ptr);
    }
  } else {
    out += std::get<bool>(field.value) ? "true" : "false";
  }
}

}  // namespace

bool parse_level(std::string_view text, Level& out) {
  for (Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == to_string(level)) {
      out = level;
      return true;
    }
  }
  return false;
}

const char* to_string(Level level) noexcept {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "error";
}

Logger::Logger(std::string component, Level min_level, std::FILE* out, const Clock* clock)
    : component_(std::move(component)), min_level_(min_level), out_(out), clock_(clock) {}

void Logger::write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  const SysTime now = clock_ != nullptr ? clock_->now() : SystemClock{}.now();
  // The whole line is built before taking the lock, so the critical section is one write.
  std::string line;
  line.reserve(160 + 48 * fields.size());
  line += "{\"ts\":\"";
  append_timestamp(line, now);
  line += '"';
  append_string_member(line, "level", to_string(level));
  append_string_member(line, "component", component_);
  append_string_member(line, "event", event);
  for (const Field& field : fields) append_field(line, field);
  line += "}\n";

  const std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

std::string mask_phone(std::string_view phone) {
  std::string_view local = phone;
  std::string_view domain;
  // A JID: the user part is masked, ":<device>@<server>" is kept.
  if (const auto end = phone.find_first_of(":@"); end != std::string_view::npos) {
    local = phone.substr(0, end);
    domain = phone.substr(end);
  }
  const std::size_t n = local.size();
  std::size_t head = 0;
  std::size_t tail = 0;
  if (n >= 10) {
    // "+55 11 9": country, area and first subscriber digit; at least 4 characters stay hidden.
    const std::size_t wanted = (local.front() == '+') ? 6 : 5;
    head = std::min(wanted, n - 8);
    tail = 4;
  } else if (n >= 5) {
    tail = 2;
  }
  std::string out;
  out.reserve(phone.size());
  out.append(local.substr(0, head));
  out.append(n - head - tail, '*');
  out.append(local.substr(n - tail));
  out.append(domain);
  return out;
}

std::string mask_secret(std::string_view secret) {
  if (secret.empty()) return {};
  // A type prefix ("dsp_", "whsec_") or an auth scheme ("Bearer ") says what the secret is
  // without revealing any of it.
  std::size_t prefix = 0;
  for (std::size_t i = 1; i < secret.size() && i <= 8; ++i) {
    if (secret[i] == '_' || secret[i] == ' ') {
      prefix = i + 1;
      break;
    }
    if (!is_alnum(secret[i])) break;
  }
  if (!is_alnum(secret[0])) prefix = 0;
  const std::string_view rest = secret.substr(prefix);
  std::string out(secret.substr(0, prefix));
  out += kEllipsis;
  if (rest.size() >= 16) out += rest.substr(rest.size() - 4);
  return out;
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::size_t bad = 0;
      const std::size_t len = utf8_sequence(text.substr(i), &bad);
      if (len == 0) {
        out += kReplacement;
        i += bad;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

}  // namespace disparo::log
