#include "admin/money/http_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/beast/http/field.hpp>

#include "admin/json.hpp"

namespace disparo::admin::money {
namespace {

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

// is_iso_date, is_rfc3339 and parse_id are in value_checks.cpp (pure code the fuzz targets link alone).

Response json_response(http::status status, const boost::json::value& body) {
  return make_json(status, to_json(body));
}

}  // namespace disparo::admin::money
