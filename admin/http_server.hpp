// HttpServer: the admin's HTTP/1.1 listener on Boost.Beast, one coroutine per connection.
//
// In the style of Beast's example/http/server/awaitable: each connection loops read -> handle ->
// write with a deadline before every socket operation (tcp_stream::expires_after), a header and
// body limit, keep-alive, and a bound on open connections. A response with a BodySource is sent
// piece by piece (chunked, or with Content-Length when its size is known). Shutdown has two
// stages: shutdown() stops accepting, closes idle connections and lets busy ones finish their
// current response;
// close_all() (after `shutdown_grace`, or on a second signal) closes whatever is left.
//
// Every member function must be called on the server's executor, which must be single-threaded
// (an io_context run by one thread): the session registry has no lock. The handler may offload
// blocking work to other threads but must resume on that executor before returning.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "admin/http_types.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace disparo::admin {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (tests)
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_connections = 1024;
  std::chrono::milliseconds read_timeout{30'000};   // per request, from the first byte awaited
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};
};

// Produces the response to one complete request. Must not throw for expected failures; an
// exception is logged and answered with a 500 problem.
using RequestHandler = std::function<boost::asio::awaitable<Response>(Request&)>;

class HttpServer {
 public:
  HttpServer(boost::asio::any_io_executor executor, ServerOptions options, RequestHandler handler,
             log::Logger& logger);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. `unavailable` when the address cannot be resolved or bound.
  Expected<void> listen();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Spawns the accept loop. Call once, after listen().
  void start();

  // Stage 1 of shutdown (idempotent).
  void shutdown();
  // Stage 2: closes every connection now.
  void close_all();
  // Called once when, after shutdown(), the listener is closed and no connection is left.
  void on_drained(std::function<void()> callback) { on_drained_ = std::move(callback); }

  bool draining() const { return draining_; }
  std::size_t open_connections() const { return sessions_.size(); }

 private:
  struct SessionState {
    boost::beast::tcp_stream* stream;
    bool busy = false;  // between a complete request and the end of its response
  };

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<Response> respond(Request& request);
  // Sends a response whose body comes from response.stream; false when the connection must close.
  boost::asio::awaitable<bool> write_streamed(boost::beast::tcp_stream& stream, Response& response);
  void session_ended();

  boost::asio::any_io_executor executor_;
  ServerOptions options_;
  RequestHandler handler_;
  log::Logger& log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer grace_timer_;
  std::list<SessionState> sessions_;
  bool draining_ = false;
  bool drained_ = false;
  std::function<void()> on_drained_;
};

}  // namespace disparo::admin
