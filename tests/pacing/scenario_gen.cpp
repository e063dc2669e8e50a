#include "tests/pacing/scenario_gen.hpp"

#include <rapidcheck.h>

#include <algorithm>

namespace disparo::dispatch::pacing_test {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

SysTime utc(date::year_month_day day, std::chrono::hours hour) {
  return SysTime{date::sys_days{day} + hour};
}

// The first local midnight after `t` plus `days`.
SysTime midnight_after(const date::time_zone* zone, SysTime t, int days) {
  const LocalCalendar calendar(zone);
  return calendar.start_of_day(local_instant(zone, t).day + date::days{1 + days});
}

// Any instant 2012-2030; or shortly before a local midnight, where the cap's day changes; or
// shortly before a São Paulo DST change (it had DST until 2019), so the 23- and 25-hour local
// days and the skipped midnight get exercised.
SysTime any_start(const date::time_zone* zone, bool before_midnight) {
  using namespace date::literals;
  const SysTime dst_changes[] = {
      utc(2017_y / 10 / 15, std::chrono::hours{3}),  // 00:00 -03 -> 01:00 -02
      utc(2018_y / 2 / 18, std::chrono::hours{2}),   // 00:00 -02 -> 23:00 -03 (the day before)
      utc(2018_y / 11 / 4, std::chrono::hours{3}),
      utc(2019_y / 2 / 17, std::chrono::hours{2}),
  };
  const auto micros = std::chrono::microseconds(*rc::gen::inRange<long>(0, 1'000'000));
  const SysTime first = utc(2012_y / 1 / 1, std::chrono::hours{0});
  const long span = (utc(2031_y / 1 / 1, std::chrono::hours{0}) - first) / seconds{1};
  const SysTime any = first + seconds(*rc::gen::inRange<long>(0, span)) + micros;
  switch (before_midnight ? 1 : *rc::gen::weightedElement<int>({{3, 0}, {1, 1}, {1, 2}})) {
    case 1: return midnight_after(zone, any, 0) - seconds(*rc::gen::inRange<long>(0, 1800)) + micros;
    case 2: {
      const SysTime change = dst_changes[*rc::gen::inRange<std::size_t>(0, std::size(dst_changes))];
      return change - seconds(*rc::gen::inRange<long>(0, 36 * 3600)) + micros;
    }
    default: return any;
  }
}

milliseconds any_millis(long max) {
  return milliseconds(*rc::gen::weightedOneOf<long>({{1, rc::gen::just(0L)},
                                                     {1, rc::gen::just(max)},
                                                     {4, rc::gen::inRange<long>(0, max + 1)}}));
}

}  // namespace

const std::vector<std::string>& tenant_zones() {
  static const std::vector<std::string> kZones{"America/Sao_Paulo", "America/Manaus", "America/Rio_Branco",
                                               "America/Noronha", "UTC"};
  return kZones;
}

PacingPolicy any_policy(bool positive_cap, date::local_days around) {
  PacingPolicy policy;
  policy.min_interval = any_millis(60'000);
  policy.jitter = any_millis(5'000);
  // Burst 1 often: that is where each send's jitter must show in the gap after it.
  policy.burst = *rc::gen::weightedOneOf<int>(
      {{1, rc::gen::just(1)}, {1, rc::gen::inRange(1, 4)}, {2, rc::gen::inRange(1, 11)}});
  const int low = positive_cap ? 1 : 0;
  // Small caps half the time, so runs of a few dozen messages reach them.
  policy.daily_cap = *rc::gen::oneOf(rc::gen::inRange(low, 11), rc::gen::inRange(low, 201));
  if (*rc::gen::arbitrary<bool>()) {
    // Any start and end: ordinary, crossing midnight, or equal (all day).
    policy.window = SendingWindow{minutes(*rc::gen::inRange(0, 24 * 60)), minutes(*rc::gen::inRange(0, 24 * 60))};
  }
  if (*rc::gen::arbitrary<bool>()) {
    WarmUp warm;
    warm.start_cap = *rc::gen::inRange(0, 2 * policy.daily_cap + 2);  // sometimes above the cap
    warm.days = *rc::gen::inRange(0, 31);
    warm.started_on = around + date::days{*rc::gen::inRange(-35, 4)};
    policy.warm_up = warm;
  }
  return policy;
}

Scenario any_scenario(const ScenarioOptions& options) {
  Scenario scenario;
  scenario.zone = *rc::gen::elementOf(tenant_zones());
  const auto* zone = date::locate_zone(scenario.zone);
  scenario.start = any_start(zone, options.midnight_restart);
  scenario.policy = any_policy(options.positive_cap, local_instant(zone, scenario.start).day);

  // A small set of recipients and campaigns so spacing collides often.
  const int recipients = *rc::gen::inRange(1, 7);
  std::vector<milliseconds> group_intervals(static_cast<std::size_t>(*rc::gen::inRange(0, 4)));
  for (auto& interval : group_intervals) interval = any_millis(120'000);
  const long spread_ms = 1000L * *rc::gen::element<long>(0, 60, 3600, 6 * 3600, 2 * 86400);
  const int messages = *rc::gen::inRange(0, 61);
  for (int i = 0; i < messages; ++i) {
    Arrival arrival;
    arrival.at = scenario.start + milliseconds(*rc::gen::inRange<long>(0, spread_ms + 1));
    arrival.recipient = "r" + std::to_string(*rc::gen::inRange(0, recipients));
    const int group = *rc::gen::inRange(-1, static_cast<int>(group_intervals.size()));
    if (group >= 0) {
      arrival.group = "g" + std::to_string(group);
      arrival.group_interval = group_intervals[static_cast<std::size_t>(group)];
    }
    scenario.arrivals.push_back(arrival);
  }
  std::stable_sort(scenario.arrivals.begin(), scenario.arrivals.end(),
                   [](const Arrival& a, const Arrival& b) { return a.at < b.at; });

  if (options.restarts) {
    // Anywhere in the run, or just after a local midnight: the ledger must then bring back
    // yesterday's last sends (interval and spacing across midnight), not only today's.
    const long within_s = *rc::gen::element<long>(60, 3600, 6 * 3600, 86400, 3 * 86400);
    const int count = *rc::gen::inRange(1, 4);
    for (int i = 0; i < count; ++i) {
      const SysTime restart =
          *rc::gen::arbitrary<bool>()
              ? scenario.start + milliseconds(*rc::gen::inRange<long>(0, within_s * 1000 + 1))
              : midnight_after(zone, scenario.start, *rc::gen::weightedElement<int>({{4, 0}, {1, 1}, {1, 2}})) +
                    milliseconds(*rc::gen::inRange<long>(0, 20'000));
      scenario.restarts.push_back(restart);
    }
    std::sort(scenario.restarts.begin(), scenario.restarts.end());
  }
  if (options.midnight_restart) {
    scenario.restarts = {midnight_after(zone, scenario.start, 0) + milliseconds(*rc::gen::inRange<long>(0, 20'000))};
  }
  scenario.seed = *rc::gen::arbitrary<std::uint64_t>();
  // Long enough for everything to go when it can; ten days when the cap never opens.
  scenario.horizon = liveness_deadline(scenario).value_or(scenario.start + date::days{10});
  return scenario;
}

}  // namespace disparo::dispatch::pacing_test
