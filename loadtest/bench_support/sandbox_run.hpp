// SandboxRun: the steps the dispatch and lateness benchmarks share around a run of sends to
// the sandbox: sessions made in SQL and waited for, a cleared sandbox log, messages posted, a
// bounded wait for the provider requests, and what the sandbox saw matched to message rows.
// Main thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "loadtest/bench_support/options.hpp"
#include "loadtest/bench_support/sandbox_log.hpp"
#include "loadtest/bench_support/scenario.hpp"

namespace disparo::bench {

struct RunSetup {
  Endpoint dispatcher;
  Endpoint sandbox;
  std::string api_key;
  std::string db_url;
  std::string sandbox_base_url;  // what sessions call: http://host:port/v24.0
  std::string access_token;
  static RunSetup from(const Options& options);  // --dispatcher --sandbox --api-key --db-url --access-token
};

// Creates the sessions and waits until the dispatcher runs them (disparo_sessions_running).
std::vector<std::int64_t> prepare_sessions(const RunSetup& setup, pg::Connection& db, int count,
                                           const std::string& prefix, std::int64_t phone_base);

// What the dispatcher's PostgreSQL backends are doing, sampled: "active" ones by wait event
// (WALWrite, WALSync, ... or "CPU" when not waiting), the others by state ("idle": the pooled
// connection is not in use; "idle in transaction": the dispatcher is between two statements).
class BackendSampler {
 public:
  void sample(pg::Connection& db);
  std::string summary() const;  // "WALSync 41%, WALWrite 30%, ..." (share of backend samples)

 private:
  std::map<std::string, std::int64_t> counts_;
  std::int64_t total_ = 0;
};

// Waits until the sandbox has answered `expected` more send requests than `baseline` (see
// sandbox_sends; a baseline < 0: no such counter, count finished messages of `sessions` in
// PostgreSQL instead), printing progress every few seconds; returns false at the deadline.
bool wait_for_sends(HttpConnection& sandbox, pg::Connection& db, const std::vector<std::int64_t>& sessions,
                    double baseline, std::int64_t expected, double deadline_s, BackendSampler* sampler = nullptr);

// Waits until every message of `sessions` reads `status` (the sandbox's last status report
// applied); returns the unix microseconds when it saw that, or nullopt at the deadline.
// `likely_done`, when given, is polled first and PostgreSQL is asked only once it says yes: the
// count over every message of a run takes ~140 ms at 100,000 messages, and polled every 100 ms
// it kept a backend busy while the statuses it waits for were still being applied.
std::optional<std::int64_t> wait_for_status(pg::Connection& db, const std::vector<std::int64_t>& sessions,
                                            const std::string& status, double deadline_s,
                                            const std::function<bool()>& likely_done = {});

std::string id_array(const std::vector<std::int64_t>& ids);  // PostgreSQL bigint[] literal

// message id -> a time column in unix microseconds, for the messages of `sessions`.
std::unordered_map<std::int64_t, std::int64_t> message_times(pg::Connection& db, const std::vector<std::int64_t>& sessions,
                                                            const std::string& column);

// The first successful receive of each message id.
std::unordered_map<std::int64_t, std::int64_t> first_receives(const SandboxLog& log);

void add_distribution(Summary& summary, const std::string& prefix, const std::vector<double>& sample_ms);

}  // namespace disparo::bench
