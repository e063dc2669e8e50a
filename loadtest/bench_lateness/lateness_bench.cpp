// disparo-bench-lateness: how late scheduled messages leave, as the provider sees it.
//
//   disparo-bench-lateness --dispatcher URL --sandbox URL --api-key KEY --db-url URL
//       --access-token T [--sessions 1000] [--messages 10000] [--lead-ms 5000]
//       [--spread-ms 2000] [--phone-base 400000000000000] [--deadline-s 60]
//       [--watch dispatcher=PID,postgres=PID+,...] [--summary FILE]
//
// Creates `sessions` sandbox sessions (min_interval 0), then POSTs `messages` messages
// round-robin over them with send_at spread evenly over [now + lead, now + lead + spread).
// Lateness = sandbox receive time − send_at (both on this machine's clock). A message that
// arrives before its send_at counts as early: that is a correctness failure, not a good figure.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "common/rfc3339.hpp"
#include "loadtest/bench_support/cpu_usage.hpp"
#include "loadtest/bench_support/message_batches.hpp"
#include "loadtest/bench_support/options.hpp"
#include "loadtest/bench_support/sandbox_run.hpp"
#include "loadtest/bench_support/stats.hpp"

using namespace disparo::bench;

namespace {

int run(const Options& options) {
  const RunSetup setup = RunSetup::from(options);
  const int session_count = static_cast<int>(options.integer("sessions", 1'000));
  const std::int64_t messages = options.integer("messages", 10'000);
  const std::int64_t lead_us = options.integer("lead-ms", 5'000) * 1000;
  const std::int64_t spread_us = options.integer("spread-ms", 2'000) * 1000;
  const std::int64_t batch = 1'000;
  Summary summary(options.text("summary", ""));
  auto db = open_db(setup.db_url);

  std::printf("lateness: %lld messages over %d sessions, send_at in [+%lld ms, +%lld ms)\n",
              static_cast<long long>(messages), session_count, static_cast<long long>(lead_us / 1000),
              static_cast<long long>((lead_us + spread_us) / 1000));
  const auto sessions = prepare_sessions(setup, db, session_count, "bench-late",
                                         options.integer("phone-base", 400'000'000'000'000));
  // After a heavy run the sandbox is still busy with status webhooks: give its log time.
  HttpConnection sandbox(setup.sandbox.host, setup.sandbox.port, 180);
  if (auto cleared = clear_sandbox_log(sandbox); !cleared) throw std::runtime_error(cleared.error().message);
  const double baseline = sandbox_sends(sandbox);

  const std::int64_t start_us = now_unix_us() + lead_us;
  std::vector<std::string> bodies;
  for (std::int64_t first = 0; first < messages; first += batch) {
    auto list = specs(first, std::min(batch, messages - first), sessions);
    for (auto& m : list) {
      const std::int64_t at = start_us + m.index * spread_us / messages;
      m.send_at = disparo::format_rfc3339(disparo::SysTime(std::chrono::microseconds(at)));
    }
    bodies.push_back(batch_body(list));
  }
  const auto posted = post_batches(setup.dispatcher, setup.api_key, bodies, 2);
  const std::int64_t posted_us = now_unix_us();
  std::printf("  posted in %.2f s; first send_at is %.2f s after the last answer\n", posted.seconds,
              static_cast<double>(start_us - posted_us) / 1e6);
  if (posted_us >= start_us) std::printf("  WARNING: posting took longer than the lead; raise --lead-ms\n");

  const double deadline_s = static_cast<double>(options.integer("deadline-s", 60)) +
                            static_cast<double>(std::max<std::int64_t>(0, start_us + spread_us - posted_us)) / 1e6;
  CpuUsage cpu(parse_watch(options.text("watch", "")));
  BackendSampler backends;
  cpu.start();
  const bool finished = wait_for_sends(sandbox, db, sessions, baseline, posted.messages_acked, deadline_s, &backends);
  cpu.stop(summary, "lateness");
  auto log = fetch_sandbox_log(sandbox);
  if (!log) throw std::runtime_error("sandbox log: " + log.error().message);

  const auto firsts = first_receives(*log);
  const auto send_at = message_times(db, sessions, "send_at");
  std::vector<double> lateness_ms;
  std::int64_t early = 0;
  for (const auto& [id, received] : firsts) {
    auto found = send_at.find(id);
    if (found == send_at.end()) continue;
    const double late = static_cast<double>(received - found->second) / 1000.0;
    if (late < 0) ++early;
    lateness_ms.push_back(late);
  }
  summary.add("lateness_sessions", static_cast<std::int64_t>(session_count));
  summary.add("lateness_messages_acked", posted.messages_acked);
  summary.add("lateness_finished", std::string(finished ? "yes" : "no"));
  summary.add("lateness_spread_s", static_cast<double>(spread_us) / 1e6, 1);
  summary.add("lateness_offered_per_s", static_cast<double>(messages) * 1e6 / static_cast<double>(spread_us), 0);
  summary.add("lateness_lead_margin_s", static_cast<double>(start_us - posted_us) / 1e6, 2);
  summary.add("lateness_not_sent", posted.messages_acked - static_cast<std::int64_t>(firsts.size()));
  summary.add("lateness_early", early);
  add_distribution(summary, "lateness", lateness_ms);
  summary.add("lateness_pg_backends", backends.summary());
  summary.write();
  return early > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines reach a log file as they happen
  try {
    return run(Options(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "disparo-bench-lateness: %s\n", e.what());
    return 2;
  }
}
