#include "tests/pacing/pace_simulator.hpp"

#include <algorithm>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>

namespace disparo::dispatch::pacing_test {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;

namespace {

// Far more steps than any generated scenario needs: hitting it means the loop stopped moving.
constexpr long kMaxIterations = 3'000'000;

// SessionRunner::restore: a fresh pace fed yesterday's and today's sends, without jitter (the
// ledger does not keep it).
void restore(std::optional<SessionPace>& pace, const Scenario& scenario, const LocalCalendar& calendar,
             SysTime now, const std::vector<Sent>& sends) {
  pace.emplace(scenario.policy, calendar);
  const SysTime since = calendar.start_of_day(calendar.day_of(now) - date::days{1});
  for (const Sent& past : sends) {
    if (past.at < since) continue;
    const Arrival& message = scenario.arrivals[past.message];
    pace->record_send(past.at, message.recipient, message.group, message.group_interval);
  }
}

}  // namespace

SimResult run_simulation(const Scenario& scenario, const OpeningProbe& probe) {
  const LocalCalendar calendar(date::locate_zone(scenario.zone));
  std::optional<SessionPace> pace;
  pace.emplace(scenario.policy, calendar);
  std::mt19937_64 random(scenario.seed);
  const auto& arrivals = scenario.arrivals;

  SimResult result;
  std::vector<std::size_t> pending;  // arrival order
  std::size_t next_arrival = 0;
  std::size_t next_restart = 0;
  int epoch = 0;
  SysTime now = scenario.start;
  // Time never jumps over a restart: the process restarts at that instant.
  const auto until = [&](SysTime at) {
    return next_restart < scenario.restarts.size() ? std::min(at, scenario.restarts[next_restart]) : at;
  };

  for (long iteration = 0;; ++iteration) {
    if (iteration > kMaxIterations) throw std::runtime_error("simulation did not settle");
    while (next_arrival < arrivals.size() && arrivals[next_arrival].at <= now) pending.push_back(next_arrival++);
    if (pending.empty() && next_arrival == arrivals.size()) {
      result.all_sent = true;
      break;
    }
    if (now >= scenario.horizon) break;
    if (next_restart < scenario.restarts.size() && scenario.restarts[next_restart] <= now) {
      while (next_restart < scenario.restarts.size() && scenario.restarts[next_restart] <= now) ++next_restart;
      ++epoch;
      restore(pace, scenario, calendar, now, result.sends);
    }

    const Opening opening = pace->next_opening(now);
    if (probe) probe(*pace, now, opening, result.sends);
    if (opening.at > now) {
      now = until(opening.at);
      continue;
    }
    if (pending.empty()) {
      now = until(arrivals[next_arrival].at);
      continue;
    }
    const auto recipients = pace->blocked_recipients(now);
    const auto groups = pace->blocked_groups(now);
    const auto blocked = [](const std::vector<std::string>& list, const std::string& name) {
      return std::find(list.begin(), list.end(), name) != list.end();
    };
    const auto chosen = std::find_if(pending.begin(), pending.end(), [&](std::size_t index) {
      return !blocked(recipients, arrivals[index].recipient) && !blocked(groups, arrivals[index].group);
    });
    if (chosen == pending.end()) {
      SysTime next = now + kPollStep;
      if (next_arrival < arrivals.size()) next = std::min(next, arrivals[next_arrival].at);
      now = until(next);
      continue;
    }
    const milliseconds jitter =
        scenario.policy.jitter.count() > 0
            ? milliseconds(std::uniform_int_distribution<long long>(0, scenario.policy.jitter.count())(random))
            : milliseconds(0);
    const Arrival& message = arrivals[*chosen];
    pace->record_send(now, message.recipient, message.group, message.group_interval, jitter);
    result.sends.push_back({now, *chosen, jitter, epoch});
    pending.erase(chosen);
  }
  result.end = now;
  return result;
}

LocalInstant local_instant(const date::time_zone* zone, SysTime t) {
  const date::zoned_time<microseconds> zoned(zone, t);
  const auto local = zoned.get_local_time();
  const auto day = date::floor<date::days>(local);
  return {day, local - day};
}

bool inside_window(microseconds time_of_day, const SendingWindow& window) {
  if (window.start == window.end) return true;
  if (window.start < window.end) return time_of_day >= window.start && time_of_day < window.end;
  return time_of_day >= window.start || time_of_day < window.end;
}

minutes window_length(const SendingWindow& window) {
  if (window.start == window.end) return minutes{24 * 60};
  if (window.start < window.end) return window.end - window.start;
  return minutes{24 * 60} - window.start + window.end;
}

std::optional<SysTime> liveness_deadline(const Scenario& scenario) {
  // While the session is inside its window and under the day's cap and a message is waiting,
  // some message goes within `slot`: the GCRA opening is never later than the last send plus
  // min_interval plus its jitter, a recipient is blocked at most recipient_spacing after the
  // last send to it, a campaign at most its interval after its last send, and the loop looks
  // again at least every poll step. So a day lets through at least
  //   min(cap, (window - 1 h for a DST change) / slot - 2)
  // sends (the -2 for a window split in two around midnight), and at least one when the cap
  // allows one: outside a window shorter than a day every block has expired before it reopens.
  // Counting from the day of the last arrival; the deadline is two whole days after the day
  // that count reaches the number of messages.
  const auto& policy = scenario.policy;
  if (scenario.arrivals.empty()) return scenario.start;
  milliseconds slot = std::max(policy.min_interval + policy.jitter, policy.recipient_spacing);
  for (const Arrival& message : scenario.arrivals) slot = std::max(slot, message.group_interval);
  slot += kPollStep;
  const minutes length = policy.window ? window_length(*policy.window) : minutes{24 * 60};
  const long usable = std::max<long>(0, (length - minutes{60}) / slot);

  const date::time_zone* zone = date::locate_zone(scenario.zone);
  const date::local_days first = local_instant(zone, scenario.arrivals.back().at).day;
  long through = 0;
  for (date::local_days day = first; day < first + date::days{400}; day += date::days{1}) {
    const long cap = reference_cap(policy, day);
    if (cap > 0) through += std::min<long>(cap, std::max<long>(1, usable - 2));
    if (through >= static_cast<long>(scenario.arrivals.size())) {
      return LocalCalendar(zone).start_of_day(day + date::days{3});
    }
  }
  return std::nullopt;
}

long reference_cap(const PacingPolicy& policy, date::local_days day) {
  // Written from the contract, not from cap_for_day: linear from start_cap on started_on to
  // daily_cap on started_on + days, rounded down, never above daily_cap.
  const long full = policy.daily_cap;
  if (!policy.warm_up || policy.warm_up->days <= 0) return full;
  const WarmUp& warm = *policy.warm_up;
  const long start = std::min<long>(warm.start_cap, full);
  const long elapsed = (day - warm.started_on).count();
  if (elapsed <= 0) return start;
  if (elapsed >= warm.days) return full;
  return start + (full - start) * elapsed / warm.days;
}

std::string describe(const Scenario& scenario) {
  const auto& p = scenario.policy;
  std::ostringstream out;
  out << "zone=" << scenario.zone << " start=" << date::format("%FT%TZ", scenario.start)
      << " interval=" << p.min_interval.count() << "ms jitter=" << p.jitter.count() << "ms burst=" << p.burst
      << " cap=" << p.daily_cap << " spacing=" << p.recipient_spacing.count() << "ms";
  if (p.window) out << " window=" << p.window->start.count() << "-" << p.window->end.count() << "min";
  if (p.warm_up) {
    out << " warm_up={start_cap=" << p.warm_up->start_cap << " days=" << p.warm_up->days
        << " on=" << date::format("%F", p.warm_up->started_on) << "}";
  }
  out << " messages=" << scenario.arrivals.size() << " restarts=" << scenario.restarts.size()
      << " horizon=" << date::format("%FT%TZ", scenario.horizon) << " seed=" << scenario.seed << "\n";
  for (const Arrival& a : scenario.arrivals) {
    out << "  " << date::format("%FT%TZ", a.at) << " to=" << a.recipient << " group=" << a.group << "/"
        << a.group_interval.count() << "ms\n";
  }
  return out.str();
}

}  // namespace disparo::dispatch::pacing_test
