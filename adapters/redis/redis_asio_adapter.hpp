// Hooks one hiredis 0.14.1 async context into a standalone-Asio io_context.
//
// Private to adapters/redis (it names hiredis types). hiredis 0.14.1 asks its event loop for five
// hooks (addRead, delRead, addWrite, delWrite, cleanup); this file implements them with an
// asio::posix::stream_descriptor waiting for readiness on the context's socket and calling
// redisAsyncHandleRead/Write. Use from the io_context's thread only.
#pragma once

#include <asio/any_io_executor.hpp>

struct redisAsyncContext;

namespace disparo::redis::detail {

// Installs the hooks on `context`, whose socket must already exist (after redisAsyncConnect
// without error). Returns false when something is already attached or the socket cannot be
// registered with the loop; the context is then untouched and the caller still frees it.
// The hooks own their state and release it in hiredis' cleanup hook, when the context is freed.
bool attach_to_asio(redisAsyncContext& context, const asio::any_io_executor& executor);

}  // namespace disparo::redis::detail
