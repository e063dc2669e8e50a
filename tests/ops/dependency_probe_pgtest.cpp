// The dispatcher's DependencyProber (dispatcher/dependency_probe.hpp) against real servers: a
// private PostgreSQL database and the test Redis (DISPARO_TEST_PG_URL, DISPARO_TEST_REDIS_*).
// Cutting access to the database (ALLOW_CONNECTIONS false, then pg_terminate_backend on the
// pool's connection) flips disparo_dependency_up{dependency="postgres"} to 0; allowing it again
// brings it back to 1. A Redis nobody listens on is down; the real one is up. The loop (start())
// probes by itself.
#include <cstdlib>
#include <future>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/thread_pool.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "dispatcher/dependency_probe.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;
using disparo::test::env_or_fail;
using disparo::test::TestDatabase;

redis::Options redis_at(unsigned short port) {
  redis::Options options;
  options.host = env_or_fail("DISPARO_TEST_REDIS_HOST");
  options.port = port;
  options.connect_timeout = 500ms;
  options.command_timeout = 500ms;
  return options;
}

unsigned short test_redis_port() {
  return static_cast<unsigned short>(std::stoi(env_or_fail("DISPARO_TEST_REDIS_PORT")));
}

// Everything the prober needs, on one io_context driven by the test thread.
struct Probing {
  explicit Probing(const std::string& url, unsigned short redis_port)
      : pool(url, 1), redis(io, redis_at(redis_port)),
        prober(io, pool, workers, &redis, metrics, logger, ProbeSettings{.interval = 50ms, .timeout = 1s}) {}
  ~Probing() {
    prober.stop();
    redis.close();
    workers.join();
  }

  // One round of both probes, run to completion on this thread.
  void round() {
    bool done = false;
    asio::co_spawn(io, prober.probe_all(), [&done](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
      done = true;
    });
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
    ASSERT_TRUE(done) << "the probe round did not finish within 10 s";
  }
  std::string text() { return prometheus::TextSerializer{}.Serialize(registry.Collect()); }

  asio::io_context io{1};
  asio::thread_pool workers{1};
  log::Logger logger{"probe-test", log::Level::error};
  prometheus::Registry registry;
  DependencyProbeMetrics metrics{registry, {"postgres", "redis"}};
  pg::Pool pool;
  redis::Client redis;
  DependencyProber prober;
};

TEST(DependencyProber, PostgresGoesDownWhenAccessStopsAndComesBack) {
  TestDatabase db;
  Probing probing(db.url(), test_redis_port());
  probing.round();
  ASSERT_EQ(probing.metrics.up("postgres"), true) << probing.text();
  ASSERT_EQ(probing.metrics.up("redis"), true) << probing.text();

  // Stop access: no new connection, and the pool's open one is terminated.
  db.set_access(false);
  probing.round();
  EXPECT_EQ(probing.metrics.up("postgres"), false);
  probing.round();  // reconnecting is refused too
  EXPECT_EQ(probing.metrics.up("postgres"), false);
  EXPECT_EQ(probing.metrics.up("redis"), true);
  const auto down = probing.text();
  EXPECT_NE(down.find("disparo_dependency_up{dependency=\"postgres\"} 0\n"), std::string::npos) << down;
  EXPECT_NE(down.find("disparo_dependency_errors_total{dependency=\"postgres\"} 2\n"), std::string::npos) << down;
  EXPECT_NE(down.find("disparo_dependency_round_trip_seconds_count{dependency=\"postgres\"} 3\n"), std::string::npos)
      << down;

  db.set_access(true);
  probing.round();
  EXPECT_EQ(probing.metrics.up("postgres"), true) << probing.text();
}

TEST(DependencyProber, RedisNobodyListensOnIsDown) {
  TestDatabase db;
  Probing probing(db.url(), 1);  // port 1: refused
  probing.round();
  EXPECT_EQ(probing.metrics.up("postgres"), true);
  EXPECT_EQ(probing.metrics.up("redis"), false);
  const auto text = probing.text();
  EXPECT_NE(text.find("disparo_dependency_up{dependency=\"redis\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("disparo_dependency_errors_total{dependency=\"redis\"} 1\n"), std::string::npos) << text;
}

TEST(DependencyProber, TheLoopProbesByItself) {
  TestDatabase db;
  Probing probing(db.url(), test_redis_port());
  probing.prober.start();
  // Interval 50 ms: within a second the loop ran several rounds.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline &&
         probing.text().find("disparo_dependency_round_trip_seconds_count{dependency=\"redis\"} 3\n") ==
             std::string::npos) {
    probing.io.run_one_for(50ms);
  }
  EXPECT_EQ(probing.metrics.up("postgres"), true) << probing.text();
  EXPECT_EQ(probing.metrics.up("redis"), true) << probing.text();
  EXPECT_NE(probing.text().find("disparo_dependency_round_trip_seconds_count{dependency=\"redis\"} 3\n"),
            std::string::npos)
      << probing.text();
}

}  // namespace
}  // namespace disparo::dispatch
