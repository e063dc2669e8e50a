// The campaign body reader (every bad member reported at once, PATCH semantics), the rules across
// fields judged on the merged campaign, weekday sets, the presets (their texts pass the
// placeholder language, their campaigns pass the rules) and the run/recipient query readers.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/json.hpp>

#include "admin/campaigns/campaign_input.hpp"
#include "admin/campaigns/campaign_store.hpp"
#include "admin/campaigns/run_store.hpp"
#include "campaigns/placeholders.hpp"

namespace disparo::admin::campaigns {
namespace {

boost::json::object obj(std::string_view text) { return boost::json::parse(text).as_object(); }

std::string fields_of(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : ",") + e.field;
  return out;
}

TEST(CampaignInput, CreateNeedsNameAndTemplate) {
  auto read = read_campaign_input(obj("{}"), true);
  ASSERT_FALSE(read.value);
  EXPECT_EQ(fields_of(read.errors), "name,template_id");
  EXPECT_TRUE(read_campaign_input(obj("{}"), false).value) << "a PATCH may send nothing";
}

TEST(CampaignInput, ReportsEveryBadMemberAtOnce) {
  auto read = read_campaign_input(
      obj(R"({"name":"","kind":"spam","template_id":0,"server_ids":[],"plan_ids":[1,"x"],"channel_ids":5,
              "audience_status":"late","day_offset":5000,"schedule_days":["mon","xyz"],"schedule_time":"25:00",
              "interval_seconds":-1,"active":"yes","colour":"red","preset":"recovery"})"),
      true);
  ASSERT_FALSE(read.value);
  for (auto field : {"name", "kind", "template_id", "server_ids", "plan_ids", "channel_ids", "audience_status",
                     "day_offset", "schedule_days", "schedule_time", "interval_seconds", "active", "colour",
                     "preset"}) {
    EXPECT_NE(("," + fields_of(read.errors) + ",").find(std::string(",") + field + ","), std::string::npos) << field;
  }
}

TEST(CampaignInput, NullClearsOnlyNullableMembers) {
  auto read = read_campaign_input(obj(R"({"name":null,"active":null,"server_ids":null,"day_offset":null})"), false);
  ASSERT_FALSE(read.value);
  EXPECT_EQ(fields_of(read.errors), "name,active");
  auto ok = read_campaign_input(obj(R"({"server_ids":null,"tags":[],"schedule_days":null,"schedule_time":null})"), false);
  ASSERT_TRUE(ok.value);
  CampaignFields f;
  f.server_ids = std::vector<std::int64_t>{1};
  f.tags = std::vector<std::string>{"vip"};
  f.schedule_days = 5;
  f.schedule_time = "10:00";
  apply_input(f, *ok.value);
  EXPECT_FALSE(f.server_ids);
  EXPECT_FALSE(f.tags);
  EXPECT_EQ(f.schedule_days, 0);
  EXPECT_FALSE(f.schedule_time);
}

TEST(CampaignInput, ReadsWeekdaysTimesAndIds) {
  auto read = read_campaign_input(
      obj(R"({"name":"Lembrete","template_id":7,"server_ids":[3,3,9],"schedule_days":["mon","fri","sun"],
              "schedule_time":"11:25:30","audience_anchor":"due_date","day_offset":-3,"tags":["vip"]})"),
      true);
  ASSERT_TRUE(read.value) << fields_of(read.errors);
  CampaignFields f;
  apply_input(f, *read.value);
  EXPECT_EQ(f.schedule_days, 0b1010001);
  EXPECT_EQ(f.schedule_time, "11:25");
  EXPECT_EQ(*f.server_ids, (std::vector<std::int64_t>{3, 9}));
  EXPECT_EQ(f.day_offset, -3);
  EXPECT_TRUE(check_campaign(f).empty());
  EXPECT_EQ(id_array_literal({3, 9}), "{3,9}");
}

TEST(CampaignRules, AnchorAndOffsetGoTogether) {
  CampaignFields f;
  f.day_offset = 3;
  EXPECT_EQ(fields_of(check_campaign(f)), "day_offset");
  f.audience_anchor = "due_date";
  EXPECT_TRUE(check_campaign(f).empty());
  f.day_offset.reset();
  EXPECT_EQ(fields_of(check_campaign(f)), "day_offset");
  f.audience_anchor = "created";
  f.day_offset = -1;
  EXPECT_EQ(fields_of(check_campaign(f)), "day_offset");
}

