// disparo-bench-dispatch: how fast the dispatcher sends through the sandbox provider.
//
//   disparo-bench-dispatch --dispatcher URL --sandbox URL --api-key KEY --db-url URL
//       --access-token T [--sessions 10000] [--messages 100000] [--label many]
//       [--phone-base 300000000000000] [--connections 2] [--deadline-s 180]
//       [--enqueue-deadline-s 60] [--dispatcher-pid PID] [--watch dispatcher=PID,postgres=PID+,...] [--summary FILE]
//
// Creates `sessions` sandbox sessions in SQL (min_interval 0, no jitter, huge burst and daily
// cap), paused, clears the sandbox's log, POSTs `messages` messages round-robin over those
// sessions (batches of 1,000, bounded by --enqueue-deadline-s), then resumes every session in
// one UPDATE (the start of a campaign with a full queue) and waits, bounded by the deadline,
// until the dispatcher has made that many provider requests. The rates come from the sandbox's
// own receive times; release→sent is the receive time minus the moment the sessions were
// resumed, accept→sent the receive time minus the message's created_at in PostgreSQL.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "common/prometheus_text.hpp"
#include "loadtest/bench_support/cpu_usage.hpp"
#include "loadtest/bench_support/message_batches.hpp"
#include "loadtest/bench_support/options.hpp"
#include "loadtest/bench_support/sandbox_run.hpp"
#include "loadtest/bench_support/stats.hpp"

using namespace disparo::bench;

