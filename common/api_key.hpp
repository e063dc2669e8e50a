// API keys of tenants and the signing secrets of outgoing webhooks.
//
// A tenant's API key is shown once, at creation; only its SHA-256 is stored, and requests are
// matched by hashing the presented key. The prefix is stored in the clear so operators can tell
// keys apart in lists and logs. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace disparo {

struct MintedApiKey {
  std::string key;     // "dsp_" + 40 random [A-Za-z0-9]; give to the tenant once, never store
  std::string prefix;  // the first 12 characters of key ("dsp_" + 8); safe to store and show
  std::string hash;    // api_key_hash(key); what the database keeps
};

inline constexpr std::string_view kApiKeyPrefix = "dsp_";
inline constexpr std::size_t kApiKeyRandomChars = 40;  // about 238 bits of entropy
inline constexpr std::size_t kApiKeyDisplayPrefix = 12;

MintedApiKey mint_api_key();
// Lowercase hex SHA-256 of the key. A plain fast hash is enough: the key has ~238 random bits,
// so there is nothing to brute-force that a slow password hash would protect.
std::string api_key_hash(std::string_view key);
// True when `text` has the shape of a key from mint_api_key (prefix, length, alphabet). Lets
// the HTTP layer reject garbage before touching the database; says nothing about validity.
bool looks_like_api_key(std::string_view text);

// A signing secret in the Standard Webhooks format: "whsec_" + base64 of 24 random bytes. The
// receiver base64-decodes the part after "whsec_" to get the HMAC key.
std::string mint_webhook_secret();

}  // namespace disparo
