// HTTP/1.1 server on standalone Asio with C++20 coroutines.
//
// One coroutine owns one connection and loops read -> handle -> write, with a deadline before
// each read and write (STYLE.md, rule 5); keep-alive and pipelining-safe; bounded headers,
// body and connection count. Two-stage shutdown: stop() stops accepting and lets requests in
// flight finish, then closes idle connections. All methods are called from the io_context's
// thread (the server lives on one strand: the io_context is run by one thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "adapters/http/codec.hpp"
#include "adapters/http/message.hpp"

namespace disparo::http {

using Handler = std::function<asio::awaitable<Response>(Request)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;  // 0 = any free port (tests); port() tells which
  ParseLimits limits{};
  std::chrono::milliseconds read_timeout{30'000};   // idle keep-alive and slow clients
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 10'000;
};

class Server {
 public:
  Server(asio::io_context& io, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (throws std::system_error on bind failure: a start-up error),
  // then starts accepting in a detached coroutine.
  void start();
  unsigned short port() const;
  // Stage 1: stop accepting; idle connections close; busy ones finish their current request.
  void stop();
  std::size_t open_connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace disparo::http
