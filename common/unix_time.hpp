// Unix-seconds times that come from outside (provider webhooks): the range we store.
//
// The stores hand these to PostgreSQL's to_timestamp(), which fails the whole statement (and so a
// whole webhook batch) on a time past year 9999; a negative one means nothing either. Parsers
// pass every such time through provider_unix_seconds, so 0 ("not given") is all they return
// outside the range. Pure.
#pragma once

#include <cstdint>

namespace disparo {

// 9999-12-31T23:59:59Z: the latest instant PostgreSQL and a 4-digit RFC 3339 year can carry.
inline constexpr std::int64_t kLatestUnixSeconds = 253'402'300'799;

// `seconds` when it lies in [0, kLatestUnixSeconds], else 0 (as when the time is absent).
constexpr std::int64_t provider_unix_seconds(std::int64_t seconds) {
  return seconds >= 0 && seconds <= kLatestUnixSeconds ? seconds : 0;
}

}  // namespace disparo
