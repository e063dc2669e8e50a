// JSON for the admin API: Boost.JSON (header-only, compiled once in json.cpp) for parsing request
// bodies and writing responses, plus a reader that collects field errors for problem+json.
//
// Why Boost.JSON here and simdjson on the dispatcher: the admin builds and inspects small
// documents whose shape it validates field by field (a DOM is the natural fit), and it is on the
// Boost side already; the dispatcher's hot ingest path parses with simdjson.
// Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "admin/problem.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

// Parses `text` as one JSON object. invalid_argument with a message for people otherwise.
Expected<boost::json::object> parse_object(std::string_view text);

// Serialises with correct escaping of every string (control characters, quotes, non-ASCII kept
// as UTF-8).
std::string to_json(const boost::json::value& value);

// Reads members of a request object and records one FieldError per bad or unknown member, so
// a client learns about every problem at once.
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& object) : object_(object) {}

  // A required string member; records "is required" / "must be a string" and returns nullopt.
  std::optional<std::string> required_string(std::string_view key);
  // An optional string member: nullopt when absent or null; records an error on a wrong type.
  std::optional<std::string> optional_string(std::string_view key);
  // Records an error for every member not read so far ("unknown field"): typos fail loudly.
  void reject_unknown();

  void add_error(std::string field, std::string message);
  const std::vector<FieldError>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }

 private:
  const boost::json::object& object_;
  std::vector<std::string> seen_;
  std::vector<FieldError> errors_;
};

}  // namespace disparo::admin
