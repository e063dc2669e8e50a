// offload(): work runs on the pool while the event loop goes on, and the caller resumes on the
// event loop's thread with the work's result.
#include "dispatcher/offload.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace disparo::dispatch {
namespace {

struct Observed {
  std::thread::id work_thread;
  std::thread::id resumed_thread;
  std::string result;
  bool work_saw_release = false;
};

// The work waits for a signal that only the event loop's timer gives: if offload() ran it on the
// loop's thread (or blocked the loop until it ended), the signal would never come.
asio::awaitable<void> offload_waiting_for_loop(asio::thread_pool& pool, std::shared_future<void> released,
                                               Observed& observed) {
  auto work = [&observed, released] {
    observed.work_thread = std::this_thread::get_id();
    observed.work_saw_release = released.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    return std::string("serialized");
  };
  observed.result = co_await offload(pool, std::move(work));
  observed.resumed_thread = std::this_thread::get_id();
}

TEST(Offload, TheEventLoopKeepsRunningWhileTheWorkRuns) {
  asio::io_context io;
  asio::thread_pool pool(1);
  std::promise<void> release;
  Observed observed;
  asio::co_spawn(io, offload_waiting_for_loop(pool, release.get_future().share(), observed), asio::detached);
  asio::steady_timer timer(io, std::chrono::milliseconds(20));
  timer.async_wait([&release](std::error_code) { release.set_value(); });
  io.run();
  pool.join();

  EXPECT_TRUE(observed.work_saw_release) << "the loop's timer did not fire while the work ran";
  EXPECT_EQ(observed.result, "serialized");
  EXPECT_NE(observed.work_thread, std::this_thread::get_id()) << "the work ran on the event loop's thread";
  EXPECT_EQ(observed.resumed_thread, std::this_thread::get_id()) << "the caller did not resume on its loop";
}

asio::awaitable<void> offload_move_only(asio::thread_pool& pool, std::unique_ptr<int>& out) {
  auto work = [] { return std::make_unique<int>(42); };
  out = co_await offload(pool, std::move(work));
}

TEST(Offload, CarriesMoveOnlyResults) {
  asio::io_context io;
  asio::thread_pool pool(1);
  std::unique_ptr<int> out;
  asio::co_spawn(io, offload_move_only(pool, out), asio::detached);
  io.run();
  pool.join();
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(*out, 42);
}

}  // namespace
}  // namespace disparo::dispatch
