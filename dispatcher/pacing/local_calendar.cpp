#include "dispatcher/pacing/local_calendar.hpp"

namespace disparo::dispatch {

using std::chrono::minutes;

std::optional<LocalCalendar> LocalCalendar::for_zone(std::string_view name) {
  try {
    return LocalCalendar(date::locate_zone(name));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

date::local_days LocalCalendar::day_of(SysTime t) const {
  return date::floor<date::days>(zone_->to_local(t));
}

SysTime LocalCalendar::at_local(date::local_days day, minutes minute) const {
  const date::local_time<std::chrono::microseconds> local{day + minute};
  // A local time that a DST change skips or repeats maps to its earliest instant.
  const auto info = zone_->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return std::chrono::time_point_cast<std::chrono::microseconds>(info.first.end);
  }
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      zone_->to_sys(local, date::choose::earliest));
}

SysTime LocalCalendar::start_of_day(date::local_days day) const { return at_local(day, minutes{0}); }

minutes LocalCalendar::minute_of_day(SysTime t) const {
  const auto local = zone_->to_local(t);
  return date::floor<minutes>(local - date::floor<date::days>(local));
}

bool LocalCalendar::in_window(SysTime t, const SendingWindow& window) const {
  if (window.start == window.end) return true;
  const minutes m = minute_of_day(t);
  if (window.start < window.end) return m >= window.start && m < window.end;
  return m >= window.start || m < window.end;  // crosses midnight
}

SysTime LocalCalendar::next_window_open(SysTime t, const SendingWindow& window) const {
  if (in_window(t, window)) return t;
  const date::local_days today = day_of(t);
  // Outside the window the next opening is today's start (if still ahead) or tomorrow's.
  const SysTime today_open = at_local(today, window.start);
  if (today_open > t) return today_open;
  return at_local(today + date::days{1}, window.start);
}

}  // namespace disparo::dispatch
