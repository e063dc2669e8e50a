// KeyAuthenticator: turns "Authorization: Bearer <api key>" into the calling tenant and role.
//
// Keys are looked up by SHA-256 (only hashes are stored) and cached for a short TTL so the hot
// ingest path does not pay a database round trip per request; a revoked key stops working
// within that TTL. Use from the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <asio/awaitable.hpp>

#include "common/clock.hpp"
#include "common/expected.hpp"
#include "dispatcher/database.hpp"

namespace disparo::dispatch {

struct Caller {
  std::int64_t tenant_id = 0;
  std::int64_t key_id = 0;
  std::string role;  // owner | manager | finance | sales | support | sender
};

// Roles that may send messages; every role may read its tenant's messages.
bool role_may_send(std::string_view role);

class KeyAuthenticator {
 public:
  KeyAuthenticator(Database& db, const Clock& clock,
                   std::chrono::seconds ttl = std::chrono::seconds(30));

  // unauthorized when the header is missing, malformed, unknown or revoked.
  asio::awaitable<Expected<Caller>> authenticate(std::optional<std::string_view> authorization);

 private:
  struct Entry {
    Caller caller;
    SysTime expires;
  };
  Database& db_;
  const Clock& clock_;
  std::chrono::seconds ttl_;
  std::unordered_map<std::string, Entry> cache_;  // key hash -> caller
};

}  // namespace disparo::dispatch
