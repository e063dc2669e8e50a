// Standard Webhooks (standardwebhooks.com, v1 symmetric scheme): signing our status callbacks and
// verifying them, as pure functions.
//
// A delivery carries three headers: `webhook-id` (stable across retries of one delivery, the
// receiver's idempotency key), `webhook-timestamp` (unix seconds of this attempt) and
// `webhook-signature` ("v1,<base64 HMAC-SHA256>", several space-separated during a key
// rotation). The signed content is "<webhook-id>.<webhook-timestamp>.<raw body>"; the HMAC key is
// the base64-decoded part of the secret after its "whsec_" prefix. verify() is what a receiver
// does (our tests, and the recipe in docs/callbacks.md). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace disparo::dispatch::standard_webhooks {

inline constexpr std::string_view kSecretPrefix = "whsec_";
// How far a webhook-timestamp may be from the receiver's clock (either way): replay protection.
inline constexpr std::int64_t kToleranceSeconds = 5 * 60;

// The HMAC key of a secret: base64 (standard alphabet, padded) after an optional "whsec_"
// prefix. Error `invalid_argument` when that is not base64 or decodes to nothing.
Expected<std::string> decode_secret(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>" for one decoded key.
std::string signature(std::string_view key, std::string_view id, std::int64_t timestamp,
                      std::string_view body);

// The id of a delivery: the same for every retry of it, so a receiver can drop duplicates.
std::string webhook_id(std::int64_t delivery_id);  // "evt_<delivery_id>"

struct SignedHeaders {
  std::string id;         // webhook-id
  std::string timestamp;  // webhook-timestamp (decimal unix seconds)
  std::string signature;  // webhook-signature
};

// The three headers for `body`, signed with each secret (in order, space-separated). Error
// `invalid_argument` when `secrets` is empty or one of them is not a valid secret.
Expected<SignedHeaders> sign(const std::vector<std::string>& secrets, std::string id,
                             std::int64_t timestamp, std::string_view body);
inline Expected<SignedHeaders> sign(const std::string& secret, std::string id,
                                    std::int64_t timestamp, std::string_view body) {
  return sign(std::vector<std::string>{secret}, std::move(id), timestamp, body);
}

enum class Verdict {
  ok,
  bad_secret,             // the receiver's own secret is not a valid whsec_ secret
  missing_header,         // one of the three headers is empty or absent
  bad_timestamp,          // not a plain decimal number of seconds
  timestamp_too_old,      // older than the tolerance
  timestamp_too_new,      // further in the future than the tolerance
  no_matching_signature,  // no "v1,..." entry matches
};
const char* to_string(Verdict verdict) noexcept;

// What a receiver checks: the timestamp is within `tolerance_seconds` of `now_unix`, and one of
// the space-separated "v1,<base64>" entries of `signature_header` is the signature of
// id.timestamp.body under `secret` (compared in constant time; other versions are ignored).
Verdict verify(std::string_view secret, std::string_view id, std::string_view timestamp,
               std::string_view signature_header, std::string_view body, std::int64_t now_unix,
               std::int64_t tolerance_seconds = kToleranceSeconds);

}  // namespace disparo::dispatch::standard_webhooks
