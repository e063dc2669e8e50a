// Campaign schedules (campaigns/schedule.hpp): examples in Brazilian zones, DST history of
// São Paulo before 2019, and rapidcheck properties against a minute-by-minute wall-clock oracle.
#include <set>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "campaigns/schedule.hpp"
#include "common/rfc3339.hpp"

namespace disparo::campaigns {
namespace {

using namespace std::chrono_literals;
using date::days;

const date::time_zone* zone(std::string_view name) { return date::locate_zone(name); }

SysTime at(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) throw std::invalid_argument(std::string(rfc3339));
  return *t;
}

std::vector<std::string> texts(const std::vector<SysTime>& slots) {
  std::vector<std::string> out;
  for (auto s : slots) out.push_back(format_rfc3339(s));
  return out;
}

Schedule weekdays_at(std::chrono::seconds time) {
  return Schedule{.days = 0x1f, .time_of_day = time};  // Monday..Friday
}

TEST(Schedule, WeekdaysAt1125InSaoPauloSkipTheWeekend) {
  // 2026-11-20 is a Friday. São Paulo is UTC-3 (no DST since 2019).
  const auto slots = slots_between(weekdays_at(11h + 25min), zone("America/Sao_Paulo"),
                                   at("2026-11-20T00:00:00Z"), at("2026-11-24T23:59:59Z"));
  EXPECT_EQ(texts(slots), (std::vector<std::string>{"2026-11-20T14:25:00.000000Z",
                                                    "2026-11-23T14:25:00.000000Z",
                                                    "2026-11-24T14:25:00.000000Z"}));
}

TEST(Schedule, TheSameLocalTimeIsADifferentInstantInEachBrazilianZone) {
  const Schedule every_day{.days = kAllDays, .time_of_day = 9h};
  const SysTime from = at("2026-11-22T00:00:00Z"), until = at("2026-11-23T00:00:00Z");
  EXPECT_EQ(texts(slots_between(every_day, zone("America/Noronha"), from, until)),
            std::vector<std::string>{"2026-11-22T11:00:00.000000Z"});  // UTC-2
  EXPECT_EQ(texts(slots_between(every_day, zone("America/Sao_Paulo"), from, until)),
            std::vector<std::string>{"2026-11-22T12:00:00.000000Z"});  // UTC-3
  EXPECT_EQ(texts(slots_between(every_day, zone("America/Manaus"), from, until)),
            std::vector<std::string>{"2026-11-22T13:00:00.000000Z"});  // UTC-4
  EXPECT_EQ(texts(slots_between(every_day, zone("America/Rio_Branco"), from, until)),
            std::vector<std::string>{"2026-11-22T14:00:00.000000Z"});  // UTC-5
}

TEST(Schedule, RioBrancoWasUtcMinus4Between2008And2013) {
  const Schedule every_day{.days = kAllDays, .time_of_day = 9h};
  EXPECT_EQ(texts(slots_between(every_day, zone("America/Rio_Branco"), at("2010-06-01T00:00:00Z"),
                                at("2010-06-02T00:00:00Z"))),
            std::vector<std::string>{"2010-06-01T13:00:00.000000Z"});
}

TEST(Schedule, SaoPauloDstGapRunsTheSkippedSlotWhenTheClockJumps) {
  // 2018-11-04 00:00 BRT did not exist: clocks went from 23:59:59 (-03) to 01:00 (-02).
  const Schedule at_0030{.days = kAllDays, .time_of_day = 30min};
  const auto slots = scheduled_slots(at_0030, zone("America/Sao_Paulo"), at("2018-11-03T00:00:00Z"),
                                     at("2018-11-05T12:00:00Z"));
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(format_rfc3339(slots[0].at), "2018-11-03T03:30:00.000000Z");  // 00:30 -03
  EXPECT_EQ(format_rfc3339(slots[1].at), "2018-11-04T03:00:00.000000Z");  // the jump (01:00 -02)
  EXPECT_EQ(slots[1].day, date::local_days{date::year{2018} / 11 / 4});
  EXPECT_EQ(format_rfc3339(slots[2].at), "2018-11-05T02:30:00.000000Z");  // 00:30 -02
}

TEST(Schedule, SaoPauloDstOverlapRunsTheRepeatedTimeOnce) {
  // 2019-02-17 00:00 (-02) became 2019-02-16 23:00 (-03): 23:00-23:59 on the 16th happened twice.
  const Schedule at_2330{.days = kAllDays, .time_of_day = 23h + 30min};
  const auto slots = scheduled_slots(at_2330, zone("America/Sao_Paulo"), at("2019-02-16T12:00:00Z"),
                                     at("2019-02-17T12:00:00Z"));
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(format_rfc3339(slots[0].at), "2019-02-17T01:30:00.000000Z");  // the first 23:30 (-02)
  EXPECT_EQ(slots[0].day, date::local_days{date::year{2019} / 2 / 16});
}

TEST(Schedule, ManualOnlyHasNoSlotsAndEmptyRangesAreEmpty) {
  EXPECT_TRUE(slots_between(Schedule{.days = 0, .time_of_day = 9h}, zone("America/Sao_Paulo"),
                            at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z")).empty());
  const Schedule daily{.days = kAllDays, .time_of_day = 9h};
  const SysTime t = at("2026-01-01T12:00:00Z");  // exactly the slot (09:00 -03)
  EXPECT_TRUE(slots_between(daily, zone("America/Sao_Paulo"), t, t).empty());
  EXPECT_EQ(slots_between(daily, zone("America/Sao_Paulo"), t - 1us, t).size(), 1u);  // (after, until]
  EXPECT_TRUE(slots_between(daily, zone("America/Sao_Paulo"), t, t + 1h).empty());
}

TEST(Schedule, ParsesPostgresTimeText) {
  EXPECT_EQ(parse_time_of_day("11:25"), std::chrono::seconds(11 * 3600 + 25 * 60));
  EXPECT_EQ(parse_time_of_day("11:25:30"), std::chrono::seconds(11 * 3600 + 25 * 60 + 30));
  EXPECT_EQ(parse_time_of_day("23:59:59.5"), std::chrono::seconds(86399));
  EXPECT_FALSE(parse_time_of_day("24:00"));
  EXPECT_FALSE(parse_time_of_day("1:00"));
  EXPECT_FALSE(parse_time_of_day("11-25"));
  EXPECT_EQ(weekday_bit(date::Monday), 1);
  EXPECT_EQ(weekday_bit(date::Sunday), 64);
}

// --- properties --------------------------------------------------------------------------------

const std::vector<std::string> kZones = {
    "America/Sao_Paulo", "America/Manaus", "America/Rio_Branco", "America/Noronha",
    "America/Cuiaba", "America/Campo_Grande", "America/Fortaleza", "Australia/Lord_Howe",
    "Europe/London", "UTC"};

// An instant in 2000..2029, half of the time pulled to just before a DST change of the zone so
// that ranges often contain one.
rc::Gen<SysTime> gen_instant(const date::time_zone* tz) {
  return rc::gen::apply(
      [tz](int minute, bool near_change, int before_minutes) {
        const SysTime base = at("2000-01-01T00:00:00Z") + std::chrono::minutes(minute);
        if (!near_change) return base;
        const auto info = tz->get_info(base);
        if (info.end.time_since_epoch() > std::chrono::hours(24 * 365 * 60)) return base;  // no more changes
        return std::chrono::time_point_cast<std::chrono::microseconds>(info.end) -
               std::chrono::minutes(before_minutes);
      },
      rc::gen::inRange(0, 30 * 365 * 24 * 60), rc::gen::arbitrary<bool>(), rc::gen::inRange(0, 3 * 24 * 60));
}

// The oracle: walk the wall clock minute by minute; a scheduled date's slot is the first minute
// at which its local time has been reached (or jumped over). Starts a day early so a time that
// was already reached before the range (an overlap) is known.
std::vector<SysTime> oracle(const Schedule& s, const date::time_zone* tz, SysTime after, SysTime until) {
  std::vector<SysTime> out;
  std::set<date::local_days> seen;
  SysTime t = std::chrono::floor<std::chrono::minutes>(after) - std::chrono::hours(24);
  auto prev = tz->to_local(t - 1min);
  for (; t <= until; t += 1min) {
    const auto cur = tz->to_local(t);
    if (cur > prev) {
      for (auto d = date::floor<days>(prev); d <= date::floor<days>(cur); d += days{1}) {
        const auto target = d + s.time_of_day;
        if (prev < target && target <= cur && seen.insert(d).second) {
          if ((s.days & weekday_bit(date::weekday{d})) != 0 && t > after) out.push_back(t);
        }
      }
    }
    prev = cur;
  }
  return out;
}

RC_GTEST_PROP(ScheduleProperty, MatchesTheWallClockOracle, ()) {
  const auto name = *rc::gen::elementOf(kZones);
  const auto* tz = zone(name);
  const Schedule s{.days = *rc::gen::inRange<std::uint8_t>(1, 128),
                   .time_of_day = std::chrono::minutes(*rc::gen::inRange(0, 24 * 60))};
  const SysTime after = *gen_instant(tz) + std::chrono::microseconds(*rc::gen::inRange(0, 60'000'000));
  const SysTime until = after + std::chrono::minutes(*rc::gen::inRange(0, 4 * 24 * 60));
  RC_TAG(name);
  RC_ASSERT(texts(slots_between(s, tz, after, until)) == texts(oracle(s, tz, after, until)));
}

RC_GTEST_PROP(ScheduleProperty, SplittingARangeLosesAndRepeatsNothing, ()) {
  const auto* tz = zone(*rc::gen::elementOf(kZones));
  const Schedule s{.days = *rc::gen::inRange<std::uint8_t>(0, 128),
                   .time_of_day = std::chrono::seconds(*rc::gen::inRange(0, 86400))};
  const SysTime a = *gen_instant(tz);
  const SysTime b = a + std::chrono::seconds(*rc::gen::inRange(0, 20 * 86400));
  const SysTime c = b + std::chrono::seconds(*rc::gen::inRange(0, 20 * 86400));
  auto whole = scheduled_slots(s, tz, a, c);
  auto left = scheduled_slots(s, tz, a, b);
  const auto right = scheduled_slots(s, tz, b, c);
  left.insert(left.end(), right.begin(), right.end());
  RC_ASSERT(whole.size() == left.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    RC_ASSERT(whole[i].at == left[i].at);
    RC_ASSERT(whole[i].day == left[i].day);
    RC_ASSERT(whole[i].at > a);
    RC_ASSERT(whole[i].at <= c);
    if (i > 0) RC_ASSERT(whole[i - 1].at < whole[i].at);
    RC_ASSERT((s.days & weekday_bit(date::weekday{whole[i].day})) != 0);
  }
}

RC_GTEST_PROP(ScheduleProperty, AFullWeekHasOneSlotPerScheduledDay, ()) {
  const auto* tz = zone(*rc::gen::elementOf(kZones));
  const Schedule s{.days = *rc::gen::inRange<std::uint8_t>(0, 128),
                   .time_of_day = std::chrono::seconds(*rc::gen::inRange(0, 86400))};
  // Seven whole local days: [midnight of D, midnight of D + 7).
  const auto d = local_day_of(tz, *gen_instant(tz));
  const auto start = std::chrono::time_point_cast<std::chrono::microseconds>(
      tz->to_sys(date::local_time<std::chrono::seconds>(d.time_since_epoch()), date::choose::earliest));
  const auto end = std::chrono::time_point_cast<std::chrono::microseconds>(
      tz->to_sys(date::local_time<std::chrono::seconds>((d + days{7}).time_since_epoch()), date::choose::earliest));
  const auto slots = scheduled_slots(s, tz, start - 1us, end - 1us);
  std::set<date::local_days> dates;
  for (const auto& slot : slots) dates.insert(slot.day);
  RC_ASSERT(dates.size() == slots.size());
  RC_ASSERT(static_cast<int>(slots.size()) == std::popcount(static_cast<unsigned>(s.days)));
}

}  // namespace
}  // namespace disparo::campaigns
