// SQL for a tenant's API keys as a resource (list, mint, revoke). Answers are the JSON the API
// returns, built here from the rows (the key's hash is never selected).
//
// Blocking (pg::Connection): call from a worker thread through with_db().
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

Expected<boost::json::value> list_api_keys(pg::Connection& conn, std::int64_t tenant_id);
// The answer includes "api_key" in clear: the only time it is ever shown.
Expected<boost::json::value> create_api_key(pg::Connection& conn, std::int64_t tenant_id,
                                            const std::string& role, const std::string& label);
// not_found for another tenant's key; conflict when it is the tenant's last live owner key (a
// tenant must keep a way in). Revoking twice is fine (keeps the first revocation time).
Expected<boost::json::value> revoke_api_key(pg::Connection& conn, std::int64_t tenant_id, std::int64_t key_id);

}  // namespace disparo::admin
