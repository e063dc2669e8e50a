#include "dispatcher/callbacks/standard_webhooks.hpp"

#include "common/crypto.hpp"

namespace disparo::dispatch::standard_webhooks {
namespace {

constexpr std::string_view kVersion = "v1,";

std::string signed_content(std::string_view id, std::string_view timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  return content;
}

// Plain decimal seconds ("1614265330"): no sign, no spaces, at most 18 digits so it fits.
bool parse_seconds(std::string_view text, std::int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

Expected<std::string> decode_secret(std::string_view secret) {
  if (secret.starts_with(kSecretPrefix)) secret.remove_prefix(kSecretPrefix.size());
  std::string key;
  if (secret.empty() || !crypto::base64_decode(secret, key) || key.empty()) {
    return make_error(ErrorKind::invalid_argument,
                      "the signing secret is not \"whsec_\" followed by base64");
  }
  return key;
}

std::string signature(std::string_view key, std::string_view id, std::int64_t timestamp,
                      std::string_view body) {
  const std::string mac =
      crypto::hmac_sha256_raw(key, signed_content(id, std::to_string(timestamp), body));
  return std::string(kVersion) + crypto::base64_encode(mac);
}

std::string webhook_id(std::int64_t delivery_id) {
  return "evt_" + std::to_string(delivery_id);
}

Expected<SignedHeaders> sign(const std::vector<std::string>& secrets, std::string id,
                             std::int64_t timestamp, std::string_view body) {
  if (secrets.empty()) return make_error(ErrorKind::invalid_argument, "no signing secret");
  SignedHeaders headers;
  for (const auto& secret : secrets) {
    auto key = decode_secret(secret);
    if (!key) return key.error();
    if (!headers.signature.empty()) headers.signature += ' ';
    headers.signature += signature(*key, id, timestamp, body);
  }
  headers.id = std::move(id);
  headers.timestamp = std::to_string(timestamp);
  return headers;
}

const char* to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::ok:
      return "ok";
    case Verdict::bad_secret:
      return "bad_secret";
    case Verdict::missing_header:
      return "missing_header";
    case Verdict::bad_timestamp:
      return "bad_timestamp";
    case Verdict::timestamp_too_old:
      return "timestamp_too_old";
    case Verdict::timestamp_too_new:
      return "timestamp_too_new";
    case Verdict::no_matching_signature:
      return "no_matching_signature";
  }
  return "unknown";
}

Verdict verify(std::string_view secret, std::string_view id, std::string_view timestamp,
               std::string_view signature_header, std::string_view body, std::int64_t now_unix,
               std::int64_t tolerance_seconds) {
  auto key = decode_secret(secret);
  if (!key) return Verdict::bad_secret;
  if (id.empty() || timestamp.empty() || signature_header.empty()) return Verdict::missing_header;
  std::int64_t sent_at = 0;
  if (!parse_seconds(timestamp, sent_at)) return Verdict::bad_timestamp;
  if (now_unix - sent_at > tolerance_seconds) return Verdict::timestamp_too_old;
  if (sent_at - now_unix > tolerance_seconds) return Verdict::timestamp_too_new;

  // Sign the timestamp text as received: it is what the sender signed.
  const std::string expected =
      std::string(kVersion) +
      crypto::base64_encode(crypto::hmac_sha256_raw(*key, signed_content(id, timestamp, body)));
  bool matched = false;
  std::string_view rest = signature_header;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    const std::string_view entry = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    if (!entry.starts_with(kVersion)) continue;  // another scheme (e.g. v1a): not ours to check
    // Check every entry (no early exit) so the time does not tell which one matched.
    matched = crypto::constant_time_equal(entry, expected) || matched;
  }
  return matched ? Verdict::ok : Verdict::no_matching_signature;
}

}  // namespace disparo::dispatch::standard_webhooks
