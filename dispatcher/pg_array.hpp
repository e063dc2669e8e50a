// PostgreSQL array literals for text-format parameters: {"a","b",NULL}.
//
// Lets one statement take a whole batch as arrays (unnest), with every value still a bound
// parameter, never spliced into SQL. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace disparo::dispatch {

class PgArrayBuilder {
 public:
  void add(std::string_view value);
  void add_null();
  void add_optional(const std::optional<std::string>& value) {
    value ? add(std::string_view(*value)) : add_null();
  }
  std::string finish() &&;

 private:
  std::string text_ = "{";
  bool first_ = true;
};

}  // namespace disparo::dispatch
