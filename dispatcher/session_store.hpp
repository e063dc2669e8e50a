// SessionStore: the statements behind the session and cancel endpoints: a session's state
// (queue depth by priority, sent today vs cap, what it waits for), pause/resume with their
// events, and cancelling a message that has not started sending.
//
// Blocking (libpq); call through Database::run. Every statement is scoped by tenant.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::dispatch {

// JSON of GET /v1/sessions/{id}/state; not_found for another tenant's session.
Expected<std::string> session_state_json(pg::Connection& conn, std::int64_t tenant_id, std::int64_t session_id);

// active -> paused (or paused -> active) with a session_events row. conflict when it already
// is in that state; not_found for another tenant's session.
Expected<void> set_session_state(pg::Connection& conn, std::int64_t tenant_id, std::int64_t session_id,
                                 bool paused, const std::string& reason);

// queued -> cancelled with an event. conflict (with the current status in the message) once it
// has started sending; not_found for another tenant's message.
Expected<void> cancel_message(pg::Connection& conn, std::int64_t tenant_id, std::int64_t message_id);

}  // namespace disparo::dispatch
