// Pool: slots are claimed under the mutex, but connecting, probing and closing happen outside
// it, by the thread that holds the slot, so one slow connect never stalls the other workers.
#include "adapters/postgres/pool.hpp"

#include <stdexcept>
#include <utility>

namespace disparo::pg {

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), slot_(other.slot_), conn_(other.conn_) {}

Lease::~Lease() {
  if (pool_) pool_->release(slot_);
}

Pool::Pool(std::string conninfo, std::size_t size)
    : conninfo_(std::move(conninfo)), slots_(size), busy_(size, false) {
  if (size == 0) throw std::invalid_argument("pg::Pool needs at least one connection");
}

std::optional<std::size_t> Pool::free_slot() const {
  // Prefer a slot that already holds a connection: opening one costs a round trip and a backend.
  std::optional<std::size_t> empty;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (busy_[i]) continue;
    if (slots_[i]) return i;
    if (!empty) empty = i;
  }
  return empty;
}

Expected<Lease> Pool::acquire(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  std::optional<std::size_t> slot;
  const bool got = freed_.wait_until(lock, deadline, [&] { return (slot = free_slot()).has_value(); });
  if (!got) {
    return make_error(ErrorKind::timeout, "no PostgreSQL connection became free within " +
                                              std::to_string(timeout.count()) + " ms (pool of " +
                                              std::to_string(slots_.size()) + ")");
  }
  busy_[*slot] = true;
  lock.unlock();

  // The slot is ours now: nobody else touches slots_[*slot] until release().
  std::optional<Connection>& conn = slots_[*slot];
  if (conn && !conn->check_alive()) conn.reset();
  if (!conn) {
    auto opened = Connection::open(conninfo_);
    if (!opened) {
      {
        std::lock_guard relock(mutex_);
        busy_[*slot] = false;
      }
      freed_.notify_one();
      return std::move(opened).error();
    }
    conn.emplace(std::move(*opened));
  }
  return Lease(this, *slot, &*conn);
}

void Pool::release(std::size_t slot) {
  std::optional<Connection>& conn = slots_[slot];
  // Broken, or left inside a transaction by a borrower that failed half-way: closing is the
  // one reset that always works (the server rolls back), and the next acquire reopens.
  if (conn && !conn->is_idle()) conn.reset();
  {
    std::lock_guard lock(mutex_);
    busy_[slot] = false;
  }
  freed_.notify_one();
}

}  // namespace disparo::pg
