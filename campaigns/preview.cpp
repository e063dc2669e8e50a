#include "campaigns/preview.hpp"

#include <algorithm>
#include <map>

#include "campaigns/audience.hpp"

namespace disparo::campaigns {
namespace {

// Groups are keyed by id; nullopt (no server) sorts after every id.
struct GroupKey {
  std::optional<std::int64_t> id;
  bool operator<(const GroupKey& other) const {
    if (id.has_value() != other.id.has_value()) return id.has_value();
    return id.has_value() && *id < *other.id;
  }
};

std::vector<PreviewGroup> sorted_groups(const std::map<GroupKey, PreviewGroup>& groups) {
  std::vector<PreviewGroup> out;
  out.reserve(groups.size());
  for (const auto& [key, group] : groups) out.push_back(group);
  // Stable on the map's id order: by count desc, then id.
  std::stable_sort(out.begin(), out.end(),
                   [](const PreviewGroup& a, const PreviewGroup& b) { return a.count > b.count; });
  return out;
}

}  // namespace

Expected<CampaignPreview> preview_campaign(pg::Connection& conn, std::int64_t tenant_id,
                                           std::int64_t campaign_id, date::local_days today,
                                           std::size_t list_limit) {
  auto found = conn.exec("SELECT 1 FROM campaigns WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL",
                         {std::to_string(tenant_id), std::to_string(campaign_id)});
  if (!found) return std::move(found).error();
  if (found->size() == 0) {
    return make_error(ErrorKind::not_found, "No campaign with id " + std::to_string(campaign_id) + ".");
  }
  const AudienceScope scope{.tenant_id = tenant_id, .campaign_id = campaign_id, .day = today, .run_id = std::nullopt};
  auto rows = conn.exec(audience_sql(), audience_params(scope));
  if (!rows) return std::move(rows).error();

  CampaignPreview preview;
  preview.campaign_id = campaign_id;
  preview.day = today;
  std::map<GroupKey, PreviewGroup> servers, sessions;
  std::map<std::string, std::int64_t, std::less<>> reasons;
  for (int r = 0; r < rows->size(); ++r) {
    const std::int64_t client_id = rows->int64(r, kClientId);
    if (!rows->is_null(r, kReason)) {
      ++preview.excluded;
      const std::string reason(rows->text(r, kReason));
      ++reasons[reason];
      if (preview.excluded_list.size() < list_limit) {
        preview.excluded_list.push_back({client_id, std::string(rows->text(r, kClientName)), reason});
      }
      continue;
    }
    ++preview.recipients;
    std::optional<std::int64_t> server_id;
    if (!rows->is_null(r, kServerId)) server_id = rows->int64(r, kServerId);
    const std::int64_t session_id = rows->int64(r, kSessionId);
    auto& server = servers[GroupKey{server_id}];
    if (server.count == 0) {
      server.id = server_id;
      server.name = std::string(rows->text(r, kServerName));
    }
    ++server.count;
    auto& session = sessions[GroupKey{session_id}];
    if (session.count == 0) {
      session.id = session_id;
      session.name = std::string(rows->text(r, kSessionName));
    }
    ++session.count;
    if (preview.recipient_list.size() < list_limit) {
      preview.recipient_list.push_back(
          {client_id, std::string(rows->text(r, kClientName)), server_id, session_id});
    }
  }
  preview.servers = sorted_groups(servers);
  preview.sessions = sorted_groups(sessions);
  for (std::string_view reason : kExclusionReasons) {
    if (auto it = reasons.find(reason); it != reasons.end()) {
      preview.excluded_by_reason.push_back({std::string(reason), it->second});
    }
  }
  return preview;
}

}  // namespace disparo::campaigns
