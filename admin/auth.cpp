#include "admin/auth.hpp"

#include <cctype>

#include "common/api_key.hpp"
#include "common/crypto.hpp"

namespace disparo::admin {
namespace {

constexpr std::size_t kMaxTokenLength = 256;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  auto space = authorization.find(' ');
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "bearer")) {
    return std::nullopt;
  }
  auto token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  if (token.find(' ') != std::string_view::npos) return std::nullopt;
  return token;
}

bool master_key_matches(std::string_view configured, std::string_view presented) {
  if (configured.empty()) return false;
  // Compare digests so the comparison time depends on neither key's length or content.
  return crypto::constant_time_equal(crypto::sha256_hex(configured), crypto::sha256_hex(presented));
}

Expected<Caller> authenticate(pg::Connection& conn, std::string_view api_key) {
  // One round trip: find the live key, touch last_used_at when it is older than a minute.
  auto rows = conn.exec(
      "WITH k AS (SELECT id, tenant_id, role, last_used_at FROM api_keys "
      "           WHERE key_hash = $1 AND revoked_at IS NULL), "
      "touched AS (UPDATE api_keys SET last_used_at = now() FROM k "
      "            WHERE api_keys.id = k.id "
      "              AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds')) "
      "SELECT id, tenant_id, role FROM k",
      {api_key_hash(api_key)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) {
    return make_error(ErrorKind::unauthorized, "The API key is unknown or has been revoked.");
  }
  return Caller{rows->int64(0, 1), rows->int64(0, 0), std::string(rows->text(0, 2))};
}

}  // namespace disparo::admin
