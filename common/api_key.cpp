#include "common/api_key.hpp"

#include "common/crypto.hpp"

namespace disparo {
namespace {

constexpr std::size_t kWebhookSecretBytes = 24;

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

MintedApiKey mint_api_key() {
  MintedApiKey minted;
  minted.key = std::string(kApiKeyPrefix) + crypto::random_token(kApiKeyRandomChars);
  minted.prefix = minted.key.substr(0, kApiKeyDisplayPrefix);
  minted.hash = api_key_hash(minted.key);
  return minted;
}

std::string api_key_hash(std::string_view key) {
  return crypto::sha256_hex(key);
}

bool looks_like_api_key(std::string_view text) {
  if (text.size() != kApiKeyPrefix.size() + kApiKeyRandomChars) return false;
  if (text.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (char c : text.substr(kApiKeyPrefix.size())) {
    if (!is_alnum(c)) return false;
  }
  return true;
}

std::string mint_webhook_secret() {
  return "whsec_" + crypto::base64_encode(crypto::random_bytes(kWebhookSecretBytes));
}

}  // namespace disparo
