#include "common/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace disparo::crypto {
namespace {

constexpr std::size_t kSha256Size = 32;
constexpr std::string_view kHubPrefix = "sha256=";

const unsigned char* bytes(std::string_view s) {
  // OpenSSL may reject a null pointer even with a zero length; an empty view can carry one.
  static constexpr unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

void fill_random(unsigned char* out, std::size_t count) {
  while (count > 0) {
    const int chunk = static_cast<int>(std::min<std::size_t>(count, 1 << 20));
    if (RAND_bytes(out, chunk) != 1) {
      throw std::runtime_error("crypto: the OS random generator failed (RAND_bytes)");
    }
    out += chunk;
    count -= static_cast<std::size_t>(chunk);
  }
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (EVP_Digest(bytes(data), data.size(), md.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("crypto: EVP_Digest(sha256) failed");
  }
  return to_hex(md.data(), size);
}

std::string hmac_sha256_raw(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), bytes(key), static_cast<int>(key.size()), bytes(data), data.size(),
           md.data(), &size) == nullptr) {
    throw std::runtime_error("crypto: HMAC(sha256) failed");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), size);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  const std::string raw = hmac_sha256_raw(key, data);
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string base64_encode(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');  // +1: EVP_EncodeBlock writes a NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(raw),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  // EVP_DecodeBlock skips surrounding whitespace and cannot say how much padding it saw, so
  // the shape is checked here and the padding bytes trimmed afterwards.
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = (text[text.size() - 2] == '=') ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_base64_char(text[i])) return false;
  }
  out.assign(text.size() / 4 * 3, '\0');
  if (text.empty()) return true;
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return false;
  out.resize(out.size() - padding);
  return true;
}

std::string base64url_encode(std::string_view raw) {
  std::string text = base64_encode(raw);
  for (auto& ch : text) {
    if (ch == '+') ch = '-';
    else if (ch == '/') ch = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

bool base64url_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;  // no base64 text has that length, padded or not
  std::string standard(text);
  for (auto& ch : standard) {
    if (ch == '-') ch = '+';
    else if (ch == '_') ch = '/';
    else if (ch == '+' || ch == '/' || ch == '=') return false;
  }
  while (standard.size() % 4 != 0) standard += '=';
  return base64_decode(standard, out);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;  // the length of a MAC or key is not a secret
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  fill_random(reinterpret_cast<unsigned char*>(out.data()), count);
  return out;
}

std::string random_token(std::size_t length) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // Rejection sampling: bytes >= 248 (= 4 * 62) are dropped so every character is equally likely.
  constexpr unsigned kLimit = 4 * kAlphabet.size();
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> pool{};
  while (out.size() < length) {
    fill_random(pool.data(), pool.size());
    for (unsigned char b : pool) {
      if (b >= kLimit) continue;
      out += kAlphabet[b % kAlphabet.size()];
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string hub_signature_256(std::string_view app_secret, std::string_view raw_body) {
  return std::string(kHubPrefix) + hmac_sha256_hex(app_secret, raw_body);
}

bool verify_hub_signature_256(std::string_view app_secret, std::string_view raw_body,
                              std::string_view header_value) {
  if (app_secret.empty()) return false;
  if (header_value.size() != kHubPrefix.size() + 2 * kSha256Size) return false;
  if (header_value.substr(0, kHubPrefix.size()) != kHubPrefix) return false;
  const std::string_view hex = header_value.substr(kHubPrefix.size());
  std::array<char, kSha256Size> given{};
  for (std::size_t i = 0; i < kSha256Size; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    given[i] = static_cast<char>((hi << 4) | lo);
  }
  const std::string expected = hmac_sha256_raw(app_secret, raw_body);
  return constant_time_equal(expected, std::string_view(given.data(), given.size()));
}

}  // namespace disparo::crypto
