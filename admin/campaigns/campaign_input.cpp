#include "admin/campaigns/campaign_input.hpp"

#include <algorithm>
#include <array>

#include <boost/json.hpp>

namespace disparo::admin::campaigns {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

constexpr std::array<std::string_view, 15> kKnownMembers{
    "name",        "kind",        "template_id", "server_ids",    "audience_status",
    "audience_anchor", "day_offset", "plan_ids", "channel_ids",   "tags",
    "schedule_days", "schedule_time", "interval_seconds", "active", "preset"};

// An array of positive ids (duplicates dropped, order kept), or null. An empty array is refused:
// it would mean "nobody", which is never what a caller means (null means "any").
In<std::vector<std::int64_t>> read_ids(const boost::json::object& body, std::string_view key, InputReader& in) {
  In<std::vector<std::int64_t>> out;
  auto found = body.find(key);
  if (found == body.end()) return out;
  out.present = true;
  const auto& v = found->value();
  if (v.is_null()) {
    out.null = true;
    return out;
  }
  const std::string field(key);
  if (!v.is_array()) {
    in.add_error(field, "must be an array of ids, or null for any");
    return out;
  }
  const auto& array = v.get_array();
  if (array.empty()) {
    in.add_error(field, "must not be empty (null means any)");
    return out;
  }
  if (array.size() > kMaxIdsPerFilter) {
    in.add_error(field, "must have at most " + std::to_string(kMaxIdsPerFilter) + " ids");
    return out;
  }
  std::vector<std::int64_t> ids;
  for (const auto& item : array) {
    std::int64_t id = 0;
    if (item.is_int64() && item.get_int64() > 0) id = item.get_int64();
    else if (item.is_uint64() && item.get_uint64() > 0 && item.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      id = static_cast<std::int64_t>(item.get_uint64());
    if (id == 0) {
      in.add_error(field, "must contain only positive integer ids");
      return out;
    }
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  out.value = std::move(ids);
  return out;
}

}  // namespace

boost::json::array weekday_names(int mask) {
  boost::json::array out;
  for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
    if (mask & (1 << i)) out.emplace_back(kWeekdays[i]);
  }
  return out;
}

std::optional<int> weekday_mask(const std::vector<std::string>& names) {
  int mask = 0;
  for (const auto& name : names) {
    auto found = std::find(kWeekdays.begin(), kWeekdays.end(), name);
    if (found == kWeekdays.end()) return std::nullopt;
    mask |= 1 << static_cast<int>(found - kWeekdays.begin());
  }
  return mask;
}

std::string id_array_literal(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  out += '}';
  return out;
}

Validated<CampaignInput> read_campaign_input(const boost::json::object& body, bool create) {
  InputReader in(body);
  CampaignInput out;
  out.name = in.text("name", 1, 200);
  out.kind = in.one_of("kind", {"billing", "recovery", "referral", "post_sale", "custom"});
  out.template_id = in.integer("template_id", 1, INT64_MAX);
  out.server_ids = read_ids(body, "server_ids", in);
  out.audience_status = in.one_of("audience_status", {"active", "overdue", "suspended", "any"});
  out.audience_anchor = in.one_of("audience_anchor", {"none", "due_date", "created"});
  out.day_offset = in.integer("day_offset", -366, 3660);
  out.plan_ids = read_ids(body, "plan_ids", in);
  out.channel_ids = read_ids(body, "channel_ids", in);
  out.tags = in.strings("tags", kMaxTags, 100);
  if (out.tags.value && out.tags.value->empty()) {  // [] and null both mean "any tag"
    out.tags.value.reset();
    out.tags.null = true;
  }
  auto days = in.strings("schedule_days", 7, 3);
  if (days.present) {
    out.schedule_days.present = true;
    if (days.is_null()) {
      out.schedule_days.value = 0;  // null = manual only, as []
    } else if (days.value) {
      if (auto mask = weekday_mask(*days.value)) out.schedule_days.value = *mask;
      else in.add_error("schedule_days", "must list weekdays as mon, tue, wed, thu, fri, sat, sun");
    }
  }
  out.schedule_time = in.time_of_day("schedule_time");
  if (out.schedule_time.value && out.schedule_time.value->size() == 8) {
    out.schedule_time.value->resize(5);  // slots are per minute: seconds are dropped
  }
  out.interval_seconds = in.integer("interval_seconds", 0, 86400);
  out.active = in.boolean("active");

  if (create) {
    in.required("name", out.name);
    in.required("template_id", out.template_id);
  }
  for (auto key : {"name", "kind", "template_id", "audience_status", "audience_anchor", "interval_seconds", "active"}) {
    const auto found = body.find(key);
    if (found != body.end() && found->value().is_null() && !in.has_error(key)) in.add_error(key, "must not be null");
  }
  for (const auto& member : body) {
    std::string_view key(member.key().data(), member.key().size());
    if (key == "preset") {
      in.add_error("preset", "is set only by POST /v1/campaigns/presets/{preset}");
    } else if (std::find(kKnownMembers.begin(), kKnownMembers.end(), key) == kKnownMembers.end()) {
      in.add_error(std::string(key), "is not a known field");
    }
  }
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

void apply_input(CampaignFields& f, const CampaignInput& in) {
  if (in.name.value) f.name = *in.name.value;
  if (in.kind.value) f.kind = *in.kind.value;
  if (in.template_id.value) f.template_id = *in.template_id.value;
  if (in.server_ids.present) f.server_ids = in.server_ids.value;
  if (in.audience_status.value) f.audience_status = *in.audience_status.value;
  if (in.audience_anchor.value) f.audience_anchor = *in.audience_anchor.value;
  if (in.day_offset.present) f.day_offset = in.day_offset.value;
  if (in.plan_ids.present) f.plan_ids = in.plan_ids.value;
  if (in.channel_ids.present) f.channel_ids = in.channel_ids.value;
  if (in.tags.present) f.tags = in.tags.value;
  if (in.schedule_days.value) f.schedule_days = static_cast<int>(*in.schedule_days.value);
  if (in.schedule_time.present) f.schedule_time = in.schedule_time.value;
  if (in.interval_seconds.value) f.interval_seconds = static_cast<int>(*in.interval_seconds.value);
  if (in.active.value) f.active = *in.active.value;
  // Choosing the anchor "none" drops a stored offset rather than failing a PATCH that only
  // says "no anchor any more".
  if (in.audience_anchor.value == std::string("none") && !in.day_offset.present) f.day_offset.reset();
}

std::vector<FieldError> check_campaign(const CampaignFields& f) {
  std::vector<FieldError> errors;
  if (f.audience_anchor == "none" && f.day_offset) {
    errors.push_back({"day_offset", "needs audience_anchor due_date or created"});
  }
  if (f.audience_anchor != "none" && !f.day_offset) {
    errors.push_back({"day_offset", "is required with audience_anchor " + f.audience_anchor});
  }
  if (f.audience_anchor == "created" && f.day_offset && *f.day_offset < 0) {
    errors.push_back({"day_offset", "counts days since the client was created: must be 0 or more"});
  }
  if (f.schedule_days != 0 && !f.schedule_time) {
    errors.push_back({"schedule_time", "is required when schedule_days are set"});
  }
  return errors;
}

}  // namespace disparo::admin::campaigns
