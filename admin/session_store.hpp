// SQL for WhatsApp sessions as the admin manages them: provider and its addressing, credentials
// (write-only: stored, never selected back), the pacing policy the dispatcher enforces, and the
// tenant's default session. Answers are the API's JSON. Blocking: call from a worker thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {

struct SessionInput {
  In<std::string> name;
  In<std::string> provider;         // cloud_api, evolution, sandbox
  In<std::string> base_url;
  In<std::string> phone_number_id;  // Cloud API sender id
  In<std::string> instance_name;    // Evolution instance
  In<std::string> waba_id;
  In<std::string> access_token;     // secret, write-only
  In<std::string> webhook_secret;   // secret, write-only (Evolution)
  In<std::int64_t> min_interval_ms;
  In<std::int64_t> jitter_ms;
  In<std::int64_t> burst;
  In<std::int64_t> daily_cap;
  In<std::string> window_start;     // "HH:MM" local; both null = always
  In<std::string> window_end;
  In<std::int64_t> warmup_start_cap;
  In<std::int64_t> warmup_days;
  In<std::string> warmup_started_on;
  In<bool> is_default;
};

Expected<boost::json::value> read_sessions(pg::Connection& conn, std::int64_t tenant_id,
                                           std::optional<std::int64_t> id);
Expected<boost::json::value> create_session(pg::Connection& conn, std::int64_t tenant_id, const SessionInput& in);
Expected<boost::json::value> update_session(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                            const SessionInput& in);
// conflict when messages were sent through it (pause it instead); servers linked to it fall back
// to the tenant's default session.
Expected<boost::json::value> delete_session(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

}  // namespace disparo::admin
