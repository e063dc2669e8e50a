// What the sandbox provider received, as end-to-end tests look at it: the receive times of the
// provider requests it answered with 200 (sends that left the dispatcher and were accepted).
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <simdjson.h>

#include "tests/e2e/e2e_environment.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::test {

// Receive times (µs since the epoch), sorted.
inline std::vector<std::int64_t> sandbox_sends(E2eEnvironment& env) {
  const auto response = http_get(env.sandbox_port(), "/_sandbox/requests");
  if (response.status != 200) throw std::runtime_error("sandbox requests: " + response.body);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body);
  std::vector<std::int64_t> times;
  for (auto request : simdjson::dom::array(root["requests"])) {
    if (std::int64_t(request["status"]) == 200) times.push_back(std::int64_t(request["received_at_us"]));
  }
  std::sort(times.begin(), times.end());
  return times;
}

}  // namespace disparo::test
