#include "admin/resource_support.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "admin/json.hpp"

namespace disparo::admin {

boost::asio::awaitable<Authorized> authorize(ApiContext& ctx, const Request& request, Action action) {
  auto auth = co_await authenticate_request(ctx, request);
  if (!auth.caller) co_return Authorized{std::nullopt, std::move(auth.problem)};
  if (auto denied = require(auth.caller->role, action)) co_return Authorized{std::nullopt, std::move(*denied)};
  co_return Authorized{std::move(auth.caller), {}};
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

JsonBody read_json_body(const Request& request) {
  auto type = request[http::field::content_type];
  std::string value(type.data(), type.size());
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  constexpr std::string_view kJson = "application/json";
  const bool json = value.rfind(kJson, 0) == 0 &&
                    (value.size() == kJson.size() || value[kJson.size()] == ';' || value[kJson.size()] == ' ');
  if (!json) return {std::nullopt, unsupported_media_type("application/json")};
  auto parsed = parse_object(request.body());
  if (!parsed) return {std::nullopt, bad_request(parsed.error().message)};
  return {std::move(*parsed), {}};
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool valid_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  const int y = std::stoi(std::string(text.substr(0, 4)));
  const int m = std::stoi(std::string(text.substr(5, 2)));
  const int d = std::stoi(std::string(text.substr(8, 2)));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

const boost::json::value* InputReader::find(std::string_view key) {
  seen_.emplace_back(key);
  auto found = object_.find(key);
  return found == object_.end() ? nullptr : &found->value();
}

In<std::string> InputReader::text(std::string_view key, std::size_t min_chars, std::size_t max_chars,
                                  bool multiline) {
  In<std::string> out;
  const auto* v = find(key);
  if (!v) return out;
  out.present = true;
  if (v->is_null()) {
    out.null = true;
    return out;
  }
  if (!v->is_string()) {
    add_error(std::string(key), "must be a string");
    return out;
  }
  std::string s(v->get_string().data(), v->get_string().size());
  bool blank = true;
  for (unsigned char c : s) {
    const bool allowed_control = multiline && (c == '\n' || c == '\t' || c == '\r');
    if ((c < 0x20 || c == 0x7F) && !allowed_control) {
      add_error(std::string(key), "must not contain control characters");
      return out;
    }
    if (!std::isspace(c)) blank = false;
  }
  const auto length = utf8_length(s);
  if (min_chars > 0 && (length < min_chars || blank)) {
    add_error(std::string(key), min_chars == 1 ? "must not be empty"
                                               : "must have at least " + std::to_string(min_chars) + " characters");
    return out;
  }
  if (length > max_chars) {
    add_error(std::string(key), "must have at most " + std::to_string(max_chars) + " characters");
    return out;
  }
  out.value = std::move(s);
  return out;
}

In<std::int64_t> InputReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  In<std::int64_t> out;
  const auto* v = find(key);
  if (!v) return out;
  out.present = true;
  if (v->is_null()) {
    out.null = true;
    return out;
  }
  std::optional<std::int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) n = static_cast<std::int64_t>(v->get_uint64());
  if (!n) {
    add_error(std::string(key), "must be an integer");
    return out;
  }
  if (*n < min || *n > max) {
    add_error(std::string(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return out;
  }
  out.value = *n;
  return out;
}

In<bool> InputReader::boolean(std::string_view key) {
  In<bool> out;
  const auto* v = find(key);
  if (!v) return out;
  out.present = true;
  if (v->is_null()) {
    out.null = true;
    return out;
  }
  if (!v->is_bool()) {
    add_error(std::string(key), "must be true or false");
    return out;
  }
  out.value = v->get_bool();
  return out;
}

In<std::string> InputReader::one_of(std::string_view key, std::initializer_list<std::string_view> allowed) {
  auto out = text(key, 1, 64);
  if (!out.value) return out;
  if (std::find(allowed.begin(), allowed.end(), *out.value) == allowed.end()) {
    std::string message = "must be one of: ";
    bool first = true;
    for (auto a : allowed) {
      if (!first) message += ", ";
      message += a;
      first = false;
    }
    add_error(std::string(key), std::move(message));
    out.value.reset();
  }
  return out;
}

In<std::string> InputReader::date(std::string_view key) {
  auto out = text(key, 1, 10);
  if (out.value && !valid_date(*out.value)) {
    add_error(std::string(key), "must be a date as YYYY-MM-DD");
    out.value.reset();
  }
  return out;
}

In<std::string> InputReader::time_of_day(std::string_view key) {
  auto out = text(key, 1, 8);
  if (!out.value) return out;
  const auto& s = *out.value;
  auto two = [&](std::size_t at, int max) {
    if (at + 2 > s.size() || !std::isdigit(static_cast<unsigned char>(s[at])) ||
        !std::isdigit(static_cast<unsigned char>(s[at + 1]))) {
      return false;
    }
    return (s[at] - '0') * 10 + (s[at + 1] - '0') <= max;
  };
  const bool ok = (s.size() == 5 && two(0, 23) && s[2] == ':' && two(3, 59)) ||
                  (s.size() == 8 && two(0, 23) && s[2] == ':' && two(3, 59) && s[5] == ':' && two(6, 59));
  if (!ok) {
    add_error(std::string(key), "must be a time of day as HH:MM");
    out.value.reset();
  }
  return out;
}

In<std::vector<std::string>> InputReader::strings(std::string_view key, std::size_t max_items,
                                                  std::size_t max_chars) {
  In<std::vector<std::string>> out;
  const auto* v = find(key);
  if (!v) return out;
  out.present = true;
  if (v->is_null()) {
    out.null = true;
    return out;
  }
  if (!v->is_array()) {
    add_error(std::string(key), "must be an array of strings");
    return out;
  }
  const auto& array = v->get_array();
  if (array.size() > max_items) {
    add_error(std::string(key), "must have at most " + std::to_string(max_items) + " items");
    return out;
  }
  std::vector<std::string> items;
  for (const auto& item : array) {
    if (!item.is_string()) {
      add_error(std::string(key), "must be an array of strings");
      return out;
    }
    std::string s(item.get_string().data(), item.get_string().size());
    const bool control = std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; });
    if (s.empty() || utf8_length(s) > max_chars || control) {
      add_error(std::string(key), "items must have 1 to " + std::to_string(max_chars) +
                                      " characters and no control characters");
      return out;
    }
    if (std::find(items.begin(), items.end(), s) == items.end()) items.push_back(std::move(s));
  }
  out.value = std::move(items);
  return out;
}

void InputReader::reject_unknown() {
  for (const auto& member : object_) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
      add_error(std::string(key), "is not a known field");
    }
  }
}

