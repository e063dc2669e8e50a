// Campaign preview: who a run of a campaign on a given local day would reach, and who it would
// leave out and why. It runs the very audience query the expansion runs (campaigns/audience.hpp),
// so the counts here are the counts a run enqueues on that day.
//
// Blocking libpq calls: run it off any event-loop thread (admin offload pool). Stateless; a
// Connection is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::campaigns {

// How many recipients go to one server or one session. `id` is nullopt for clients without a
// server (they leave through the tenant's default session); sessions always have an id.
struct PreviewGroup {
  std::optional<std::int64_t> id;
  std::string name;  // "" when id is nullopt
  std::int64_t count = 0;
};

// Exclusion reasons, in the order they are checked (a client gets the first that applies):
// "blocked", "archived", "opted_out", "no_session", "no_provider_template",
// "already_reached_today".
struct PreviewReasonCount {
  std::string reason;
  std::int64_t count = 0;
};

struct PreviewRecipient {
  std::int64_t client_id = 0;
  std::string name;
  std::optional<std::int64_t> server_id;
  std::int64_t session_id = 0;
};

struct PreviewExclusion {
  std::int64_t client_id = 0;
  std::string name;
  std::string reason;
};

struct CampaignPreview {
  std::int64_t campaign_id = 0;
  date::local_days day;                          // the tenant-local "today" of the preview
  std::int64_t recipients = 0;                   // messages a run on `day` would enqueue
  std::vector<PreviewGroup> servers;             // by count desc, then id
  std::vector<PreviewGroup> sessions;            // by count desc, then id
  std::int64_t excluded = 0;
  std::vector<PreviewReasonCount> excluded_by_reason;  // only reasons with count > 0, in check order
  std::vector<PreviewRecipient> recipient_list;  // the first `list_limit`, by client id
  std::vector<PreviewExclusion> excluded_list;   // the first `list_limit`, by client id
};

// Errors: not_found when the campaign does not exist in this tenant (or is archived);
// unavailable/internal from the database.
Expected<CampaignPreview> preview_campaign(pg::Connection& conn, std::int64_t tenant_id,
                                           std::int64_t campaign_id, date::local_days today,
                                           std::size_t list_limit);

}  // namespace disparo::campaigns