TEST(CampaignRules, ScheduleDaysNeedATime) {
  CampaignFields f;
  f.schedule_days = 1;
  EXPECT_EQ(fields_of(check_campaign(f)), "schedule_time");
  f.schedule_time = "09:00";
  EXPECT_TRUE(check_campaign(f).empty());
}

TEST(CampaignRules, ChoosingNoAnchorDropsTheStoredOffset) {
  CampaignFields f;
  f.audience_anchor = "due_date";
  f.day_offset = 30;
  auto read = read_campaign_input(obj(R"({"audience_anchor":"none"})"), false);
  ASSERT_TRUE(read.value);
  apply_input(f, *read.value);
  EXPECT_FALSE(f.day_offset);
  EXPECT_TRUE(check_campaign(f).empty());
}

RC_GTEST_PROP(Weekdays, NamesRoundTrip, ()) {
  const int mask = *rc::gen::inRange(0, 128);
  std::vector<std::string> names;
  for (const auto& v : weekday_names(mask)) names.emplace_back(v.as_string().c_str());
  RC_ASSERT(weekday_mask(names) == std::optional<int>(mask));
}

TEST(Presets, TextsUseOnlyKnownPlaceholdersAndCampaignsPassTheRules) {
  for (auto preset : {"recovery", "referral", "post_sale"}) {
    ASSERT_TRUE(is_preset(preset));
    const auto text = preset_template_text(preset);
    EXPECT_TRUE(::disparo::campaigns::validate_placeholders(text).has_value()) << preset;
    const auto f = preset_fields(preset);
    EXPECT_TRUE(check_campaign(f).empty()) << preset;
    EXPECT_EQ(f.schedule_days, 0x7F) << preset << ": an exact day offset needs a run every day";
    EXPECT_EQ(f.kind, preset);
  }
  EXPECT_FALSE(is_preset("billing"));
  EXPECT_NE(preset_template_text("recovery").find("{valor}"), std::string::npos);
  EXPECT_EQ(preset_fields("recovery").day_offset, 30);
  EXPECT_EQ(preset_fields("referral").day_offset, -10);
  EXPECT_EQ(preset_fields("post_sale").audience_anchor, "created");
  EXPECT_EQ(preset_fields("post_sale").day_offset, 15);
}

TEST(Presets, AcceptOnlyTheirOverrides) {
  auto ok = read_preset_input(obj(R"({"name":"Volta","active":false,"schedule_days":["mon"],"schedule_time":"08:00"})"));
  ASSERT_TRUE(ok.value) << fields_of(ok.errors);
  EXPECT_EQ(ok.value->active.value, false);
  auto bad = read_preset_input(obj(R"({"template_id":3,"day_offset":2,"name":""})"));
  ASSERT_FALSE(bad.value);
  EXPECT_EQ(fields_of(bad.errors), "name,template_id,day_offset");
}

TEST(RunQueries, ReadFiltersAndRejectForeignCursors) {
  auto read = read_run_list_request({{"campaign_id", "4"}, {"state", "failed"}, {"trigger", "manual"},
                                     {"kind", "recovery"}, {"from", "2026-11-01"}, {"to", "2026-11-30"}, {"limit", "10"}});
  ASSERT_TRUE(read.value);
  EXPECT_EQ(read.value->filter.campaign_id, 4);
  EXPECT_EQ(read.value->limit, 10);
  auto bad = read_run_list_request({{"state", "done"}, {"from", "2026-02-30"}, {"limit", "0"}, {"cursor", "abc"},
                                    {"sort", "x"}});
  ASSERT_FALSE(bad.value);
  EXPECT_EQ(fields_of(bad.errors), "state,from,limit,cursor,sort");
  auto recipients = read_recipient_list_request({{"status", "excluded"}, {"limit", "201"}});
  ASSERT_FALSE(recipients.value);
  EXPECT_EQ(fields_of(recipients.errors), "limit");
  EXPECT_FALSE(read_recipient_list_request({{"status", "lost"}}).value);
}

TEST(RunQueries, PageSqlKeepsValuesInParameters) {
  RunListRequest request;
  request.filter.kind = "recovery'; DROP TABLE campaigns; --";
  const auto page = run_page_sql(42, request);
  EXPECT_EQ(page.sql.find("DROP"), std::string::npos);
  EXPECT_EQ(page.params.size(), 2u);
  EXPECT_NE(page.sql.find("LIMIT 51"), std::string::npos) << "one extra row tells whether a next page exists";
}

}  // namespace
}  // namespace disparo::admin::campaigns
