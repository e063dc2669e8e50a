// The admin's DependencyProber (admin/dependency_probe.hpp, Boost.Asio) against a private
// PostgreSQL database (DISPARO_TEST_PG_URL): up while the database answers; cutting access
// (ALLOW_CONNECTIONS false + pg_terminate_backend) flips it to 0, allowing it again back to 1;
// and the loop stops when asked, so the io_context runs out of work (AdminApp's shutdown).
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "admin/dependency_probe.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin {
namespace {

using namespace std::chrono_literals;
using disparo::test::TestDatabase;

struct Probing {
  explicit Probing(const std::string& url, ProbeSettings settings = {.interval = 50ms, .timeout = 1s})
      : pool(url, 1), prober(ioc.get_executor(), pool, workers, metrics, logger, settings) {}
  ~Probing() { workers.join(); }

  void once() {
    boost::asio::co_spawn(ioc, prober.probe_once(), boost::asio::detached);
    ioc.restart();
    ioc.run_for(10s);  // returns when the probe finished (no other work)
  }
  std::string text() { return prometheus::TextSerializer{}.Serialize(registry.Collect()); }

  boost::asio::io_context ioc{1};
  boost::asio::thread_pool workers{1};
  log::Logger logger{"admin-probe-test", log::Level::error};
  prometheus::Registry registry;
  DependencyProbeMetrics metrics{registry, {"postgres"}};
  pg::Pool pool;
  DependencyProber prober;
};

TEST(AdminDependencyProber, PostgresGoesDownWhenAccessStopsAndComesBack) {
  TestDatabase db;
  Probing probing(db.url());
  probing.once();
  ASSERT_EQ(probing.metrics.up("postgres"), true) << probing.text();

  db.set_access(false);
  probing.once();
  EXPECT_EQ(probing.metrics.up("postgres"), false);
  const auto down = probing.text();
  EXPECT_NE(down.find("disparo_dependency_up{dependency=\"postgres\"} 0\n"), std::string::npos) << down;
  EXPECT_NE(down.find("disparo_dependency_errors_total{dependency=\"postgres\"} 1\n"), std::string::npos) << down;

  db.set_access(true);
  probing.once();
  EXPECT_EQ(probing.metrics.up("postgres"), true) << probing.text();
}

TEST(AdminDependencyProber, TheLoopProbesUntilStopped) {
  TestDatabase db;
  Probing probing(db.url());
  probing.prober.start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline &&
         probing.text().find("disparo_dependency_round_trip_seconds_count{dependency=\"postgres\"} 3\n") ==
             std::string::npos) {
    probing.ioc.run_one_for(50ms);
  }
  EXPECT_EQ(probing.metrics.up("postgres"), true) << probing.text();
  probing.prober.stop();
  // Stopped: the loop ends and the io_context runs out of work by itself.
  const auto started = std::chrono::steady_clock::now();
  probing.ioc.run_for(5s);
  EXPECT_TRUE(probing.ioc.stopped());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

}  // namespace
}  // namespace disparo::admin
