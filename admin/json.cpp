// The one translation unit that compiles Boost.JSON's sources (header-only mode).
//
// GCC 12 with -fsanitize=address,undefined at -O2 reports false -Warray-bounds and
// -Wstringop-overflow inside Boost.JSON's array::relocate (a memmove of zero elements); they
// concern Boost's code only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#include <boost/json/src.hpp>

#include "admin/json.hpp"

#include <algorithm>

namespace disparo::admin {

Expected<boost::json::object> parse_object(std::string_view text) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) {
    return make_error(ErrorKind::invalid_argument, "The body is not valid JSON: " + ec.message() + ".");
  }
  if (!value.is_object()) {
    return make_error(ErrorKind::invalid_argument, "The body must be a JSON object.");
  }
  return std::move(value.as_object());
}

std::string to_json(const boost::json::value& value) { return boost::json::serialize(value); }

std::optional<std::string> FieldReader::required_string(std::string_view key) {
  auto found = object_.find(key);
  if (found == object_.end() || found->value().is_null()) {
    seen_.emplace_back(key);
    add_error(std::string(key), "is required");
    return std::nullopt;
  }
  return optional_string(key);
}

std::optional<std::string> FieldReader::optional_string(std::string_view key) {
  seen_.emplace_back(key);
  auto found = object_.find(key);
  if (found == object_.end() || found->value().is_null()) return std::nullopt;
  if (!found->value().is_string()) {
    add_error(std::string(key), "must be a string");
    return std::nullopt;
  }
  const auto& s = found->value().get_string();
  return std::string(s.data(), s.size());
}

void FieldReader::reject_unknown() {
  for (const auto& member : object_) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
      add_error(std::string(key), "is not a known field");
    }
  }
}

void FieldReader::add_error(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

}  // namespace disparo::admin
