// Crypto helpers over OpenSSL: hashing API keys, signing and verifying webhooks, random tokens.
//
// Pure functions; thread-safe. Comparisons of secrets are constant-time.
#pragma once

#include <string>
#include <string_view>

namespace disparo::crypto {

std::string sha256_hex(std::string_view data);                              // lowercase hex
std::string hmac_sha256_hex(std::string_view key, std::string_view data);   // lowercase hex
std::string hmac_sha256_raw(std::string_view key, std::string_view data);   // 32 raw bytes
std::string base64_encode(std::string_view raw);
bool base64_decode(std::string_view text, std::string& out);
bool constant_time_equal(std::string_view a, std::string_view b);
// `bytes` random bytes from the OS CSPRNG, as URL-safe characters [A-Za-z0-9] (about 5.95 bits each).
std::string random_token(std::size_t length);

// Meta's X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app_secret, raw_body)).
std::string hub_signature_256(std::string_view app_secret, std::string_view raw_body);
bool verify_hub_signature_256(std::string_view app_secret, std::string_view raw_body,
                              std::string_view header_value);

}  // namespace disparo::crypto
