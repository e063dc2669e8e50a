// Database: runs blocking PostgreSQL work on a worker pool and resumes the calling coroutine on
// its own executor, so the dispatcher's event loop never blocks on libpq (DESIGN.md).
//
// run(f) borrows a pooled connection on a worker thread, calls f(pg::Connection&) -> Expected<T>
// there, and co_returns its result. Call from the io_context's thread.
#pragma once

#include <type_traits>

#include <asio/awaitable.hpp>
#include <asio/thread_pool.hpp>

#include "adapters/postgres/pool.hpp"
#include "dispatcher/offload.hpp"

namespace disparo::dispatch {

class Database {
 public:
  Database(pg::Pool& pool, asio::thread_pool& workers) : pool_(pool), workers_(workers) {}

  template <class F>
  auto run(F work) -> asio::awaitable<std::invoke_result_t<F&, pg::Connection&>> {
    using Result = std::invoke_result_t<F&, pg::Connection&>;
    auto on_connection = [this, &work]() -> Result {
      auto lease = pool_.acquire();
      if (!lease) return Result(lease.error());
      return work(**lease);
    };
    co_return co_await offload(workers_, std::move(on_connection));
  }

  pg::Pool& pool() { return pool_; }
  asio::thread_pool& workers() { return workers_; }

 private:
  pg::Pool& pool_;
  asio::thread_pool& workers_;
};

}  // namespace disparo::dispatch
