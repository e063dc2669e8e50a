// Everything needed to send one templated message to one client: its render context, phone,
// session and that session's provider. Blocks on the connection (worker threads only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <date/tz.h>

#include "adapters/postgres/pg.hpp"
#include "campaigns/placeholders.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"

namespace disparo::campaigns {

struct ClientTarget {
  std::int64_t tenant_id = 0;
  std::int64_t client_id = 0;
  std::string phone;                  // E.164
  RenderContext context;              // {empresa} = tenant name; {valor} = amount or plan price
  std::optional<std::int64_t> session_id;  // server's session, else the default; nullopt = none
  std::string provider;               // that session's provider ("cloud_api", ...); "" = none
  std::optional<std::int64_t> server_id;
  bool blocked = false;
  bool archived = false;
  std::string time_zone;              // the tenant's IANA zone

  bool cloud_api() const { return provider == "cloud_api"; }
  bool can_receive_automatic() const { return !blocked && !archived && session_id.has_value(); }
};

// The local date and minutes since midnight of `now` in `zone` (falls back to
// America/Sao_Paulo when the zone is unknown).
struct LocalNow {
  date::local_days today;
  std::chrono::minutes minutes;
};
LocalNow local_now(std::string_view zone, SysTime now);

// One client of a tenant; not_found when absent or another tenant's. today/hora use the tenant's
// time zone at `now`.
Expected<ClientTarget> load_client_target(pg::Connection& conn, std::int64_t tenant_id,
                                          std::int64_t client_id, SysTime now);

}  // namespace disparo::campaigns
