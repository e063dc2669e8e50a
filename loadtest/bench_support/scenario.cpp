#include "loadtest/bench_support/scenario.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/prometheus_text.hpp"
#include "loadtest/bench_support/stats.hpp"

namespace disparo::bench {

PostResult post_batches(const Endpoint& dispatcher, const std::string& api_key,
                        const std::vector<std::string>& bodies, int connections, double deadline_s) {
  PostResult result;
  std::atomic<std::size_t> next{0};
  std::mutex merge;
  const HeaderList headers = {{"Authorization", "Bearer " + api_key}, {"Content-Type", "application/json"}};
  const double started = steady_seconds();
  const double stop_at = started + deadline_s;
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      HttpConnection http(dispatcher.host, dispatcher.port);
      PostResult mine;
      for (std::size_t i = next++; i < bodies.size(); i = next++) {
        const double t0 = steady_seconds();
        if (t0 >= stop_at) {
          ++mine.bodies_not_sent;
          continue;
        }
        auto response = http.request("POST", "/v1/messages", bodies[i], headers);
        mine.latencies_ms.push_back((steady_seconds() - t0) * 1000.0);
        if (!response || response->status != 202) {
          ++mine.requests_failed;
          if (mine.first_error.empty()) {
            mine.first_error = response ? "HTTP " + std::to_string(response->status) + ": " +
                                              response->body.substr(0, 300)
                                        : response.error().message;
          }
          continue;
        }
        ++mine.requests_ok;
        // {"accepted":1000,"replayed":0,"messages":[...]}: only the head is read.
        const std::string_view head(response->body.data(), std::min<std::size_t>(response->body.size(), 64));
        if (const auto at = head.find(R"("accepted":)"); at != std::string_view::npos) {
          std::int64_t accepted = 0;
          std::from_chars(head.data() + at + 11, head.data() + head.size(), accepted);
          mine.messages_acked += accepted;
        }
      }
      std::lock_guard lock(merge);
      result.requests_ok += mine.requests_ok;
      result.requests_failed += mine.requests_failed;
      result.messages_acked += mine.messages_acked;
      result.bodies_not_sent += mine.bodies_not_sent;
      result.latencies_ms.insert(result.latencies_ms.end(), mine.latencies_ms.begin(), mine.latencies_ms.end());
      if (result.first_error.empty()) result.first_error = mine.first_error;
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = steady_seconds() - started;
  return result;
}

pg::Connection open_db(const std::string& url) {
  auto conn = pg::Connection::open(url);
  if (!conn) throw std::runtime_error("cannot connect to PostgreSQL: " + conn.error().message);
  return std::move(*conn);
}

std::int64_t scalar(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  auto rows = conn.exec(sql, params);
  if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + "\n" + sql);
  if (rows->size() != 1) throw std::runtime_error("SQL returned " + std::to_string(rows->size()) + " rows: " + sql);
  return rows->int64(0, 0);
}

void exec_or_throw(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  auto rows = conn.exec(sql, params);
  if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + "\n" + sql);
}

std::int64_t demo_tenant(pg::Connection& conn) { return scalar(conn, "SELECT id FROM tenants WHERE slug = 'demo'"); }

std::vector<std::int64_t> create_sessions(pg::Connection& conn, std::int64_t tenant, int count,
                                          const std::string& prefix, const std::string& base_url,
                                          const std::string& access_token, std::int64_t phone_base,
                                          const SessionPacing& pacing) {
  auto rows = conn.exec(R"SQL(
INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, phone_number_id, access_token,
                               min_interval_ms, jitter_ms, burst, daily_cap, state)
SELECT $1, $2 || '-' || n, 'sandbox', $3, ($4::bigint + n)::text, $5, $6, $7, $8, $9, $11
FROM generate_series(1, $10::int) AS n
ORDER BY n
RETURNING id)SQL",
                        {std::to_string(tenant), prefix, base_url, std::to_string(phone_base), access_token,
                         std::to_string(pacing.min_interval_ms), std::to_string(pacing.jitter_ms),
                         std::to_string(pacing.burst), std::to_string(pacing.daily_cap), std::to_string(count),
                         std::string(pacing.paused ? "paused" : "active")});
  if (!rows) throw std::runtime_error("creating sessions failed: " + rows.error().message);
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) ids.push_back(rows->int64(r, 0));
  return ids;
}

double dispatcher_metric(HttpConnection& dispatcher, const std::string& name) {
  auto response = dispatcher.request("GET", "/metrics");
  if (!response || response->status != 200) return -1;
  return metric_sum(response->body, name);
}

double sandbox_sends(HttpConnection& sandbox) {
  auto response = sandbox.request("GET", "/metrics");
  if (!response || response->status != 200) return -1;
  return metric_sum(response->body, "disparo_sandbox_http_requests_total", "route=\"cloud_api_messages\"");
}

bool wait_until(const std::function<bool()>& done, double deadline_s, int interval_ms) {
  const double end = steady_seconds() + deadline_s;
  for (;;) {
    if (done()) return true;
    if (steady_seconds() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
}

std::int64_t rss_bytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) {
      return std::stoll(line.substr(6)) * 1024;  // "VmRSS:	   12345 kB"
    }
  }
  return -1;
}

}  // namespace disparo::bench
