// SQL for servers (panels or product lines): CRUD and per-server client statistics. Answers are
// the API's JSON. Blocking: call from a worker thread through with_db().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {

struct ServerInput {
  In<std::string> name;
  In<std::int64_t> credit_cost_cents;
  In<std::int64_t> session_id;  // null: messages use the tenant's default session
};

// With stats: clients (not archived) on the server, their share of all the tenant's clients
// (0..1), the total credit cost (clients x credit cost) and the session messages leave through.
// `id` set: that one server (not_found when absent or another tenant's), else {"items": [...]}.
Expected<boost::json::value> read_servers(pg::Connection& conn, std::int64_t tenant_id,
                                          std::optional<std::int64_t> id);
Expected<boost::json::value> create_server(pg::Connection& conn, std::int64_t tenant_id, const ServerInput& in);
Expected<boost::json::value> update_server(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                           const ServerInput& in);
// Clients of a deleted server keep existing without a server.
Expected<boost::json::value> delete_server(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

}  // namespace disparo::admin
