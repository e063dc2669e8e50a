// Crypto helpers over OpenSSL: hashing API keys, signing and verifying webhooks, random tokens.
//
// Pure functions; thread-safe (OpenSSL 3 needs no locking setup). Comparisons of secrets are
// constant-time. A failure of the OS random generator throws std::runtime_error: nothing safe
// can be minted without it, so it is treated like a start-up failure, not an expected error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace disparo::crypto {

std::string sha256_hex(std::string_view data);                             // lowercase hex
std::string hmac_sha256_hex(std::string_view key, std::string_view data);  // lowercase hex
std::string hmac_sha256_raw(std::string_view key, std::string_view data);  // 32 raw bytes
// Standard base64 (RFC 4648 section 4) with "=" padding and no line breaks.
std::string base64_encode(std::string_view raw);
// Strict inverse of base64_encode: the length must be a multiple of 4, only the standard
// alphabet, padding only at the end; no whitespace. Returns false (and leaves `out` unspecified)
// on anything else.
bool base64_decode(std::string_view text, std::string& out);
// URL-safe base64 (RFC 4648 section 5: "-" and "_") without padding, for opaque tokens such as
// pagination cursors. The decoder accepts exactly what the encoder writes and nothing else.
std::string base64url_encode(std::string_view raw);
bool base64url_decode(std::string_view text, std::string& out);
// Equal length and equal bytes, in time that depends only on the length.
bool constant_time_equal(std::string_view a, std::string_view b);
// `count` raw bytes from the OS CSPRNG.
std::string random_bytes(std::size_t count);
// `length` characters from the OS CSPRNG, each uniformly one of [A-Za-z0-9] (about 5.95 bits of
// entropy per character); safe in URLs, headers and file names.
std::string random_token(std::size_t length);

// Meta's X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app_secret, raw_body)).
std::string hub_signature_256(std::string_view app_secret, std::string_view raw_body);
// True when `header_value` is exactly "sha256=" followed by the 64 hex digits (either case) of
// HMAC-SHA256(app_secret, raw_body). The comparison is constant-time. An empty app secret
// verifies nothing (fails closed): anyone can compute an HMAC with an empty key.
bool verify_hub_signature_256(std::string_view app_secret, std::string_view raw_body,
                              std::string_view header_value);

}  // namespace disparo::crypto
