// offload: runs a blocking or CPU-heavy function on a worker pool and resumes the calling
// coroutine on its own executor, so the dispatcher's single event-loop thread keeps serving
// timers and sockets meanwhile (a session's send due in 1 ms must not wait behind it).
//
// co_await offload(pool, f) calls f() on one of the pool's threads and co_returns its result.
// f must not touch state owned by the event-loop thread.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

namespace disparo::dispatch {

template <class F>
auto offload(asio::thread_pool& pool, F work) -> asio::awaitable<std::invoke_result_t<F&>> {
  using Result = std::invoke_result_t<F&>;
  // co_spawn's completion needs a default-constructible value: carry it in an optional.
  std::optional<Result> result = co_await asio::co_spawn(
      pool.get_executor(),
      [&work]() -> asio::awaitable<std::optional<Result>> { co_return std::optional<Result>(work()); },
      asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace disparo::dispatch
