// Scheduled messages: one-off messages queued now for a chosen time (messages.origin
// 'scheduled', send_at in the future), to a client through a template or a text, or to any
// number with a text. Listed with their status and reason from the messages table and cancelled
// while queued, exactly like the dispatcher's DELETE /v1/messages/{id}. Blocking SQL: worker
// threads only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "admin/templates/template_store.hpp"
#include "common/clock.hpp"

namespace disparo::admin::templates {

struct NewScheduled {
  std::optional<std::int64_t> client_id;   // exactly one of client_id and to
  std::optional<std::string> to;           // E.164
  std::optional<std::int64_t> template_id; // exactly one of template_id and text
  std::optional<std::string> text;
  std::optional<std::int64_t> session_id;  // default: the client's session, else the tenant's default
  SysTime send_at;
  std::optional<std::string> idempotency_key;  // stored as "scheduled:<key>"
  std::int64_t key_id = 0;
};

// Placeholders a text to a bare number may use (there is no client to fill the others from).
bool placeholder_allowed_without_client(std::string_view name);

// 201 with the scheduled message; 200 with the existing one for a repeated idempotency key; 409
// when the client is blocked/archived, there is no session or a Cloud API session meets a
// template without a provider mapping; 422 for ids that are not the tenant's. The content is
// rendered now, with {data}/{hora} of send_at in the tenant's zone.
Expected<Reply> create_scheduled(pg::Connection& conn, std::int64_t tenant_id, const NewScheduled& in, SysTime now);

struct ScheduledQuery {
  std::optional<std::string> status;
  std::optional<std::int64_t> client_id;
  int limit = 50;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  // cursor: (send_at µs, id)
};
// {"items": [...], "next_cursor": "..." | null}, newest send_at first.
Expected<Reply> list_scheduled(pg::Connection& conn, std::int64_t tenant_id, const ScheduledQuery& query);
// One scheduled message with its event history.
Expected<Reply> read_scheduled(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);
// Cancels a queued (or accepted) scheduled message: status cancelled + an event; 409 otherwise.
Expected<Reply> cancel_scheduled(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

}  // namespace disparo::admin::templates
