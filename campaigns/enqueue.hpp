// The one way the admin side and the campaign engine queue a message for the dispatcher: one
// INSERT into messages (status queued) with its accepted + queued events. The dispatcher picks
// it up like any API message. Blocks on the connection; call it inside the caller's transaction
// when it must commit together with other rows (welcome with the client, confirmation with the
// payment).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"

namespace disparo::campaigns {

struct NewMessage {
  std::int64_t tenant_id = 0;
  std::int64_t session_id = 0;
  std::optional<std::int64_t> client_id;
  std::string recipient;     // E.164
  std::string kind;          // text | media | contact | template
  std::string content_json;  // dispatch::content_to_json
  int priority = 1;          // 0 transactional, 1 marketing
  std::string origin = "manual";  // manual | scheduled | automation | campaign
  std::optional<std::string> idempotency_key;
  std::optional<SysTime> send_at;     // nullopt = now (the server's clock)
  std::optional<SysTime> expires_at;  // nullopt = send_at + 24 h
  std::optional<std::int64_t> campaign_run_id;
  std::optional<std::string> metadata_json;  // a JSON object
};

// The new message id, or nullopt when a message with the same (tenant, idempotency_key) already
// exists (nothing inserted).
Expected<std::optional<std::int64_t>> enqueue_message(pg::Connection& conn, const NewMessage& message);

}  // namespace disparo::campaigns
