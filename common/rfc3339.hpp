// RFC 3339 timestamps: parse what API callers send, format what we answer.
//
// Accepts "2026-11-22T18:00:00Z", fractional seconds (up to 9 digits, kept to microseconds)
// and numeric offsets ("-03:00"); 't'/'z' and a space separator are accepted as RFC 3339
// allows. Output is always UTC with microseconds: "2026-11-22T18:00:00.123456Z". Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace disparo {

std::optional<SysTime> parse_rfc3339(std::string_view text);
std::string format_rfc3339(SysTime time);

}  // namespace disparo
