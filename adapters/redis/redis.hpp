// Redis client over hiredis' async API, driven by the dispatcher's standalone-Asio loop.
//
// hiredis 0.14.1 is hooked into Asio by redis_asio_adapter.cpp (addRead/delRead/addWrite/
// delWrite/cleanup; it has no timer hook, so deadlines are Asio timers here). Replies are copied
// into plain Reply values inside the callback because hiredis frees them when it returns.
// hiredis.h stays out of this header. Use from the io_context's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
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
};

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  std::string password;  // empty: no AUTH
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds command_timeout{2'000};
};

class Client {
 public:
  Client(asio::io_context& io, Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects (and AUTHs when a password is set). Safe to call again after a disconnect.
  asio::awaitable<Expected<void>> connect();
  // Runs one command; reconnects first when disconnected. A Redis error reply is a value of
  // Type::error, not an Error; Error is for connection failures (unavailable) and timeouts.
  asio::awaitable<Expected<Reply>> command(std::vector<std::string> argv);
  bool connected() const;
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace disparo::redis
