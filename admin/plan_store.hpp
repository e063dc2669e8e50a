// SQL for plans and acquisition channels (the two small price lists of a tenant). Answers are
// the API's JSON. Blocking: call from a worker thread through with_db().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {

struct PlanInput {
  In<std::string> name;
  In<std::string> cycle;  // monthly, bimonthly, quarterly, semiannual, annual
  In<std::int64_t> price_cents;
  In<std::int64_t> grace_days;
  In<bool> archived;      // archived plans stay on their clients but are not offered
};

struct ChannelInput {
  In<std::string> name;
  In<std::int64_t> cost_cents;  // what one acquired client costs
};

// `id` set: that one (not_found when absent or another tenant's), else {"items": [...]}.
// Plans carry "clients" (how many clients, not archived, are on the plan).
Expected<boost::json::value> read_plans(pg::Connection& conn, std::int64_t tenant_id, std::optional<std::int64_t> id);
Expected<boost::json::value> create_plan(pg::Connection& conn, std::int64_t tenant_id, const PlanInput& in);
Expected<boost::json::value> update_plan(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id, const PlanInput& in);
// conflict while clients are on the plan (archive it instead).
Expected<boost::json::value> delete_plan(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

Expected<boost::json::value> read_channels(pg::Connection& conn, std::int64_t tenant_id, std::optional<std::int64_t> id);
Expected<boost::json::value> create_channel(pg::Connection& conn, std::int64_t tenant_id, const ChannelInput& in);
Expected<boost::json::value> update_channel(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                            const ChannelInput& in);
// Clients acquired through a deleted channel keep existing without one.
Expected<boost::json::value> delete_channel(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

}  // namespace disparo::admin
