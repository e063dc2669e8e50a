// A campaign as the admin API reads it: the request body's members (with PATCH semantics),
// the complete set of a campaign's fields they are merged into, and the rules that hold across
// fields (anchor and day offset, schedule days and time) checked on the merged result, so a
// PATCH of one member is judged together with the stored others.
//
// Pure; any thread. References to other rows (template, servers, plans, channels) are checked by
// the store (campaign_store.hpp), which needs the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "admin/resource_support.hpp"

namespace disparo::admin::campaigns {

inline constexpr std::size_t kMaxIdsPerFilter = 500;
inline constexpr std::size_t kMaxTags = 50;

// The members of POST/PATCH /v1/campaigns. Absent members keep their value (PATCH); `null`
// clears the nullable ones (server_ids, plan_ids, channel_ids, tags, day_offset, schedule_time).
struct CampaignInput {
  In<std::string> name;
  In<std::string> kind;             // billing, recovery, referral, post_sale, custom
  In<std::int64_t> template_id;
  In<std::vector<std::int64_t>> server_ids;   // null = every server
  In<std::string> audience_status;  // active, overdue, suspended, any
  In<std::string> audience_anchor;  // none, due_date, created
  In<std::int64_t> day_offset;
  In<std::vector<std::int64_t>> plan_ids;
  In<std::vector<std::int64_t>> channel_ids;
  In<std::vector<std::string>> tags;
  In<std::int64_t> schedule_days;   // bit set (bit 0 = Monday), read from ["mon", ...]
  In<std::string> schedule_time;    // "HH:MM"
  In<std::int64_t> interval_seconds;
  In<bool> active;
};

// Every field of a campaign (a stored row, or the defaults of a new one).
struct CampaignFields {
  std::string name;
  std::string kind = "custom";
  std::int64_t template_id = 0;
  std::optional<std::vector<std::int64_t>> server_ids;
  std::string audience_status = "any";
  std::string audience_anchor = "none";
  std::optional<std::int64_t> day_offset;
  std::optional<std::vector<std::int64_t>> plan_ids;
  std::optional<std::vector<std::int64_t>> channel_ids;
  std::optional<std::vector<std::string>> tags;
  int schedule_days = 0;
  std::optional<std::string> schedule_time;  // "HH:MM"
  int interval_seconds = 0;
  bool active = true;
};

// `create`: name and template_id are required. Unknown members are field errors.
Validated<CampaignInput> read_campaign_input(const boost::json::object& body, bool create);

// Copies the members that were sent over `fields`.
void apply_input(CampaignFields& fields, const CampaignInput& input);

// The rules across fields, with the member each error names:
//  - anchor "none" has no day_offset; "due_date" and "created" need one ("created": 0..3660);
//  - schedule days need a schedule_time (a time alone, without days, is kept but unused).
std::vector<FieldError> check_campaign(const CampaignFields& fields);

// ["mon","wed"] <-> 0b0000101. Names: mon tue wed thu fri sat sun.
boost::json::array weekday_names(int mask);
std::optional<int> weekday_mask(const std::vector<std::string>& names);

// A PostgreSQL array literal of ids ("{1,2,3}"); ids are integers, so no quoting is needed.
std::string id_array_literal(const std::vector<std::int64_t>& ids);

}  // namespace disparo::admin::campaigns
