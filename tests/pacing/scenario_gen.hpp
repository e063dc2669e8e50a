// Random pacing scenarios for the property tests: a policy, a zone, a start instant, arrivals
// and optional runner restarts. Drawn with rapidcheck's `*gen` inside a running property, so
// every choice appears in the counterexample and shrinks towards the simple case.
// Single-threaded test code.
#pragma once

#include "tests/pacing/pace_simulator.hpp"

namespace disparo::dispatch::pacing_test {

struct ScenarioOptions {
  bool positive_cap = false;  // daily_cap >= 1 (liveness)
  bool restarts = false;      // the runner restarts 1-3 times during the run
  bool midnight_restart = false;  // starts < 30 min before a local midnight, restarts just after it
};

// Zones with the offsets Disparo's tenants use, plus UTC.
const std::vector<std::string>& tenant_zones();

// Only callable inside a rapidcheck property.
PacingPolicy any_policy(bool positive_cap, date::local_days around);
Scenario any_scenario(const ScenarioOptions& options);

}  // namespace disparo::dispatch::pacing_test
