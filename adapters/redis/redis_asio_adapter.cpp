#include "adapters/redis/redis_asio_adapter.hpp"

#include <memory>
#include <system_error>
#include <utility>

#include <hiredis/async.h>
#include <asio/posix/stream_descriptor.hpp>

namespace disparo::redis::detail {
namespace {

// One direction of the socket as hiredis sees it.
struct Interest {
  bool wanted = false;  // hiredis asked for this event and has not withdrawn it
  bool armed = false;   // an async_wait is outstanding
};

struct Watcher {
  Watcher(redisAsyncContext& c, const asio::any_io_executor& executor)
      : context(&c), socket(executor) {}
  // The fd belongs to hiredis (redisFree closes it): the descriptor is released, never closed.
  ~Watcher() {
    if (socket.is_open()) socket.release();
  }

  redisAsyncContext* context;  // null once hiredis ran cleanup: the context is being freed
  asio::posix::stream_descriptor socket;
  Interest read;
  Interest write;
};

// ev.data holds a heap WatcherRef that hiredis passes to every hook; pending waits hold copies,
// so a wait completing after cleanup still finds a live Watcher (with context == nullptr).
using WatcherRef = std::shared_ptr<Watcher>;

WatcherRef& watcher_of(void* ev_data) {
  return *static_cast<WatcherRef*>(ev_data);
}

void on_ready(const WatcherRef& w, bool for_read) {
  Interest& interest = for_read ? w->read : w->write;
  interest.armed = false;
  if (w->context == nullptr || !interest.wanted) return;
  // One-shot, as hiredis expects: it asks again after every read, and for writes while output
  // is still buffered. An unexpected wait error is handed to hiredis too, which then reads or
  // writes and reports the real socket error.
  interest.wanted = false;
  if (for_read) {
    redisAsyncHandleRead(w->context);
  } else {
    redisAsyncHandleWrite(w->context);
  }
  // The context may be gone now (error or disconnect); cleanup has then nulled w->context.
}

void arm(const WatcherRef& w, bool for_read) {
  Interest& interest = for_read ? w->read : w->write;
  interest.wanted = true;
  if (interest.armed) return;  // hooks must be idempotent
  interest.armed = true;
  // Level-triggered as hiredis needs (it reads at most 16 KiB per call; the socket is usually
  // writable long before it asks): Asio's epoll reactor registers descriptors edge-triggered, but
  // a wait started with none queued re-arms them with EPOLL_CTL_MOD, which reports a level that is
  // already there. LargeValuesArriveWhole in tests/redis has replies that take many reads.
  w->socket.async_wait(
      for_read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write,
      [w, for_read](const std::error_code&) { on_ready(w, for_read); });
}

void add_read(void* ev_data) {
  arm(watcher_of(ev_data), true);
}
void del_read(void* ev_data) {
  watcher_of(ev_data)->read.wanted = false;
}
void add_write(void* ev_data) {
  arm(watcher_of(ev_data), false);
}
void del_write(void* ev_data) {
  watcher_of(ev_data)->write.wanted = false;
}

// Called by hiredis while it frees the context, right before redisFree closes the fd.
void cleanup(void* ev_data) {
  std::unique_ptr<WatcherRef> owned(static_cast<WatcherRef*>(ev_data));
  Watcher& w = **owned;
  w.context->ev.addRead = nullptr;
  w.context->ev.delRead = nullptr;
  w.context->ev.addWrite = nullptr;
  w.context->ev.delWrite = nullptr;
  w.context->ev.cleanup = nullptr;
  w.context->ev.data = nullptr;
  w.context = nullptr;  // waits still pending find this and do nothing
  // Deregister from epoll and cancel the pending waits, but leave the fd open for hiredis:
  // closing it here would let redisFree close a number the process may already have reused.
  w.socket.release();
}

}  // namespace

bool attach_to_asio(redisAsyncContext& context, const asio::any_io_executor& executor) {
  if (context.ev.data != nullptr) return false;
  auto watcher = std::make_shared<Watcher>(context, executor);
  std::error_code ec;
  watcher->socket.assign(context.c.fd, ec);
  if (ec) return false;
  context.ev.data =
      new WatcherRef(std::move(watcher));  // ownership passes to hiredis: cleanup deletes it
  context.ev.addRead = add_read;
  context.ev.delRead = del_read;
  context.ev.addWrite = add_write;
  context.ev.delWrite = del_write;
  context.ev.cleanup = cleanup;
  return true;
}

}  // namespace disparo::redis::detail
