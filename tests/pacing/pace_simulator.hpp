// A fake-time model of SessionRunner's loop over SessionPace, for the pacing property tests.
//
// run_simulation() does what dispatcher/session_runner.cpp does, without a database or a timer:
// ask next_opening(now); jump to it while it is ahead; otherwise send the first pending message
// (arrival order) whose recipient and group are not blocked, drawing the jitter the runner
// draws; when nothing can go, wait for the next arrival or a poll step. A restart rebuilds the
// pace from the ledger exactly as SessionRunner::restore does (yesterday's and today's sends,
// replayed with no jitter). Also the independent calendar the checks use (date::zoned_time).
// Single-threaded test code.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <date/tz.h>

#include "common/clock.hpp"
#include "dispatcher/pacing/pacing_policy.hpp"
#include "dispatcher/pacing/session_pace.hpp"

namespace disparo::dispatch::pacing_test {

// The runner's poll interval: how long it waits when every pending message is blocked.
inline constexpr std::chrono::milliseconds kPollStep{500};

struct Arrival {
  SysTime at;
  std::string recipient;
  std::string group;  // empty: no campaign
  std::chrono::milliseconds group_interval{0};
};

struct Scenario {
  std::string zone;
  PacingPolicy policy;
  SysTime start;
  std::vector<Arrival> arrivals;     // sorted by `at`, all >= start
  std::vector<SysTime> restarts;     // instants at which the runner restarts (sorted)
  SysTime horizon;                   // the simulation stops here
  std::uint64_t seed = 0;            // jitter draws
};

struct Sent {
  SysTime at;
  std::size_t message = 0;               // index into Scenario::arrivals
  std::chrono::milliseconds jitter{0};   // drawn for the interval after this send
  int epoch = 0;                         // restarts that happened before this send
};

struct SimResult {
  std::vector<Sent> sends;
  bool all_sent = false;
  SysTime end;
};

// Called at every step with the pace, the current instant, the opening it gave and the sends so
// far, so a property can look at the engine's answers mid-run.
using OpeningProbe =
    std::function<void(const SessionPace&, SysTime now, const Opening&, const std::vector<Sent>&)>;

SimResult run_simulation(const Scenario& scenario, const OpeningProbe& probe = {});

// The test's own view of the tenant's calendar (not LocalCalendar's code).
struct LocalInstant {
  date::local_days day;
  std::chrono::microseconds time_of_day;
};
LocalInstant local_instant(const date::time_zone* zone, SysTime t);
bool inside_window(std::chrono::microseconds time_of_day, const SendingWindow& window);
// Minutes of the day the window is open (1440 for an all-day window).
std::chrono::minutes window_length(const SendingWindow& window);

// The cap on `day` as the contract states it (warm-up ramp), written apart from cap_for_day.
long reference_cap(const PacingPolicy& policy, date::local_days day);

// The latest instant by which every message must have been sent, or nullopt when the policy
// never lets them all through (cap 0). See the derivation in the .cpp.
std::optional<SysTime> liveness_deadline(const Scenario& scenario);

std::string describe(const Scenario& scenario);

}  // namespace disparo::dispatch::pacing_test
