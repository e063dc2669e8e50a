// SettingsReader: reads a flat list of declared keys from a TOML file and the environment, and
// checks each value against its rule. Internal to config/ (config.cpp binds the values to the
// settings structs); only this file and settings_reader.cpp know toml++.
//
// Sources, later wins: the key's default (left to the caller), the file, then the environment
// variable DISPARO_<SECTION>_<KEY>. Every problem is reported, each naming its source and key:
//   "config/dispatcher.toml: http.port: must be an integer 1..65535 (line 3)"
//   "environment DISPARO_HTTP_PORT: must be an integer 1..65535"
// Keys in the file that are not declared are errors; environment variables that are not
// declared are ignored (the environment is shared by both processes and by the tests).
// Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/expected.hpp"
#include "config/config.hpp"

namespace disparo::config {

enum class ValueType {
  text,       // any string of at least `min` characters (or empty, when empty_ok)
  integer,    // an integer in min..max
  log_level,  // "debug" | "info" | "warn" | "error"
  boolean,    // true | false (environment: true, false, 1, 0); read as the integer 1 or 0
};

struct KeyRule {
  std::string_view section;  // "http"
  std::string_view name;     // "port"
  ValueType type = ValueType::text;
  std::int64_t min = 0;  // integer: lowest value; text: shortest length
  std::int64_t max = 0;  // integer: highest value
  bool empty_ok = true;  // text: "" is accepted even when shorter than min (means "disabled")
};

using Value = std::variant<std::string, std::int64_t>;

// "DISPARO_" + SECTION + "_" + NAME in upper case: DISPARO_CLOUD_API_APP_SECRET.
std::string environment_name(const KeyRule& rule);

// One entry per rule, in the same order: the value from the last source that has it, or
// nullopt when no source does. `path` empty: the environment only. A missing or unreadable
// file is ErrorKind::not_found; anything else is ErrorKind::invalid_argument.
Expected<std::vector<std::optional<Value>>> read_settings(std::span<const KeyRule> rules,
                                                          const std::string& path,
                                                          const Environment& env);

}  // namespace disparo::config