namespace {

int run(const Options& options) {
  const RunSetup setup = RunSetup::from(options);
  const int session_count = static_cast<int>(options.integer("sessions", 10'000));
  const std::int64_t messages = options.integer("messages", 100'000);
  const std::int64_t batch = options.integer("batch", 1'000);
  const std::string label = options.text("label", "many");
  const std::string key = "dispatch_" + label;
  const double deadline_s = static_cast<double>(options.integer("deadline-s", 180));
  Summary summary(options.text("summary", ""));
  auto db = open_db(setup.db_url);

  std::printf("dispatch[%s]: %d sessions, %lld messages\n", label.c_str(), session_count,
              static_cast<long long>(messages));
  const int dispatcher_pid = static_cast<int>(options.integer("dispatcher-pid", 0));
  const std::int64_t rss_before_sessions = dispatcher_pid ? rss_bytes(dispatcher_pid) : -1;
  SessionPacing paused;
  paused.paused = true;
  const auto sessions = create_sessions(db, demo_tenant(db), session_count, "bench-" + label, setup.sandbox_base_url,
                                        setup.access_token, options.integer("phone-base", 300'000'000'000'000), paused);
  // After a heavy run the sandbox is still busy with status webhooks: give its log time.
  HttpConnection sandbox(setup.sandbox.host, setup.sandbox.port, 180);
  if (auto cleared = clear_sandbox_log(sandbox); !cleared) throw std::runtime_error(cleared.error().message);
  const double baseline = sandbox_sends(sandbox);

  std::vector<std::string> bodies;
  for (std::int64_t first = 0; first < messages; first += batch) {
    bodies.push_back(batch_body(specs(first, std::min(batch, messages - first), sessions)));
  }
  const std::int64_t enqueue_start_us = now_unix_us();
  const auto posted = post_batches(setup.dispatcher, setup.api_key, bodies,
                                   static_cast<int>(options.integer("connections", 2)),
                                   static_cast<double>(options.integer("enqueue-deadline-s", 60)));
  std::printf("  enqueued %lld messages in %.2f s (%.0f msgs/s); %lld batches failed, %lld not sent (deadline)%s%s\n",
              static_cast<long long>(posted.messages_acked), posted.seconds,
              static_cast<double>(posted.messages_acked) / posted.seconds,
              static_cast<long long>(posted.requests_failed), static_cast<long long>(posted.bodies_not_sent),
              posted.first_error.empty() ? "" : "; first error: ", posted.first_error.c_str());

  const std::int64_t rss_enqueued = dispatcher_pid ? rss_bytes(dispatcher_pid) : -1;

  // Status reports applied by the last send (the rest are applied after it); counted from here.
  HttpConnection dispatcher(setup.dispatcher.host, setup.dispatcher.port);
  const double reports_before = dispatcher_metric(dispatcher, "disparo_webhook_status_reports_total");
  // Messages moved to "read" so far: the cheap signal that the run's statuses are all applied.
  auto reads_applied = [&dispatcher] {
    auto response = dispatcher.request("GET", "/metrics");
    if (!response || response->status != 200) return -1.0;
    return disparo::metric_sum(response->body, "disparo_webhook_status_reports_total", R"(effect="advanced",status="read")");
  };
  const double reads_before = std::max(0.0, reads_applied());
  CpuUsage cpu(parse_watch(options.text("watch", "")));
  BackendSampler backends;
  cpu.start();
  const std::int64_t release_us = now_unix_us();
  exec_or_throw(db, "UPDATE whatsapp_sessions SET state = 'active' WHERE id = ANY($1::bigint[])", {id_array(sessions)});
  std::printf("  released %d sessions\n", session_count);
  const bool finished = wait_for_sends(sandbox, db, sessions, baseline, posted.messages_acked, deadline_s, &backends);
  const std::int64_t end_us = now_unix_us();
  cpu.stop(summary, key);
  const double reports_by_end = dispatcher_metric(dispatcher, "disparo_webhook_status_reports_total");
  const std::int64_t rss_after_run = dispatcher_pid ? rss_bytes(dispatcher_pid) : -1;
  // The statuses of the last sends are still arriving (and some stored ones not yet applied):
  // when does every message read "read", the last status the sandbox posts?
  const auto expected_reads = static_cast<double>(posted.messages_acked);
  const std::int64_t all_read_us =
      finished ? wait_for_status(db, sessions, "read", 120.0, [&] {
                   const double reads = reads_applied();
                   return reads < 0 || reads - reads_before >= expected_reads;  // no metric: ask the database
                 }).value_or(-1)
               : -1;
  auto log = fetch_sandbox_log(sandbox);
  if (!log) throw std::runtime_error("sandbox log: " + log.error().message);

  const auto firsts = first_receives(*log);
  std::vector<std::int64_t> receive_times;
  receive_times.reserve(log->requests.size());
  for (const auto& r : log->requests) receive_times.push_back(r.received_us);
  const auto series = rate_series(receive_times);
  const auto created = message_times(db, sessions, "created_at");
  std::vector<double> accept_to_sent_ms, release_to_sent_ms;
  accept_to_sent_ms.reserve(firsts.size());
  for (const auto& [id, received] : firsts) {
    release_to_sent_ms.push_back(static_cast<double>(received - release_us) / 1000.0);
    if (auto found = created.find(id); found != created.end()) {
      accept_to_sent_ms.push_back(static_cast<double>(received - found->second) / 1000.0);
    }
  }
  const std::int64_t sent_before_release = std::count_if(
      log->requests.begin(), log->requests.end(), [&](const SandboxRequest& r) { return r.received_us < release_us; });

  summary.add(key + "_sessions", static_cast<std::int64_t>(session_count));
  summary.add(key + "_messages_acked", posted.messages_acked);
  summary.add(key + "_enqueue_seconds", posted.seconds, 2);
  summary.add(key + "_enqueue_msgs_per_s", static_cast<double>(posted.messages_acked) / posted.seconds, 0);
  summary.add(key + "_enqueue_batches_failed", posted.requests_failed);
  summary.add(key + "_enqueue_batches_not_sent", posted.bodies_not_sent);
  if (!posted.first_error.empty()) summary.add(key + "_enqueue_first_error", posted.first_error.substr(0, 120));
  summary.add(key + "_finished", std::string(finished ? "yes" : "no"));
  summary.add(key + "_wall_seconds", static_cast<double>(end_us - enqueue_start_us) / 1e6, 1);
  summary.add(key + "_dispatch_seconds", static_cast<double>(end_us - release_us) / 1e6, 1);
  summary.add(key + "_sandbox_requests", static_cast<std::int64_t>(log->requests.size()));
  summary.add(key + "_sandbox_dropped", log->dropped);
  summary.add(key + "_messages_received", static_cast<std::int64_t>(firsts.size()));
  summary.add(key + "_not_sent", posted.messages_acked - static_cast<std::int64_t>(firsts.size()));
  summary.add(key + "_sends_per_s_overall", series.overall_per_s, 0);
  summary.add(key + "_sends_per_s_steady", series.steady_per_s, 0);
  summary.add(key + "_sends_per_s_peak_1s", series.peak_bucket_per_s, 0);
  summary.add(key + "_first_send_after_release_ms", static_cast<double>(series.first_us - release_us) / 1000.0, 1);
  if (reports_before >= 0 && reports_by_end >= 0) {
    summary.add(key + "_status_reports_by_last_send", static_cast<std::int64_t>(reports_by_end - reports_before));
  }
  summary.add(key + "_all_read", std::string(all_read_us > 0 ? "yes" : "no"));
  if (all_read_us > 0) {
    summary.add(key + "_all_read_after_last_send_s", static_cast<double>(all_read_us - series.last_us) / 1e6, 1);
    // First send to the last "read" applied: the rate this run sustained with all its statuses.
    summary.add(key + "_sent_and_read_per_s",
                static_cast<double>(firsts.size()) / (static_cast<double>(all_read_us - series.first_us) / 1e6), 0);
  }
  summary.add(key + "_sent_before_release", sent_before_release);
  add_distribution(summary, key + "_release_to_sent", release_to_sent_ms);
  add_distribution(summary, key + "_accept_to_sent", accept_to_sent_ms);
  if (dispatcher_pid) {
    summary.add(key + "_rss_before_sessions_bytes", rss_before_sessions);
    summary.add(key + "_rss_enqueued_bytes", rss_enqueued);
    summary.add(key + "_rss_after_run_bytes", rss_after_run);
  }
  std::string per_second;
  for (std::size_t i = 0; i < series.per_bucket.size() && i < 400; ++i) {
    if (i) per_second += ',';
    per_second += std::to_string(series.per_bucket[i]);
  }
  summary.add(key + "_per_second", per_second);
  summary.add(key + "_pg_backends", backends.summary());
  summary.write();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines reach a log file as they happen
  try {
    return run(Options(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "disparo-bench-dispatch: %s\n", e.what());
    return 2;
  }
}
