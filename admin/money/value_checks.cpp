// is_iso_date, is_rfc3339 and parse_id (declared in http_helpers.hpp): pure value checks, in a
// file of their own so that code which needs only them (the asaas_event fuzz target) links them
// without the routes, Beast and coroutines of http_helpers.cpp.
#include <charconv>

#include <date/date.h>

#include "admin/money/http_helpers.hpp"

namespace disparo::admin::money {
namespace {

bool digits(std::string_view s, std::size_t from, std::size_t count) {
  if (s.size() < from + count) return false;
  for (std::size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number(std::string_view s, std::size_t from, std::size_t count) {
  int v = 0;
  for (std::size_t i = from; i < from + count; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2)) {
    return false;
  }
  const date::year_month_day ymd{date::year(number(s, 0, 4)), date::month(static_cast<unsigned>(number(s, 5, 2))),
                                 date::day(static_cast<unsigned>(number(s, 8, 2)))};
  return ymd.ok() && number(s, 0, 4) >= 1;
}

bool is_rfc3339(std::string_view s) {
  // date "T" HH:MM:SS [.frac] (Z | +HH:MM | -HH:MM); 't'/'z' allowed, as RFC 3339 says.
  if (s.size() < 20 || !is_iso_date(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't') return false;
  if (!digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2)) return false;
  if (number(s, 11, 2) > 23 || number(s, 14, 2) > 59 || number(s, 17, 2) > 60) return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 9) return false;
  }
  if (i >= s.size()) return false;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return true;
  if ((s[i] == '+' || s[i] == '-') && s.size() == i + 6 && digits(s, i + 1, 2) && s[i + 3] == ':' &&
      digits(s, i + 4, 2)) {
    return number(s, i + 1, 2) <= 23 && number(s, i + 4, 2) <= 59;
  }
  return false;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace disparo::admin::money
