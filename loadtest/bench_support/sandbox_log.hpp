// SandboxLog: what the sandbox provider received, read once from GET /_sandbox/requests after a
// run (the sandbox keeps the last 100,000 requests; `dropped` says how many older ones it let go).
// Main thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "common/expected.hpp"
#include "loadtest/bench_support/http_connection.hpp"

namespace disparo::bench {

struct SandboxRequest {
  std::int64_t received_us = 0;  // unix microseconds, the sandbox's clock
  std::int64_t message_id = 0;   // from biz_opaque_callback_data; 0 when absent
  int status = 0;                // what the sandbox answered
};

struct SandboxLog {
  std::vector<SandboxRequest> requests;
  std::int64_t dropped = 0;
};

Expected<SandboxLog> fetch_sandbox_log(HttpConnection& sandbox);
Expected<void> clear_sandbox_log(HttpConnection& sandbox);

}  // namespace disparo::bench
