// Authentication of admin API callers: tenant API keys (stored as SHA-256) and the operator's
// master key.
//
// bearer_token() and master_key_matches() are pure (any thread). authenticate() runs SQL on a
// pg::Connection (blocking): call it from a worker thread via offload().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

// Who is calling with a tenant API key.
struct Caller {
  std::int64_t tenant_id = 0;
  std::int64_t key_id = 0;
  std::string role;
};

// The token of "Authorization: Bearer <token>" (scheme case-insensitive), or nullopt when the
// header is missing, has another scheme, or the token is empty or implausibly long.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// Constant-time comparison; an empty configured key never matches (the routes are disabled).
bool master_key_matches(std::string_view configured, std::string_view presented);

// Looks the key up by hash among keys not revoked. `unauthorized` when unknown or revoked. Also
// records last_used_at, at most once a minute per key so that busy keys do not turn every
// request into a row update.
Expected<Caller> authenticate(pg::Connection& conn, std::string_view api_key);

}  // namespace disparo::admin
