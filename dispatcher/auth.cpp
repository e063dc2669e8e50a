#include "dispatcher/auth.hpp"

#include "common/api_key.hpp"

namespace disparo::dispatch {
namespace {

constexpr std::size_t kMaxCachedKeys = 10'000;

Error unauthorized(std::string message) {
  return make_error(ErrorKind::unauthorized, std::move(message));
}

}  // namespace

bool role_may_send(std::string_view role) {
  return role == "owner" || role == "manager" || role == "sender" || role == "sales" ||
         role == "support";
}

KeyAuthenticator::KeyAuthenticator(Database& db, const Clock& clock, std::chrono::seconds ttl)
    : db_(db), clock_(clock), ttl_(ttl) {}

asio::awaitable<Expected<Caller>> KeyAuthenticator::authenticate(
    std::optional<std::string_view> authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization || authorization->size() <= kBearer.size() ||
      !authorization->starts_with(kBearer)) {
    co_return unauthorized("send the API key as 'Authorization: Bearer <key>'");
  }
  const std::string_view key = authorization->substr(kBearer.size());
  if (!looks_like_api_key(key)) co_return unauthorized("the API key is not valid");
  std::string hash = api_key_hash(key);

  const SysTime now = clock_.now();
  if (auto found = cache_.find(hash); found != cache_.end()) {
    if (found->second.expires > now) co_return found->second.caller;
    cache_.erase(found);
  }
  auto looked_up = co_await db_.run([&hash](pg::Connection& conn) -> Expected<std::optional<Caller>> {
    auto rows = conn.exec_prepared(
        "UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL "
        "RETURNING id, tenant_id, role",
        {hash});
    if (!rows) return rows.error();
    if (rows->size() == 0) return std::optional<Caller>{};
    return std::optional<Caller>(Caller{rows->int64(0, 1), rows->int64(0, 0), std::string(rows->text(0, 2))});
  });
  if (!looked_up) co_return looked_up.error();
  if (!*looked_up) co_return unauthorized("the API key is not valid");
  if (cache_.size() >= kMaxCachedKeys) cache_.clear();  // bounded; refills from the database
  cache_[std::move(hash)] = Entry{**looked_up, now + ttl_};
  co_return **looked_up;
}

}  // namespace disparo::dispatch
