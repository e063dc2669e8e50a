// MessageStore: the dispatcher's PostgreSQL statements for accepting and reading messages.
//
// Blocking (libpq); call through Database::run on a worker thread. Every statement is
// parameterized and scoped by tenant: one tenant's key never reads or writes another's rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"
#include "dispatcher/send_request.hpp"

namespace disparo::dispatch {

// Which sessions a tenant may send through, and how its servers route.
struct TenantRouting {
  std::optional<std::int64_t> default_session;
  std::unordered_set<std::int64_t> sessions;
  std::unordered_map<std::int64_t, std::optional<std::int64_t>> server_sessions;  // server -> session
  std::unordered_set<std::int64_t> clients_checked;  // client ids that belong to the tenant
};

Expected<TenantRouting> load_routing(pg::Connection& conn, std::int64_t tenant_id,
                                     const std::vector<SendRequest>& requests);

// Picks each request's session (explicit session, else its server's, else the tenant default).
// Returns field errors for requests that cannot be routed; `sessions` gets one id per request.
std::vector<FieldError> route_requests(const TenantRouting& routing,
                                       const std::vector<SendRequest>& requests, bool is_batch,
                                       std::vector<std::int64_t>& sessions);

// Provider rules checked at acceptance (issue 4), after routing:
// - Cloud API sessions ("cloud_api"; "sandbox" only with customer_window_check on) accept a
//   template only when it is not known as not approved (provider_templates for the session's
//   WABA), and a free-form message only to a person whose last inbound message to that session
//   is less than 24 h old (customer_windows) -> field errors, 422, nothing accepted;
// - Evolution sessions cannot send templates -> field error;
// - a marketing message to a person who opted out (opt_outs) is accepted and cancelled at once
//   (request.suppressed_reason): one opted-out person never refuses a whole campaign batch.
// Persons are matched by phone::digits_without_ninth, so both spellings of a mobile are one.
Expected<std::vector<FieldError>> check_acceptance(pg::Connection& conn, std::int64_t tenant_id,
                                                   std::vector<SendRequest>& requests,
                                                   const std::vector<std::int64_t>& sessions, bool is_batch);

struct AcceptedMessage {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::string status;
  bool replayed = false;  // an earlier request with the same idempotency key
};

// Inserts the batch in one transaction (messages + their accepted/queued events). Requests
// whose idempotency key already exists for the tenant return the original message instead.
// Results are in request order.
Expected<std::vector<AcceptedMessage>> insert_messages(pg::Connection& conn, std::int64_t tenant_id,
                                                       const std::vector<SendRequest>& requests,
                                                       const std::vector<std::int64_t>& sessions);

// The message with its whole event history as a JSON object; not_found for another tenant's id.
Expected<std::string> message_json(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

}  // namespace disparo::dispatch
