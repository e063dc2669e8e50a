// Redis client over hiredis' async API, driven by the dispatcher's standalone-Asio loop.
//
// hiredis 0.14.1 is hooked into Asio by redis_asio_adapter.cpp (addRead/delRead/addWrite/
// delWrite/cleanup; it has no timer hook, so deadlines are Asio timers here). Replies are copied
// into plain Reply values inside the callback because hiredis frees them when it returns.
// hiredis.h stays out of this header. Use from the io_context's thread only, and destroy the
// Client before its io_context (like any Asio I/O object).
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "common/expected.hpp"

namespace disparo::redis {

struct Reply {
  enum class Type { nil, integer, string, status, array, error };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string text;             // string, status or error text
  std::vector<Reply> elements;  // array

  bool operator==(const Reply&) const = default;
};

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  std::string password;  // empty: no AUTH
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds command_timeout{2'000};
};

// Anything usable as one command argument: std::string, std::string_view, a string literal.
template <class T>
concept CommandArgument = std::convertible_to<const T&, std::string_view>;

class Client {
 public:
  Client(asio::io_context& io, Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects (and AUTHs when a password is set) within connect_timeout: unavailable (refused,
  // unresolvable, lost), timeout, or unauthorized (AUTH refused). Returns at once when connected;
  // callers arriving while an attempt runs share it. Safe to call again after a disconnect or
  // close(), and re-enables automatic reconnection after close().
  asio::awaitable<Expected<void>> connect();
  // Runs one command (argv is binary safe); when disconnected, first makes one connect attempt.
  // A Redis error reply is a value of Type::error, not an Error; Error is for connection
  // failures (unavailable, also for commands pending when the connection drops), timeouts
  // (command_timeout passed or the caller cancelled; a late reply is discarded) and an empty
  // argv (invalid_argument). A command is never re-sent: after unavailable or timeout it may or
  // may not have run.
  asio::awaitable<Expected<Reply>> command(std::vector<std::string> argv);
  // The same for a fixed argument list: co_await client.command("SET", key, value). Prefer it
  // inside coroutines: gcc 12 rejects a braced list in a co_await expression ("array used as
  // initializer"), so command({"GET", key}) only compiles outside one.
  template <CommandArgument... Args>
  asio::awaitable<Expected<Reply>> command(std::string_view name, const Args&... args) {
    return command(
        std::vector<std::string>{std::string(name), std::string(std::string_view(args))...});
  }
  // True while a connection is established (and authenticated). A drop is noticed when the
  // loop next reads the socket.
  bool connected() const;
  // Drops the connection now: pending commands complete with unavailable and no automatic
  // reconnection happens until connect() is called. Let in-flight work finish first for a
  // graceful stop. The destructor does the same.
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace disparo::redis
