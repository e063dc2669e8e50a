// offload: runs a blocking callable (libpq, file I/O) on a worker thread_pool and resumes the
// calling coroutine on the executor it came from.
//
// Use from a coroutine running on the admin's io_context. The callable runs on a worker thread
// and must not touch anything owned by the loop (sockets, timers, the session registry); it gets
// its inputs by value or by reference to objects that are themselves thread-safe (pg::Pool).
//
// GCC 12 trap: a lambda (or aggregate) with owning captures written as a temporary inside a
// co_await expression -- `co_await offload(pool, [s = std::move(s)] {...})` -- is miscompiled
// (its members are freed from a wrong address: "munmap_chunk(): invalid pointer"). Bind the
// callable to a named local first and pass std::move(local). admin_test checks the pattern.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace disparo::admin {

// Runs `fn()` on `workers` and returns its result on the original executor. An exception thrown
// by `fn` (a bug) is rethrown in the coroutine, also on the original executor.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool& workers, F fn) {
  using Result = std::invoke_result_t<F&>;
  auto original = co_await boost::asio::this_coro::executor;
  // While the coroutine is away, nothing else may keep the io_context alive; without this
  // guard run() could return and the post back below would never execute.
  auto keep_loop_alive = boost::asio::make_work_guard(original);

  // The awaitable's completion handler is bound to the pool, so the coroutine body itself
  // continues on a worker thread (a plain post(pool, use_awaitable) would resume on `original`).
  auto on_worker = boost::asio::bind_executor(workers, boost::asio::use_awaitable);
  co_await boost::asio::post(std::move(on_worker));

  std::exception_ptr failure;
  std::optional<std::conditional_t<std::is_void_v<Result>, bool, Result>> value;
  try {
    if constexpr (std::is_void_v<Result>) {
      fn();
      value.emplace(true);
    } else {
      value.emplace(fn());
    }
  } catch (...) {
    failure = std::current_exception();
  }

  auto back_home = boost::asio::bind_executor(original, boost::asio::use_awaitable);
  co_await boost::asio::post(std::move(back_home));
  keep_loop_alive.reset();
  if (failure) std::rethrow_exception(failure);
  if constexpr (!std::is_void_v<Result>) co_return std::move(*value);
}

// Like offload, but gives up waiting after `deadline`: returns std::nullopt then, while the
// callable finishes in the background (blocking work cannot be interrupted). Used by /readyz,
// which must answer within a bound even when the database hangs. `fn` must own or outlive all it
// touches after the deadline, and must not throw.
template <class F>
boost::asio::awaitable<std::optional<std::invoke_result_t<F&>>> offload_within(
    boost::asio::thread_pool& workers, std::chrono::milliseconds deadline, F fn) {
  using Result = std::invoke_result_t<F&>;
  static_assert(!std::is_void_v<Result>, "offload_within needs a result");

  // Shared between the coroutine (loop thread) and the completion (posted back to the loop
  // thread), so only the loop thread reads or writes it after creation.
  struct Race {
    std::optional<Result> result;
    boost::asio::steady_timer* timer = nullptr;  // null once the coroutine stopped waiting
  };
  auto original = co_await boost::asio::this_coro::executor;
  auto race = std::make_shared<Race>();
  boost::asio::steady_timer timer(original, deadline);
  race->timer = &timer;

  boost::asio::post(workers, [race, original, fn = std::move(fn)]() mutable {
    auto value = fn();
    boost::asio::post(original, [race, value = std::move(value)]() mutable {
      if (race->timer == nullptr) return;  // too late: the coroutine answered already
      race->result.emplace(std::move(value));
      race->timer->cancel();
    });
  });

  (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  race->timer = nullptr;
  co_return std::move(race->result);
}

}  // namespace disparo::admin
