// Database: runs blocking PostgreSQL work on a worker pool and resumes the calling coroutine on
// its own executor, so the dispatcher's event loop never blocks on libpq (DESIGN.md).
//
// run(f) borrows a pooled connection on a worker thread, calls f(pg::Connection&) -> Expected<T>
// there, and co_returns its result. Call from the io_context's thread.
#pragma once

#include <optional>
#include <type_traits>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/postgres/pool.hpp"

namespace disparo::dispatch {

class Database {
 public:
  Database(pg::Pool& pool, asio::thread_pool& workers) : pool_(pool), workers_(workers) {}

  template <class F>
  auto run(F work) -> asio::awaitable<std::invoke_result_t<F&, pg::Connection&>> {
    using Result = std::invoke_result_t<F&, pg::Connection&>;
    // co_spawn's completion needs a default-constructible value: carry it in an optional.
    std::optional<Result> result = co_await asio::co_spawn(
        workers_.get_executor(),
        [this, &work]() -> asio::awaitable<std::optional<Result>> {
          auto lease = pool_.acquire();
          if (!lease) co_return std::optional<Result>(Result(lease.error()));
          co_return std::optional<Result>(work(**lease));
        },
        asio::use_awaitable);
    co_return std::move(*result);
  }

  pg::Pool& pool() { return pool_; }

 private:
  pg::Pool& pool_;
  asio::thread_pool& workers_;
};

}  // namespace disparo::dispatch
