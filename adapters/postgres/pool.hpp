// Pool: a fixed set of PostgreSQL connections shared by worker threads.
//
// acquire() blocks the calling worker thread until a connection is free (or the timeout
// passes) and reconnects broken connections lazily. Thread-safe. Loop threads never call it:
// they hand the work to a worker pool (dispatcher/offload.hpp, admin/offload.hpp).
// A connection given back broken, or still inside a transaction block, is closed (the server
// rolls the transaction back) and reopened by a later acquire(). Leases must not outlive the Pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"

namespace disparo::pg {

class Pool;

// A borrowed connection; returns itself to the pool when destroyed.
class Lease {
 public:
  Lease(Pool* pool, std::size_t slot, Connection* conn) : pool_(pool), slot_(slot), conn_(conn) {}
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_; }

 private:
  Pool* pool_;
  std::size_t slot_;
  Connection* conn_;
};

class Pool {
 public:
  Pool(std::string conninfo, std::size_t size);  // size >= 1; connects nothing yet
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Waits up to `timeout` for a free, open connection (opening one if needed). Errors: kind
  // `timeout` when none became free in time; the open error (`unavailable`) when opening failed.
  Expected<Lease> acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  std::size_t size() const { return slots_.size(); }

 private:
  friend class Lease;
  void release(std::size_t slot);
  std::optional<std::size_t> free_slot() const;  // under mutex_

  std::string conninfo_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::optional<Connection>> slots_;
  std::vector<bool> busy_;
};

}  // namespace disparo::pg
