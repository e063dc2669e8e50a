// disparo-bench-ingest: durable acceptance rate of POST /v1/messages, and the physical limit of
// the same rows on the same PostgreSQL, in one run.
//
//   disparo-bench-ingest --dispatcher http://127.0.0.1:8080 --api-key KEY --db-url URL
//       [--messages 200000] [--batch 1000] [--connections 4] [--physical]
//       [--dispatcher-pid PID] [--watch dispatcher=PID,postgres=PID+,...] [--summary FILE]
//
// Sends messages/batch bodies of `batch` text messages each (to the tenant's default session)
// over `connections` keep-alive connections, one request in flight per connection, after one
// untimed warm-up batch per connection. Then checks with SELECT count(*) that every message
// acknowledged with 202 is in the database. With --physical it measures, on the same server,
// a raw COPY of the same number of equivalent rows and the other references of
// physical_limit.hpp. Exit status 1 when an acknowledged message is missing.
#include <cstdio>
#include <exception>

#include "loadtest/bench_ingest/physical_limit.hpp"
#include "loadtest/bench_support/cpu_usage.hpp"
#include "loadtest/bench_support/message_batches.hpp"
#include "loadtest/bench_support/options.hpp"
#include "loadtest/bench_support/scenario.hpp"
#include "loadtest/bench_support/stats.hpp"

using namespace disparo::bench;

namespace {

std::vector<std::string> make_bodies(std::int64_t first_index, std::int64_t batches, std::int64_t batch) {
  std::vector<std::string> bodies;
  bodies.reserve(static_cast<std::size_t>(batches));
  for (std::int64_t b = 0; b < batches; ++b) bodies.push_back(batch_body(specs(first_index + b * batch, batch)));
  return bodies;
}

int run(const Options& options) {
  const auto [host, port] = host_port(options.required("dispatcher"));
  const Endpoint dispatcher{host, port};
  const std::string api_key = options.required("api-key");
  const std::int64_t messages = options.integer("messages", 200'000);
  const std::int64_t batch = options.integer("batch", 1'000);
  const int connections = static_cast<int>(options.integer("connections", 4));
  const std::int64_t first_index = options.integer("first-index", 0);
  const int dispatcher_pid = static_cast<int>(options.integer("dispatcher-pid", 0));
  if (messages < batch || batch < 1 || connections < 1) throw std::invalid_argument("need messages >= batch >= 1");
  const std::int64_t batches = messages / batch;

  auto db = open_db(options.required("db-url"));
  Summary summary(options.text("summary", ""));
  const std::int64_t tenant = demo_tenant(db);
  const std::int64_t session =
      scalar(db, "SELECT id FROM whatsapp_sessions WHERE tenant_id = $1 AND is_default", {std::to_string(tenant)});
  const std::int64_t before = scalar(db, "SELECT count(*) FROM messages");

  std::printf("ingest: %lld messages in batches of %lld over %d connections\n", static_cast<long long>(batches * batch),
              static_cast<long long>(batch), connections);
  const auto warmup = post_batches(dispatcher, api_key, make_bodies(first_index, connections, batch), connections);
  if (warmup.requests_failed > 0) throw std::runtime_error("warm-up failed: " + warmup.first_error);
  const auto bodies = make_bodies(first_index + connections * batch, batches, batch);
  const std::int64_t rss_before = dispatcher_pid ? rss_bytes(dispatcher_pid) : -1;
  CpuUsage cpu(parse_watch(options.text("watch", "")));
  cpu.start();
  const auto result = post_batches(dispatcher, api_key, bodies, connections);
  cpu.stop(summary, "ingest");
  const std::int64_t rss_after = dispatcher_pid ? rss_bytes(dispatcher_pid) : -1;

  const std::int64_t acked = warmup.messages_acked + result.messages_acked;
  const std::int64_t stored = scalar(db, "SELECT count(*) FROM messages") - before;
  const std::int64_t lost = acked > stored ? acked - stored : 0;
  const auto latency = distribution(result.latencies_ms);
  const double rate = static_cast<double>(result.messages_acked) / result.seconds;

  summary.add("ingest_messages", batches * batch);
  summary.add("ingest_batch", batch);
  summary.add("ingest_connections", static_cast<std::int64_t>(connections));
  summary.add("ingest_seconds", result.seconds, 2);
  summary.add("ingest_msgs_per_s", rate, 0);
  summary.add("ingest_requests_ok", result.requests_ok);
  summary.add("ingest_requests_failed", result.requests_failed);
  summary.add("ingest_req_p50_ms", latency.p50, 1);
  summary.add("ingest_req_p90_ms", latency.p90, 1);
  summary.add("ingest_req_p99_ms", latency.p99, 1);
  summary.add("ingest_req_max_ms", latency.max, 1);
  summary.add("ingest_acked_incl_warmup", acked);
  summary.add("ingest_stored_incl_warmup", stored);
  summary.add("ingest_lost", lost);
  if (!result.first_error.empty()) {
    std::string quoted(1, '"');
    quoted.append(json_escape(result.first_error)).push_back('"');
    summary.add("ingest_first_error", quoted);
  }
  if (rss_before > 0) {
    summary.add("ingest_dispatcher_rss_before_bytes", rss_before);
    summary.add("ingest_dispatcher_rss_after_bytes", rss_after);
  }

  if (options.flag("physical")) {
    std::printf("physical limit, same PostgreSQL, %lld rows:\n", static_cast<long long>(batches * batch));
    auto figures = measure_physical_limit(db, tenant, session, batches * batch, batch, first_index);
    // The store path inserts real messages too: time a slice of the same bodies (a quarter,
    // at least 20 batches) so the real table grows by no more than needed.
    const std::size_t slice = std::min(bodies.size(), std::max<std::size_t>(20, bodies.size() / 4));
    measure_store_path(db, tenant, std::vector<std::string>(bodies.begin(), bodies.begin() + static_cast<long>(slice)),
                       figures);
    summary.add("physical_copy_single_rows_per_s", figures.copy_single_per_s, 0);
    summary.add("physical_copy_batched_with_events_rows_per_s", figures.copy_batched_with_events_per_s, 0);
    summary.add("physical_unnest_batched_rows_per_s", figures.unnest_batched_per_s, 0);
    summary.add("store_path_msgs_per_s", figures.store_path_per_s, 0);
    summary.add("store_path_parse_ms_per_batch", figures.store_path_parse_ms_per_batch, 2);
    summary.add("store_path_sql_ms_per_batch", figures.store_path_sql_ms_per_batch, 2);
    summary.add("ratio_api_to_copy_single", rate / figures.copy_single_per_s, 3);
  }
  summary.write();
  if (lost > 0) {
    std::fprintf(stderr, "LOST: %lld acknowledged messages are not in the database\n", static_cast<long long>(lost));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines reach a log file as they happen
  try {
    return run(Options(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "disparo-bench-ingest: %s\n", e.what());
    return 2;
  }
}
