#include "loadtest/bench_support/sandbox_run.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "loadtest/bench_support/stats.hpp"

namespace disparo::bench {

std::string id_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += '}';
  return out;
}

RunSetup RunSetup::from(const Options& options) {
  RunSetup setup;
  auto [dh, dp] = host_port(options.required("dispatcher"));
  auto [sh, sp] = host_port(options.required("sandbox"));
  setup.dispatcher = {dh, dp};
  setup.sandbox = {sh, sp};
  setup.api_key = options.required("api-key");
  setup.db_url = options.required("db-url");
  setup.access_token = options.required("access-token");
  setup.sandbox_base_url = "http://" + sh + ":" + std::to_string(sp) + "/v24.0";
  return setup;
}

std::vector<std::int64_t> prepare_sessions(const RunSetup& setup, pg::Connection& db, int count,
                                           const std::string& prefix, std::int64_t phone_base) {
  HttpConnection metrics(setup.dispatcher.host, setup.dispatcher.port);
  const double running_before = dispatcher_metric(metrics, "disparo_sessions_running");
  const double t0 = steady_seconds();
  auto sessions = create_sessions(db, demo_tenant(db), count, prefix, setup.sandbox_base_url, setup.access_token,
                                  phone_base);
  if (running_before < 0) {
    // No gauge to watch: give the dispatcher two of its 5 s session reloads.
    std::printf("  %d sessions created; no disparo_sessions_running gauge, waiting 10 s\n", count);
    wait_until([] { return false; }, 10.0, 500);
    return sessions;
  }
  // The dispatcher reloads sessions every few seconds; 10,000 runners start within that.
  double running = running_before;
  const bool all = wait_until([&] {
    running = dispatcher_metric(metrics, "disparo_sessions_running");
    return running >= running_before + count;
  }, 60.0, 250);
  std::printf("  %d sessions created; dispatcher runs %.0f queues after %.1f s%s\n", count, running,
              steady_seconds() - t0, all ? "" : " (NOT all of them within 60 s; going on)");
  // Not fatal: a dispatcher that is slow to start thousands of queues is a finding, not a crash.
  return sessions;
}

void BackendSampler::sample(pg::Connection& db) {
  auto rows = db.exec(
      "SELECT CASE WHEN state = 'active' THEN COALESCE(wait_event, 'CPU') ELSE COALESCE(state, '?') END "
      "FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
      "AND pid <> pg_backend_pid()");
  if (!rows) return;
  for (int r = 0; r < rows->size(); ++r) {
    ++counts_[std::string(rows->text(r, 0))];
    ++total_;
  }
}

std::string BackendSampler::summary() const {
  std::vector<std::pair<std::int64_t, std::string>> sorted;
  for (const auto& [name, count] : counts_) sorted.emplace_back(count, name);
  std::sort(sorted.rbegin(), sorted.rend());
  std::string out;
  for (const auto& [count, name] : sorted) {
    if (!out.empty()) out += ", ";
    out += name;
    out += ' ';
    out += std::to_string(total_ ? (count * 100 + total_ / 2) / total_ : 0);
    out += '%';
  }
  return out.empty() ? "(no samples)" : out;
}

bool wait_for_sends(HttpConnection& sandbox, pg::Connection& db, const std::vector<std::int64_t>& sessions,
                    double baseline, std::int64_t expected, double deadline_s, BackendSampler* sampler) {
  double last_print = steady_seconds();
  double sent = 0;
  const std::string ids = id_array(sessions);
  const bool done = wait_until([&] {
    const double total = baseline < 0 ? -1 : sandbox_sends(sandbox);
    if (total >= 0) {
      sent = total - baseline;
    } else {
      // No provider counter: count the messages that left "queued"/"sending" (heavier).
      auto rows = db.exec("SELECT count(*) FROM messages WHERE session_id = ANY($1::bigint[]) "
                          "AND status NOT IN ('queued', 'sending')", {ids});
      if (rows) sent = static_cast<double>(rows->int64(0, 0));
    }
    if (sampler) sampler->sample(db);
    if (steady_seconds() - last_print >= 5.0) {
      last_print = steady_seconds();
      std::printf("    ... %.0f of %lld provider requests\n", sent, static_cast<long long>(expected));
      std::fflush(stdout);
    }
    return sent >= static_cast<double>(expected);
  }, deadline_s, 200);
  return done;
}

std::optional<std::int64_t> wait_for_status(pg::Connection& db, const std::vector<std::int64_t>& sessions,
                                            const std::string& status, double deadline_s,
                                            const std::function<bool()>& likely_done) {
  const std::string ids = id_array(sessions);
  const bool done = wait_until([&] {
    if (likely_done && !likely_done()) return false;
    auto rows = db.exec("SELECT count(*) FROM messages WHERE session_id = ANY($1::bigint[]) AND status <> $2",
                        {ids, status});
    return rows && rows->int64(0, 0) == 0;
  }, deadline_s, 100);
  if (!done) return std::nullopt;
  return now_unix_us();
}

std::unordered_map<std::int64_t, std::int64_t> message_times(pg::Connection& db, const std::vector<std::int64_t>& sessions,
                                                            const std::string& column) {
  const std::string ids = id_array(sessions);
  auto rows = db.exec("SELECT id, (extract(epoch FROM " + column +
                          ") * 1000000)::bigint FROM messages WHERE session_id = ANY($1::bigint[])",
                      {ids});
  if (!rows) throw std::runtime_error("reading message times: " + rows.error().message);
  std::unordered_map<std::int64_t, std::int64_t> times;
  times.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) times[rows->int64(r, 0)] = rows->int64(r, 1);
  return times;
}

std::unordered_map<std::int64_t, std::int64_t> first_receives(const SandboxLog& log) {
  std::unordered_map<std::int64_t, std::int64_t> first;
  first.reserve(log.requests.size());
  for (const auto& request : log.requests) {
    if (request.status != 200 || request.message_id == 0) continue;
    auto [it, inserted] = first.emplace(request.message_id, request.received_us);
    if (!inserted && request.received_us < it->second) it->second = request.received_us;
  }
  return first;
}

void add_distribution(Summary& summary, const std::string& prefix, const std::vector<double>& sample_ms) {
  const auto d = distribution(sample_ms);
  summary.add(prefix + "_count", static_cast<std::int64_t>(d.count));
  summary.add(prefix + "_min_ms", d.min, 1);
  summary.add(prefix + "_p50_ms", d.p50, 1);
  summary.add(prefix + "_p90_ms", d.p90, 1);
  summary.add(prefix + "_p99_ms", d.p99, 1);
  summary.add(prefix + "_max_ms", d.max, 1);
}

}  // namespace disparo::bench