void InputReader::add_error(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

bool InputReader::has_error(std::string_view field) const {
  return std::any_of(errors_.begin(), errors_.end(), [&](const FieldError& e) { return e.field == field; });
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode_component(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() &&
               hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

QueryParams parse_query(std::string_view target) {
  QueryParams out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    out.emplace_back(decode_component(pair.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1)));
  }
  return out;
}

void SetClause::add(std::string_view column, pg::Param value) {
  params_.push_back(std::move(value));
  if (!text_.empty()) text_ += ", ";
  text_ += column;
  text_ += " = $";
  text_ += std::to_string(params_.size());
}

void SetClause::add_raw(std::string_view assignment) {
  if (!text_.empty()) text_ += ", ";
  text_ += assignment;
}

Response failure_response(ApiContext& ctx, std::string_view event, const Error& error,
                          std::string_view conflict_detail) {
  if (error.kind == ErrorKind::conflict && error.code == "23505" && !conflict_detail.empty()) {
    return problem_response(conflict(std::string(conflict_detail)));
  }
  if (error.kind == ErrorKind::not_found) return problem_response(not_found(error.message));
  if (error.kind == ErrorKind::invalid_argument && error.code.rfind("field:", 0) == 0) {
    return problem_response(validation_failed({{error.code.substr(6), error.message}}));
  }
  if (error.code == "23503") {  // still referenced (e.g. a session that sent messages)
    return problem_response(conflict("This resource is still in use by other records."));
  }
  return problem_response(problem_logged(ctx, event, error));
}

Error not_found_error(std::string_view what) {
  return make_error(ErrorKind::not_found, "No " + std::string(what) + " with this id.");
}

Error field_error(std::string_view field, std::string message) {
  return make_error(ErrorKind::invalid_argument, std::move(message), "field:" + std::string(field));
}

Expected<void> check_owned(pg::Connection& conn, std::string_view table, std::int64_t tenant_id,
                           const In<std::int64_t>& id, std::string_view field) {
  if (!id.value) return {};
  auto rows = conn.exec("SELECT 1 FROM " + std::string(table) + " WHERE id = $1 AND tenant_id = $2",
                        {param(*id.value), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return field_error(field, "does not name one of this tenant's " + std::string(table));
  return {};
}

Response json_response(http::status status, const boost::json::value& body) {
  return make_json(status, to_json(body));
}

boost::json::value nullable_text(const pg::Rows& rows, int row, int col) {
  if (rows.is_null(row, col)) return nullptr;
  auto t = rows.text(row, col);
  return boost::json::string(t.data(), t.size());
}

boost::json::value nullable_int(const pg::Rows& rows, int row, int col) {
  if (rows.is_null(row, col)) return nullptr;
  return rows.int64(row, col);
}

}  // namespace disparo::admin
