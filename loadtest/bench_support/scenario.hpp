// Scenario steps shared by the benchmark programs: POST batches over a few keep-alive
// connections (one thread each), create sandbox sessions in SQL, read the dispatcher's
// /metrics, wait for sends with a deadline. Main thread only (post_batches starts and joins
// its own threads).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "loadtest/bench_support/http_connection.hpp"

namespace disparo::bench {

struct Endpoint {
  std::string host;
  unsigned short port = 0;
};

struct PostResult {
  std::int64_t requests_ok = 0;      // 202 answers
  std::int64_t requests_failed = 0;  // anything else, or no answer
  std::int64_t messages_acked = 0;   // sum of "accepted" in the 202 answers
  std::vector<double> latencies_ms;  // of every request, in completion order per connection
  std::int64_t bodies_not_sent = 0;  // left out because the deadline passed
  double seconds = 0;                // from the first request sent to the last answer
  std::string first_error;           // "" when none
};

// Sends every body once, `connections` at a time (body i goes to whichever connection is free).
// No request starts after `deadline_s`; the ones left are counted in bodies_not_sent.
PostResult post_batches(const Endpoint& dispatcher, const std::string& api_key,
                        const std::vector<std::string>& bodies, int connections, double deadline_s = 600);

pg::Connection open_db(const std::string& url);  // throws std::runtime_error
std::int64_t scalar(pg::Connection& conn, const std::string& sql, const pg::Params& params = {});  // throws
void exec_or_throw(pg::Connection& conn, const std::string& sql, const pg::Params& params = {});

// The demo tenant made by `disparo-admin demo`.
std::int64_t demo_tenant(pg::Connection& conn);

struct SessionPacing {
  int min_interval_ms = 0;
  int jitter_ms = 0;
  int burst = 1'000'000;
  int daily_cap = 2'000'000'000;
  bool paused = false;  // created paused: the dispatcher runs no queue for it until resumed
};

// Inserts `count` active sandbox sessions named "<prefix>-<n>" for `tenant`, each with its own
// phone_number_id (`phone_base` + n), and returns their ids in order.
std::vector<std::int64_t> create_sessions(pg::Connection& conn, std::int64_t tenant, int count,
                                          const std::string& prefix, const std::string& base_url,
                                          const std::string& access_token, std::int64_t phone_base,
                                          const SessionPacing& pacing = {});

double dispatcher_metric(HttpConnection& dispatcher, const std::string& name);  // -1 on failure or absent
// Cloud API send requests the sandbox has answered so far (-1 on failure). Progress is read here,
// not from the dispatcher's /metrics: with 10,000 sessions its exposition has ~100,000 series,
// and scraping it every 200 ms would load the process under test far beyond what a Prometheus
// scraping every 15 s does.
double sandbox_sends(HttpConnection& sandbox);

// Polls `done()` every `interval_ms` until it is true or `deadline_s` passes; false on timeout.
bool wait_until(const std::function<bool()>& done, double deadline_s, int interval_ms = 200);

// VmRSS of a process in bytes, from /proc/<pid>/status; -1 when unreadable.
std::int64_t rss_bytes(int pid);

}  // namespace disparo::bench
