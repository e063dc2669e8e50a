#include "campaigns/schedule.hpp"

#include <algorithm>

namespace disparo::campaigns {
namespace {

using std::chrono::microseconds;

// The instant a local time of day becomes true: itself, the end of a gap that skips it, or the
// earlier of two instants that repeat it (schedule.hpp has the rule and why).
SysTime resolve(const date::time_zone* zone, date::local_days day, std::chrono::seconds time_of_day) {
  const date::local_time<microseconds> local{day + time_of_day};
  const auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return std::chrono::time_point_cast<microseconds>(info.first.end);
  }
  // unique: first is the only offset; ambiguous: first is the offset before the change (earlier).
  return SysTime{local.time_since_epoch() - std::chrono::duration_cast<microseconds>(info.first.offset)};
}

}  // namespace

std::uint8_t weekday_bit(date::weekday day) {
  return static_cast<std::uint8_t>(1u << (day.iso_encoding() - 1));
}

date::local_days local_day_of(const date::time_zone* zone, SysTime t) {
  return date::floor<date::days>(zone->to_local(t));
}

std::vector<Slot> scheduled_slots(const Schedule& schedule, const date::time_zone* zone,
                                  SysTime after_exclusive, SysTime until_inclusive) {
  std::vector<Slot> slots;
  if ((schedule.days & kAllDays) == 0 || until_inclusive <= after_exclusive) return slots;
  // A slot of local date D lies within a day of D's midnight, so one day of margin on each side
  // covers every date whose slot can fall in the range.
  const date::local_days first = local_day_of(zone, after_exclusive) - date::days{1};
  const date::local_days last = local_day_of(zone, until_inclusive) + date::days{1};
  for (date::local_days day = first; day <= last; day += date::days{1}) {
    if ((schedule.days & weekday_bit(date::weekday{day})) == 0) continue;
    const SysTime at = resolve(zone, day, schedule.time_of_day);
    if (at <= after_exclusive || at > until_inclusive) continue;
    // A zone that skipped a whole day (Pacific/Apia, 2011-12-30) can map two dates to one
    // instant: the earlier date keeps it, since a slot is one run.
    if (!slots.empty() && slots.back().at >= at) continue;
    slots.push_back({at, day});
  }
  return slots;
}

std::vector<SysTime> slots_between(const Schedule& schedule, const date::time_zone* zone,
                                   SysTime after_exclusive, SysTime until_inclusive) {
  std::vector<SysTime> instants;
  for (const Slot& slot : scheduled_slots(schedule, zone, after_exclusive, until_inclusive)) {
    instants.push_back(slot.at);
  }
  return instants;
}

std::optional<std::chrono::seconds> parse_time_of_day(std::string_view text) {
  auto two = [&](std::size_t at) -> int {
    if (at + 2 > text.size() || text[at] < '0' || text[at] > '9' || text[at + 1] < '0' ||
        text[at + 1] > '9') {
      return -1;
    }
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
  };
  if (text.size() != 5 && text.size() < 8) return std::nullopt;
  const int h = two(0), m = two(3);
  int s = 0;
  if (text[2] != ':' || h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  if (text.size() >= 8) {
    s = two(6);
    if (text[5] != ':' || s < 0 || s > 59) return std::nullopt;
    // PostgreSQL may print fractional seconds ("11:25:00.5"); the slot is the whole second.
    if (text.size() > 8 && text[8] != '.') return std::nullopt;
  }
  return std::chrono::seconds{h * 3600 + m * 60 + s};
}

}  // namespace disparo::campaigns
