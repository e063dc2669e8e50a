// The dispatcher's own ingest functions, in-process over one connection: what its SQL costs
// without HTTP, the event loop or the connection pool. Rows go into the real tables.
#include <cstdio>
#include <stdexcept>

#include "common/clock.hpp"
#include "dispatcher/message_store.hpp"
#include "dispatcher/send_request.hpp"
#include "loadtest/bench_ingest/physical_limit.hpp"
#include "loadtest/bench_support/stats.hpp"

namespace disparo::bench {

void measure_store_path(pg::Connection& conn, std::int64_t tenant, const std::vector<std::string>& bodies,
                        PhysicalFigures& figures) {
  if (bodies.empty()) return;
  SystemClock clock;
  std::vector<dispatch::ParsedSendBody> parsed;
  parsed.reserve(bodies.size());
  const double p0 = steady_seconds();
  for (const auto& body : bodies) {
    parsed.push_back(dispatch::parse_send_body(body, clock.now()));
    if (!parsed.back().errors.empty()) throw std::runtime_error("store path: body does not parse");
  }
  figures.store_path_parse_ms_per_batch = (steady_seconds() - p0) * 1000.0 / static_cast<double>(bodies.size());

  std::int64_t stored = 0;
  const double t0 = steady_seconds();
  for (const auto& batch : parsed) {
    auto routing = dispatch::load_routing(conn, tenant, batch.messages);
    if (!routing) throw std::runtime_error("load_routing: " + routing.error().message);
    std::vector<std::int64_t> sessions;
    auto errors = dispatch::route_requests(*routing, batch.messages, true, sessions);
    if (!errors.empty()) throw std::runtime_error("route_requests: " + errors.front().message);
    auto accepted = dispatch::insert_messages(conn, tenant, batch.messages, sessions);
    if (!accepted) throw std::runtime_error("insert_messages: " + accepted.error().message);
    stored += static_cast<std::int64_t>(accepted->size());
  }
  const double seconds = steady_seconds() - t0;
  figures.store_path_per_s = static_cast<double>(stored) / seconds;
  figures.store_path_sql_ms_per_batch = seconds * 1000.0 / static_cast<double>(parsed.size());
  std::printf("  dispatcher store functions, 1 conn:   %10.0f msgs/s (parse %.1f ms + SQL %.1f ms per batch)\n",
              figures.store_path_per_s, figures.store_path_parse_ms_per_batch, figures.store_path_sql_ms_per_batch);
}

}  // namespace disparo::bench
