// Campaign schedules: "every Monday, Wednesday and Friday at 11:25" in the tenant's time zone,
// turned into the UTC instants (slots) at which a run is due.
//
// A slot is the first instant at which the tenant's wall clock shows, or jumps past, the
// scheduled time on a scheduled local date:
//  - normal days: that local time, once;
//  - a DST gap that skips the time (São Paulo before 2019: 00:00 -> 01:00): the instant the
//    clock jumps, i.e. the end of the gap (the slot still runs, late by less than the gap);
//  - a DST overlap that repeats the time (23:00-23:59 twice): the earlier occurrence only.
// So every scheduled local date has exactly one slot, whatever the zone's history.
// Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "common/clock.hpp"

namespace disparo::campaigns {

// campaigns.schedule_days / schedule_time: bit 0 = Monday ... bit 6 = Sunday (ISO weekdays);
// days == 0 means manual only (no slots).
struct Schedule {
  std::uint8_t days = 0;
  std::chrono::seconds time_of_day{0};  // local, 0 .. 86399
};

inline constexpr std::uint8_t kAllDays = 0x7f;

// The bit of a weekday (date::Monday -> 1, ... date::Sunday -> 64).
std::uint8_t weekday_bit(date::weekday day);

struct Slot {
  SysTime at;             // UTC instant of the run
  date::local_days day;   // the scheduled local date (campaign_runs.local_day)
};

// Slots in (after_exclusive, until_inclusive], in increasing order. Splitting a range at any
// instant yields the same slots (no slot lost or repeated between two scheduler ticks).
std::vector<Slot> scheduled_slots(const Schedule& schedule, const date::time_zone* zone,
                                  SysTime after_exclusive, SysTime until_inclusive);

// The same, instants only.
std::vector<SysTime> slots_between(const Schedule& schedule, const date::time_zone* zone,
                                   SysTime after_exclusive, SysTime until_inclusive);

// "HH:MM" or "HH:MM:SS" (PostgreSQL's time text) -> seconds since midnight; nullopt if invalid.
std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text);

// The local date of `t` in `zone`.
date::local_days local_day_of(const date::time_zone* zone, SysTime t);

}  // namespace disparo::campaigns
