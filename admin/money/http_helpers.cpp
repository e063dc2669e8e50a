#include "admin/money/http_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/beast/http/field.hpp>
#include <date/date.h>

#include "admin/json.hpp"

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

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

boost::asio::awaitable<Guarded> guard(ApiContext& ctx, const Request& request, Action action) {
  auto auth = co_await authenticate_request(ctx, request);
  if (!auth.caller) co_return Guarded{std::nullopt, problem_response(auth.problem)};
  if (auto denied = require(auth.caller->role, action)) {
    co_return Guarded{std::nullopt, problem_response(*denied)};
  }
  co_return Guarded{std::move(auth.caller), {}};
}

bool is_json_request(const Request& request) {
  auto type = request[http::field::content_type];
  std::string_view value(type.data(), type.size());
  constexpr std::string_view kJson = "application/json";
  if (value.size() < kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kJson[i]) return false;
  }
  return value.size() == kJson.size() || value[kJson.size()] == ';' || value[kJson.size()] == ' ';
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Query::Query(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) {
      errors_.push_back({"query", "has a malformed percent escape"});
      continue;
    }
    values_.emplace_back(std::move(*name), std::move(*value));
  }
}

std::optional<std::string> Query::get(std::string_view name) const {
  std::optional<std::string> found;
  for (const auto& [key, value] : values_) {
    if (key == name) found = value;
  }
  return found;
}

void Query::reject_unknown(std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : values_) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      errors_.push_back({key, "is not a known parameter"});
    }
  }
}

std::optional<std::int64_t> Query::positive_id(std::string_view name) {
  auto raw = get(name);
  if (!raw) return std::nullopt;
  auto id = parse_id(*raw);
  if (!id) errors_.push_back({std::string(name), "must be a positive integer id"});
  return id;
}

std::optional<bool> Query::boolean(std::string_view name) {
  auto raw = get(name);
  if (!raw) return std::nullopt;
  if (*raw == "true" || *raw == "1") return true;
  if (*raw == "false" || *raw == "0") return false;
  errors_.push_back({std::string(name), "must be true or false"});
  return std::nullopt;
}

std::optional<std::string> Query::one_of(std::string_view name, std::initializer_list<std::string_view> allowed) {
  auto raw = get(name);
  if (!raw) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *raw) != allowed.end()) return raw;
  std::string message = "must be one of:";
  for (auto a : allowed) {
    message += ' ';
    message += a;
  }
  errors_.push_back({std::string(name), std::move(message)});
  return std::nullopt;
}

std::optional<std::string> Query::date(std::string_view name) {
  auto raw = get(name);
  if (!raw) return std::nullopt;
  if (is_iso_date(*raw)) return raw;
  errors_.push_back({std::string(name), "must be a date YYYY-MM-DD"});
  return std::nullopt;
}

std::optional<std::int64_t> Query::integer_in(std::string_view name, std::int64_t min, std::int64_t max) {
  auto raw = get(name);
  if (!raw) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || end != raw->data() + raw->size() || v < min || v > max) {
    errors_.push_back({std::string(name), "must be an integer from " + std::to_string(min) + " to " +
                                              std::to_string(max)});
    return std::nullopt;
  }
  return v;
}

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

Response json_response(http::status status, const boost::json::value& body) {
  return make_json(status, to_json(body));
}

}  // namespace disparo::admin::money
