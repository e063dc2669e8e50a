// pg::Pool against a live server: sharing between threads, exhaustion, reconnection.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/postgres/pool.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::pg {
namespace {

using namespace std::chrono_literals;

std::string backend_pid(Lease& lease) {
  auto rows = lease->exec("SELECT pg_backend_pid()");
  EXPECT_TRUE(rows) << rows.error().message;
  return rows ? std::string(rows->text(0, 0)) : std::string();
}

void terminate_backend(const test::TestDatabase& db, const std::string& pid) {
  Connection killer = db.connect();
  // The second argument makes the call wait until the backend is gone (PostgreSQL >= 14).
  auto killed = killer.exec("SELECT pg_terminate_backend($1::int, 5000)", {pid});
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_TRUE(killed->boolean(0, 0));
}

TEST(Pool, SharesFixedConnectionsBetweenThreads) {
  test::TestDatabase db;
  Pool pool(db.url(), 3);
  {
    Connection setup = db.connect();
    ASSERT_TRUE(setup.exec_script("CREATE TABLE hits (pid int, n int)"));
  }
  std::atomic<int> in_use{0};
  std::atomic<int> most_in_use{0};
  std::atomic<int> failures{0};
  std::mutex pids_mutex;
  std::set<std::string> pids;
  constexpr int kThreads = 8;
  constexpr int kRounds = 40;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kRounds; ++i) {
          auto lease = pool.acquire(10s);
          if (!lease) {
            ++failures;
            continue;
          }
          const int now = ++in_use;
          for (int seen = most_in_use.load(); now > seen && !most_in_use.compare_exchange_weak(seen, now);) {
          }
          auto rows = (*lease)->exec("INSERT INTO hits VALUES (pg_backend_pid(), $1) RETURNING pid",
                                     {std::to_string(t * kRounds + i)});
          if (!rows) {
            ++failures;
          } else {
            std::lock_guard lock(pids_mutex);
            pids.insert(std::string(rows->text(0, 0)));
          }
          --in_use;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_in_use.load(), 3);
  EXPECT_GE(most_in_use.load(), 1);
  EXPECT_LE(pids.size(), 3u);  // never more backends than slots
  Connection check = db.connect();
  auto rows = check.exec("SELECT count(*), count(DISTINCT n) FROM hits");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), kThreads * kRounds);
  EXPECT_EQ(rows->int64(0, 1), kThreads * kRounds);
}

TEST(Pool, TimesOutWhenExhaustedAndWakesWaiterOnRelease) {
  test::TestDatabase db;
  Pool pool(db.url(), 1);
  auto held = pool.acquire();
  ASSERT_TRUE(held) << held.error().message;

  const auto before = std::chrono::steady_clock::now();
  auto none = pool.acquire(100ms);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - before, 100ms);

  // A waiter with a long timeout gets the connection as soon as the holder gives it back.
  std::atomic<bool> waiting{false};
  Expected<std::string> waiter_pid = make_error(ErrorKind::internal, "not run");
  std::thread waiter([&] {
    waiting = true;
    auto lease = pool.acquire(30s);
    if (!lease) {
      waiter_pid = lease.error();
      return;
    }
    waiter_pid = backend_pid(*lease);
  });
  while (!waiting) std::this_thread::yield();
  // Not observable from outside: give the waiter time to block inside acquire(), so that the
  // release below must wake it (a lost wake-up would leave it waiting its full 30 s).
  std::this_thread::sleep_for(100ms);
  const std::string holder_pid = backend_pid(*held);
  { auto release = std::move(*held); }  // the moved-to lease gives the slot back here
  const auto released_at = std::chrono::steady_clock::now();
  waiter.join();
  ASSERT_TRUE(waiter_pid) << waiter_pid.error().message;
  EXPECT_EQ(*waiter_pid, holder_pid);  // same connection reused, not reopened
  EXPECT_LT(std::chrono::steady_clock::now() - released_at, 10s);
}

TEST(Pool, ReconnectsAfterIdleConnectionWasTerminated) {
  test::TestDatabase db;
  Pool pool(db.url(), 1);
  std::string first_pid;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    first_pid = backend_pid(*lease);
  }
  terminate_backend(db, first_pid);

  // The pool notices the dead idle connection on acquire and hands out a fresh one.
  auto lease = pool.acquire();
  ASSERT_TRUE(lease) << lease.error().message;
  const std::string second_pid = backend_pid(*lease);
  EXPECT_FALSE(second_pid.empty());
  EXPECT_NE(second_pid, first_pid);
}

TEST(Pool, DropsConnectionThatBrokeDuringLease) {
  test::TestDatabase db;
  Pool pool(db.url(), 1);
  std::string first_pid;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    first_pid = backend_pid(*lease);
    terminate_backend(db, first_pid);
    auto failed = (*lease)->exec("SELECT 1");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().kind, ErrorKind::unavailable);
    EXPECT_FALSE((*lease)->is_open());
  }
  auto lease = pool.acquire();
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_NE(backend_pid(*lease), first_pid);
}

TEST(Pool, ClosesConnectionReturnedInsideTransaction) {
  test::TestDatabase db;
  {
    Connection setup = db.connect();
    ASSERT_TRUE(setup.exec_script("CREATE TABLE t (v int)"));
  }
  Pool pool(db.url(), 1);
  std::string first_pid;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    first_pid = backend_pid(*lease);
    ASSERT_TRUE((*lease)->exec_script("BEGIN; INSERT INTO t VALUES (1)"));
    // The borrower "forgets" to commit.
  }
  auto lease = pool.acquire();
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_NE(backend_pid(*lease), first_pid);
  auto rows = (*lease)->exec("SELECT count(*) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), 0);  // the half-done transaction was rolled back
}

TEST(Pool, OpenFailureIsReportedAndFreesTheSlot) {
  Pool pool("postgresql://postgres@127.0.0.1:1/postgres", 1);
  for (int i = 0; i < 2; ++i) {  // the second call would time out if the slot stayed busy
    auto lease = pool.acquire(2s);
    ASSERT_FALSE(lease);
    EXPECT_EQ(lease.error().kind, ErrorKind::unavailable) << lease.error().message;
  }
}

TEST(Pool, ZeroSizeIsABug) {
  EXPECT_THROW(Pool("postgresql://127.0.0.1:1/x", 0), std::invalid_argument);
}

}  // namespace
}  // namespace disparo::pg
