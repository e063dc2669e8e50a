// SQL for clients: single reads and the filtered, keyset-paginated listing (with derived status
// and category from the SQL functions of 0005), create/update with tags, alerts, and the
// tenant's tag list. Answers are the API's JSON; the password is included only when the caller's
// role may read it. Blocking: call from a worker thread through with_db().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/client_query.hpp"
#include "admin/money/payment_store.hpp"
#include "admin/resource_support.hpp"

namespace disparo::admin {

struct ClientInput {
  In<std::string> name;
  In<std::string> username;
  In<std::string> password;       // secret: never logged
  In<std::string> phone;          // E.164 after normalisation (routes normalise)
  In<std::string> phone_country;  // calling code the phone was read with
  In<std::string> email;
  In<std::string> notes;
  In<std::int64_t> server_id;
  In<std::int64_t> plan_id;
  In<std::int64_t> amount_cents;  // 0 = the plan's price
  In<std::int64_t> screens;
  In<std::string> due_date;
  In<std::int64_t> due_day;
  In<std::int64_t> channel_id;
  In<std::vector<std::string>> tags;  // replaces the client's tags when present
  In<bool> blocked;
  In<bool> archived;
  In<std::string> archive_reason;  // churn, lost
  // Creation only: a first payment recorded in the same transaction (extends the due date and
  // may queue the payment confirmation). client_id is filled in by create_client.
  std::optional<money::NewPayment> first_payment;
};

struct AlertInput {
  In<std::string> title;
  In<std::string> text;
  In<bool> active;
};

Expected<boost::json::value> read_client(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                         bool show_password);
// {"items": [...], "next_cursor": "..." | null}
Expected<boost::json::value> list_clients(pg::Connection& conn, std::int64_t tenant_id,
                                          const ClientListRequest& request, bool show_password);
Expected<boost::json::value> create_client(pg::Connection& conn, std::int64_t tenant_id, const ClientInput& in,
                                           bool show_password);
Expected<boost::json::value> update_client(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                           const ClientInput& in, bool show_password);

// Alerts answer with the alert; not_found when the client (or alert) is not the tenant's.
Expected<boost::json::value> create_alert(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          const AlertInput& in);
Expected<boost::json::value> update_alert(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          std::int64_t alert_id, const AlertInput& in);
Expected<boost::json::value> delete_alert(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          std::int64_t alert_id);

// {"items": [{"tag": "...", "clients": n}]}: every tag in use, for filter pickers.
Expected<boost::json::value> list_tags(pg::Connection& conn, std::int64_t tenant_id);

}  // namespace disparo::admin
