// Tenants and their API keys in PostgreSQL: the SQL of the admin's foundation.
//
// Plain functions over a pg::Connection (blocking): call them from a worker thread via
// offload(), or from main in the command-line tools. Keys are returned in clear exactly once,
// by the call that mints them; only their SHA-256 and a short prefix are stored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

inline constexpr std::string_view kOwnerRole = "owner";

struct Tenant {
  std::int64_t id = 0;
  std::string slug;
  std::string name;
  std::string time_zone;
};

struct NewTenant {
  std::string slug;
  std::string name;
  std::string time_zone;
};

struct CreatedTenant {
  Tenant tenant;
  std::string api_key;  // in clear: show it once, never log it
  std::string role;
};

// Inserts the tenant (with a fresh callback secret) and its first owner key, in one transaction.
// `conflict` when the slug is taken. The input must have passed check_new_tenant().
Expected<CreatedTenant> create_tenant(pg::Connection& conn, const NewTenant& input);

// Mints a key for `tenant_id` with `role` and stores its hash; returns the key in clear. Runs
// in the caller's transaction, if any.
Expected<std::string> add_api_key(pg::Connection& conn, std::int64_t tenant_id,
                                  std::string_view role, std::string_view label);

// `not_found` when absent.
Expected<Tenant> find_tenant(pg::Connection& conn, std::int64_t id);
Expected<Tenant> find_tenant_by_slug(pg::Connection& conn, std::string_view slug);

}  // namespace disparo::admin
