// offload(): work runs on a worker thread, the coroutine resumes on its own executor, results
// and exceptions come back; offload_within() gives up at its deadline. Every test runs its
// io_context under a deadline.
#include "admin/offload.hpp"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace disparo::admin {
namespace {

using namespace std::chrono_literals;

// Runs `coro` to completion on `ioc`, failing the test if it takes longer than `deadline`.
template <class Awaitable>
void run_under_deadline(boost::asio::io_context& ioc, Awaitable coro,
                        std::chrono::milliseconds deadline = 5s) {
  bool done = false;
  std::exception_ptr failure;
  boost::asio::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  ioc.run_for(deadline);
  ASSERT_TRUE(done) << "coroutine did not finish within the deadline";
  if (failure) std::rethrow_exception(failure);
}

struct Owned {  // an aggregate with owning members: the GCC 12 trap of offload.hpp
  std::string slug;
  std::string name;
  std::vector<std::string> tags;
};

TEST(Offload, RunsOnAWorkerAndResumesOnTheLoopThread) {
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers(2);
  const auto loop_thread = std::this_thread::get_id();
  std::thread::id work_thread, resumed_thread;
  std::string result;

  run_under_deadline(ioc, [&]() -> boost::asio::awaitable<void> {
    Owned owned{"acme-with-a-long-slug-beyond-sso", "Acme IPTV", {"a", "b"}};
    auto job = [owned = std::move(owned), &work_thread]() {
      work_thread = std::this_thread::get_id();
      return owned.slug + "/" + owned.name + "/" + owned.tags[1];
    };
    result = co_await offload(workers, std::move(job));
    resumed_thread = std::this_thread::get_id();
  }());

  EXPECT_EQ(result, "acme-with-a-long-slug-beyond-sso/Acme IPTV/b");
  EXPECT_NE(work_thread, loop_thread);
  EXPECT_EQ(resumed_thread, loop_thread);
  workers.join();
}

TEST(Offload, VoidWorkAndExceptions) {
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers(1);
  int calls = 0;
  bool caught = false;
  const auto loop_thread = std::this_thread::get_id();
  std::thread::id caught_on;

  run_under_deadline(ioc, [&]() -> boost::asio::awaitable<void> {
    auto count = [&calls] { ++calls; };
    co_await offload(workers, count);
    auto fail = []() -> int { throw std::runtime_error("bug"); };
    try {
      (void)co_await offload(workers, fail);
    } catch (const std::runtime_error&) {
      caught = true;
      caught_on = std::this_thread::get_id();
    }
  }());

  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(caught);
  EXPECT_EQ(caught_on, loop_thread);
  workers.join();
}

TEST(Offload, KeepsTheLoopAliveWhileAway) {
  // While the work runs, the io_context has nothing else to do: run() must not return then.
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers(1);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  bool finished = false;
  boost::asio::co_spawn(ioc, [&]() -> boost::asio::awaitable<void> {
    auto wait = [&started, released] {
      started.set_value();
      released.wait();
      return 7;
    };
    EXPECT_EQ(co_await offload(workers, wait), 7);
    finished = true;
  }, boost::asio::detached);
  std::thread releaser([&] {
    started.get_future().wait();
    release.set_value();
  });
  ioc.run_for(5s);
  releaser.join();
  EXPECT_TRUE(finished);
  workers.join();
}

TEST(OffloadWithin, ReturnsTheValueWhenInTime) {
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers(1);
  std::optional<int> got;
  run_under_deadline(ioc, [&]() -> boost::asio::awaitable<void> {
    auto quick = []() noexcept { return 42; };
    got = co_await offload_within(workers, 5s, quick);
  }());
  EXPECT_EQ(got, 42);
  workers.join();
}

TEST(OffloadWithin, GivesUpAtTheDeadline) {
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers(1);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::optional<int> got = 0;
  const auto started = std::chrono::steady_clock::now();
  run_under_deadline(ioc, [&]() -> boost::asio::awaitable<void> {
    auto stuck = [released]() noexcept { released.wait(); return 1; };
    got = co_await offload_within(workers, 50ms, stuck);
  }());
  EXPECT_FALSE(got.has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  release.set_value();  // let the straggler finish; its answer is dropped
  workers.join();
  ioc.restart();
  ioc.run_for(1s);  // runs the late completion, which must find nobody waiting
}

}  // namespace
}  // namespace disparo::admin
