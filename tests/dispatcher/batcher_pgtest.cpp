// Batcher and SendGate on a real event loop and a real PostgreSQL pool: requests submitted while
// a flush runs are gathered into the next batch, results go back to their own callers, posted
// work survives a failing flush (retried until stored) and drain() waits for it; the gate never
// lets more than its capacity through and serves waiters in order.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/postgres/pool.hpp"
#include "dispatcher/batcher.hpp"
#include "dispatcher/send_gate.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;

class BatcherTest : public ::testing::Test {
 protected:
  disparo::test::TestDatabase database_;
  pg::Pool pool_{database_.url(), 2};
  asio::thread_pool workers_{2};
  Database db_{pool_, workers_};
  asio::io_context io_;

  void run_for(std::chrono::milliseconds limit) { io_.run_for(limit); }
};

TEST_F(BatcherTest, GathersConcurrentRequestsAndAnswersEachCaller) {
  std::atomic<int> flushes{0};
  std::atomic<std::size_t> largest{0};
  Batcher<int, int> batcher(
      io_, db_,
      [&](pg::Connection& conn, const std::vector<int>& requests) -> Expected<std::vector<int>> {
        ++flushes;
        largest = std::max(largest.load(), requests.size());
        auto rows = conn.exec("SELECT pg_sleep(0.02)");  // a real round trip, long enough to gather
        if (!rows) return rows.error();
        std::vector<int> doubled;
        for (int r : requests) doubled.push_back(r * 2);
        return doubled;
      },
      BatcherSettings{.max_batch = 50, .lanes = 1});
  batcher.start();
  constexpr int kCallers = 200;
  std::vector<int> answers(kCallers, -1);
  int done = 0;
  for (int i = 0; i < kCallers; ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          auto result = co_await batcher.submit(i);
          answers[i] = result ? *result : -2;
          if (++done == kCallers) batcher.stop();
        },
        asio::detached);
  }
  run_for(20s);
  ASSERT_EQ(done, kCallers);
  for (int i = 0; i < kCallers; ++i) EXPECT_EQ(answers[i], 2 * i) << "caller " << i;
  EXPECT_LE(flushes.load(), 10) << "200 requests should need about 200/50 flushes, not one each";
  EXPECT_EQ(largest.load(), 50u);  // max_batch holds
}

TEST_F(BatcherTest, PostedWorkIsRetriedUntilStoredAndDrainWaitsForIt) {
  std::atomic<int> attempts{0};
  std::vector<int> stored;
  Batcher<int, bool> batcher(
      io_, db_,
      [&](pg::Connection&, const std::vector<int>& requests) -> Expected<std::vector<bool>> {
        if (++attempts <= 2) return make_error(ErrorKind::unavailable, "database restarting");
        stored.insert(stored.end(), requests.begin(), requests.end());
        return std::vector<bool>(requests.size(), true);
      },
      BatcherSettings{.max_batch = 10, .lanes = 1, .retry_failed = true, .retry_backoff = 10ms});
  batcher.start();
  for (int i = 0; i < 5; ++i) batcher.post(i);
  bool drained = false;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        drained = co_await batcher.drain(10s);
        batcher.stop();
      },
      asio::detached);
  run_for(15s);
  EXPECT_TRUE(drained);
  EXPECT_EQ(attempts.load(), 3);
  EXPECT_EQ(stored, (std::vector<int>{0, 1, 2, 3, 4}));  // nothing lost, order kept
}

TEST_F(BatcherTest, AFailedFlushFailsEveryWaiterOfThatBatch) {
  Batcher<int, int> batcher(
      io_, db_,
      [](pg::Connection&, const std::vector<int>&) -> Expected<std::vector<int>> {
        return make_error(ErrorKind::conflict, "deadlock detected");
      },
      BatcherSettings{.max_batch = 10, .lanes = 1});
  batcher.start();
  int failures = 0;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto result = co_await batcher.submit(1);
          if (!result && result.error().kind == ErrorKind::conflict) ++failures;
          if (failures == 3) batcher.stop();
        },
        asio::detached);
  }
  run_for(10s);
  EXPECT_EQ(failures, 3);
}

TEST(SendGateTest, NeverMoreThanCapacityAndWaitersServedInOrder) {
  asio::io_context io;
  SendGate gate(io, 2);
  int inside = 0, most = 0;
  std::vector<int> order;
  for (int i = 0; i < 6; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          co_await gate.acquire();
          ++inside;
          most = std::max(most, inside);
          order.push_back(i);
          asio::steady_timer hold(io);
          hold.expires_after(5ms);
          co_await hold.async_wait(asio::use_awaitable);
          --inside;
          gate.release();
        },
        asio::detached);
  }
  io.run_for(5s);
  EXPECT_EQ(most, 2);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(gate.in_use(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);
}

}  // namespace
}  // namespace disparo::dispatch::test
