// Small HTTP pieces shared by the simulator's handlers: a response with its hold-back delay, and
// the RFC 9457 problem for a rejected control document. Pure; any thread.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "adapters/http/message.hpp"
#include "loadtest/sandbox/behaviour.hpp"

namespace disparo::sandbox {

// A response and how long to hold it back (latency_ms, Evolution `delay`).
struct Answer {
  http::Response response;
  std::chrono::milliseconds delay{0};
};

// 400 application/problem+json {"type","title","status","detail","errors":[{"field","message"}]};
// the fields are named as in the document ("webhooks.batch_max", "scripted_errors[0].code").
http::Response field_problem(const std::vector<FieldError>& errors);

// 405 problem with an Allow header.
http::Response method_not_allowed(std::string_view allowed);

}  // namespace disparo::sandbox
