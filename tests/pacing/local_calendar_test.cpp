// LocalCalendar examples: zone lookup, local days and midnights of the tenants' zones (UTC
// offsets from the tz database, São Paulo's old DST days), and the sending window's edges,
// including a window that crosses midnight.
#include "dispatcher/pacing/local_calendar.hpp"

#include <gtest/gtest.h>

#include "common/rfc3339.hpp"

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;
using namespace date::literals;

SysTime at(const char* text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) throw std::invalid_argument(text);
  return *parsed;
}

LocalCalendar zone(const char* name) {
  auto calendar = LocalCalendar::for_zone(name);
  if (!calendar) throw std::invalid_argument(name);
  return *calendar;
}

constexpr SendingWindow kDaytime{8h, 20h};
constexpr SendingWindow kNight{22h, 6h};

TEST(LocalCalendar, UnknownZoneNameIsNullopt) {
  EXPECT_FALSE(LocalCalendar::for_zone("Mars/Olympus_Mons"));
  EXPECT_FALSE(LocalCalendar::for_zone("America/Sao_Paolo"));
  EXPECT_FALSE(LocalCalendar::for_zone(""));
  EXPECT_TRUE(LocalCalendar::for_zone("America/Manaus"));
  EXPECT_TRUE(LocalCalendar::for_zone("UTC"));
}

TEST(LocalCalendar, StartOfDayFollowsEachTenantZone) {
  const date::local_days day{2026_y / 3 / 10};
  EXPECT_EQ(zone("America/Manaus").start_of_day(day), at("2026-03-10T04:00:00Z"));
  EXPECT_EQ(zone("America/Sao_Paulo").start_of_day(day), at("2026-03-10T03:00:00Z"));
  EXPECT_EQ(zone("America/Rio_Branco").start_of_day(day), at("2026-03-10T05:00:00Z"));
  EXPECT_EQ(zone("America/Noronha").start_of_day(day), at("2026-03-10T02:00:00Z"));
  EXPECT_EQ(zone("UTC").start_of_day(day), at("2026-03-10T00:00:00Z"));
}

TEST(LocalCalendar, SaoPauloDayChangesAtLocalMidnight) {
  // No DST since 2019: local midnight is 03:00 UTC all year, in January as in July.
  const auto sp = zone("America/Sao_Paulo");
  for (const char* night : {"2026-01-15", "2026-07-15"}) {
    const std::string base(night);
    EXPECT_EQ(sp.day_of(at((base + "T02:59:59.999999Z").c_str())) + date::days{1},
              sp.day_of(at((base + "T03:00:00Z").c_str())));
    EXPECT_EQ(sp.minute_of_day(at((base + "T02:59:59.999999Z").c_str())), 23h + 59min);
    EXPECT_EQ(sp.minute_of_day(at((base + "T03:00:00Z").c_str())), 0min);
  }
  EXPECT_EQ(sp.day_of(at("2026-03-11T01:00:00Z")), date::local_days{2026_y / 3 / 10});
  EXPECT_EQ(zone("UTC").day_of(at("2026-03-11T01:00:00Z")), date::local_days{2026_y / 3 / 11});
}

TEST(LocalCalendar, SkippedMidnightStartsTheDayAtTheChange) {
  // 2018-11-04: São Paulo went from 00:00 -03 to 01:00 -02; the day began at 03:00 UTC.
  const auto sp = zone("America/Sao_Paulo");
  const date::local_days day{2018_y / 11 / 4};
  EXPECT_EQ(sp.start_of_day(day), at("2018-11-04T03:00:00Z"));
  EXPECT_EQ(sp.day_of(at("2018-11-04T02:59:59.999999Z")), day - date::days{1});
  EXPECT_EQ(sp.day_of(at("2018-11-04T03:00:00Z")), day);
  EXPECT_EQ(sp.minute_of_day(at("2018-11-04T03:00:00Z")), 1h);
  EXPECT_EQ(sp.start_of_day(day + date::days{1}) - sp.start_of_day(day), 23h);
}

TEST(LocalCalendar, RepeatedHourKeepsTheDayUntilTheSecondMidnight) {
  // 2019-02-17 00:00 -02 became 2019-02-16 23:00 -03: the 16th lasted 25 hours.
  const auto sp = zone("America/Sao_Paulo");
  const date::local_days day{2019_y / 2 / 16};
  EXPECT_EQ(sp.day_of(at("2019-02-17T02:30:00Z")), day);  // 23:30, the second time
  EXPECT_EQ(sp.start_of_day(day + date::days{1}), at("2019-02-17T03:00:00Z"));
  EXPECT_EQ(sp.start_of_day(day + date::days{1}) - sp.start_of_day(day), 25h);
}

TEST(LocalCalendar, DaytimeWindowEdges) {
  const auto sp = zone("America/Sao_Paulo");  // 08:00 local = 11:00 UTC, 20:00 = 23:00 UTC
  EXPECT_FALSE(sp.in_window(at("2026-03-10T10:59:59.999999Z"), kDaytime));
  EXPECT_TRUE(sp.in_window(at("2026-03-10T11:00:00Z"), kDaytime));
  EXPECT_TRUE(sp.in_window(at("2026-03-10T22:59:59.999999Z"), kDaytime));
  EXPECT_FALSE(sp.in_window(at("2026-03-10T23:00:00Z"), kDaytime));
}

