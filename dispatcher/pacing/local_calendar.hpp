// LocalCalendar: the tenant's calendar in its time zone, from the real tz database.
//
// Daily caps count per local calendar day and sending windows are local times of day, so both
// need the zone's rules (DST history, Manaus and Rio Branco offsets): never a fixed offset.
// Pure; thread-safe (const).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include <date/tz.h>

#include "common/clock.hpp"

namespace disparo::dispatch {

// [start, end) in local minutes since midnight; start > end crosses midnight (22:00-06:00);
// start == end means the whole day.
struct SendingWindow {
  std::chrono::minutes start{0};
  std::chrono::minutes end{0};
  bool operator==(const SendingWindow&) const = default;
};

class LocalCalendar {
 public:
  explicit LocalCalendar(const date::time_zone* zone) : zone_(zone) {}
  // nullopt for an unknown zone name.
  static std::optional<LocalCalendar> for_zone(std::string_view name);

  date::local_days day_of(SysTime t) const;
  SysTime start_of_day(date::local_days day) const;  // first instant of that local day (UTC)
  std::chrono::minutes minute_of_day(SysTime t) const;

  bool in_window(SysTime t, const SendingWindow& window) const;
  // The first instant >= t inside the window.
  SysTime next_window_open(SysTime t, const SendingWindow& window) const;

 private:
  SysTime at_local(date::local_days day, std::chrono::minutes minute) const;
  const date::time_zone* zone_;
};

}  // namespace disparo::dispatch