TEST(LocalCalendar, NextWindowOpenAtTheEdges) {
  const auto sp = zone("America/Sao_Paulo");
  // Exactly at the start: open now.
  EXPECT_EQ(sp.next_window_open(at("2026-03-10T11:00:00Z"), kDaytime), at("2026-03-10T11:00:00Z"));
  // One microsecond before the end: still open now.
  EXPECT_EQ(sp.next_window_open(at("2026-03-10T22:59:59.999999Z"), kDaytime), at("2026-03-10T22:59:59.999999Z"));
  // Exactly at the end: closed until tomorrow's start.
  EXPECT_EQ(sp.next_window_open(at("2026-03-10T23:00:00Z"), kDaytime), at("2026-03-11T11:00:00Z"));
  // Before the start: today's start; after local midnight: that day's start.
  EXPECT_EQ(sp.next_window_open(at("2026-03-10T10:59:59.999999Z"), kDaytime), at("2026-03-10T11:00:00Z"));
  EXPECT_EQ(sp.next_window_open(at("2026-03-11T03:00:00Z"), kDaytime), at("2026-03-11T11:00:00Z"));
  EXPECT_EQ(sp.next_window_open(at("2026-03-11T02:59:59Z"), kDaytime), at("2026-03-11T11:00:00Z"));
}

TEST(LocalCalendar, WindowCrossingMidnight) {
  const auto sp = zone("America/Sao_Paulo");  // 22:00 local = 01:00 UTC next day, 06:00 = 09:00 UTC
  EXPECT_TRUE(sp.in_window(at("2026-03-11T01:00:00Z"), kNight));        // 22:00
  EXPECT_TRUE(sp.in_window(at("2026-03-11T03:00:00Z"), kNight));        // 00:00
  EXPECT_TRUE(sp.in_window(at("2026-03-11T08:59:59.999999Z"), kNight)); // 05:59:59.999999
  EXPECT_FALSE(sp.in_window(at("2026-03-11T09:00:00Z"), kNight));       // 06:00
  EXPECT_FALSE(sp.in_window(at("2026-03-11T00:59:59.999999Z"), kNight));
  // Exactly at the end (06:00) and at noon: tonight's 22:00.
  EXPECT_EQ(sp.next_window_open(at("2026-03-11T09:00:00Z"), kNight), at("2026-03-12T01:00:00Z"));
  EXPECT_EQ(sp.next_window_open(at("2026-03-11T15:00:00Z"), kNight), at("2026-03-12T01:00:00Z"));
  // Exactly at the start, one microsecond before the end, after midnight: now.
  EXPECT_EQ(sp.next_window_open(at("2026-03-12T01:00:00Z"), kNight), at("2026-03-12T01:00:00Z"));
  EXPECT_EQ(sp.next_window_open(at("2026-03-11T08:59:59.999999Z"), kNight), at("2026-03-11T08:59:59.999999Z"));
  EXPECT_EQ(sp.next_window_open(at("2026-03-11T04:00:00Z"), kNight), at("2026-03-11T04:00:00Z"));
}

TEST(LocalCalendar, EqualStartAndEndIsAllDay) {
  const auto manaus = zone("America/Manaus");
  const SendingWindow all_day{9h, 9h};
  for (const char* text : {"2026-03-10T04:00:00Z", "2026-03-10T13:00:00Z", "2026-03-11T03:59:59.999999Z"}) {
    EXPECT_TRUE(manaus.in_window(at(text), all_day)) << text;
    EXPECT_EQ(manaus.next_window_open(at(text), all_day), at(text)) << text;
  }
}

TEST(LocalCalendar, WindowsFollowTheTenantZoneNotUtc) {
  // 08:00 local is 12:00 UTC in Manaus, 13:00 UTC in Rio Branco, 10:00 UTC in Noronha.
  const SysTime early = at("2026-03-10T09:00:00Z");
  EXPECT_EQ(zone("America/Manaus").next_window_open(early, kDaytime), at("2026-03-10T12:00:00Z"));
  EXPECT_EQ(zone("America/Rio_Branco").next_window_open(early, kDaytime), at("2026-03-10T13:00:00Z"));
  EXPECT_EQ(zone("America/Noronha").next_window_open(early, kDaytime), at("2026-03-10T10:00:00Z"));
}

TEST(LocalCalendar, WindowStartInASkippedHourOpensAtTheChange) {
  // 2018-11-04 00:30 did not exist in São Paulo: a window from 00:30 opens at 01:00 -02.
  const auto sp = zone("America/Sao_Paulo");
  const SendingWindow from_half_past{30min, 8h};
  EXPECT_EQ(sp.next_window_open(at("2018-11-04T01:00:00Z"), from_half_past), at("2018-11-04T03:00:00Z"));
}

}  // namespace
}  // namespace disparo::dispatch
