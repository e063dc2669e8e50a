// HTTP/1.1 server: an accept loop and one coroutine per connection (read -> handle -> write).
//
// Deadlines use one watchdog coroutine per connection rather than racing every read against a
// timer: Asio 1.22.1's `read || timer` does not end the race when the read fails, and a
// per-operation timer costs a cancel and a queued handler per request. The watchdog sleeps until
// the connection's current deadline and closes the socket once it has passed; a request only
// moves the deadline (a store), so the hot path touches no timer.
#include "adapters/http/server.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <string>
#include <system_error>
#include <unordered_set>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#if defined(BOOST_ASIO_VERSION)
#error "standalone Asio side: Boost.Asio must not be included here"
#endif

namespace disparo::http {
namespace {

using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

constexpr std::size_t kInitialReadBuffer = 16 * 1024;
// After an error answer the server half-closes and reads (and drops) what the client is still
// sending, so the client sees the answer instead of a reset caused by unread data.
constexpr std::size_t kLingerBytes = 256 * 1024;
constexpr std::chrono::milliseconds kLingerTime{1'000};
constexpr std::chrono::milliseconds kAcceptBackoff{50};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)), watchdog(socket.get_executor()) {}

  void close() {
    if (closed) return;
    closed = true;
    std::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    watchdog.cancel();
  }

  tcp::socket socket;
  asio::steady_timer watchdog;
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  bool idle = true;  // waiting for the first byte of a request: stop() may close it at once
  bool closed = false;
};

}  // namespace

// The server's state, named outside Server so the coroutines below can hold it; Server::State
// (private in the header) is this type.
namespace server_detail {

struct ServerCore {
  ServerCore(asio::io_context& io_context, ServerOptions opts, Handler h)
      : io(io_context),
        options(std::move(opts)),
        handler(std::move(h)),
        acceptor(io_context),
        accept_gate(io_context) {}

  asio::io_context& io;
  ServerOptions options;
  Handler handler;
  tcp::acceptor acceptor;
  asio::steady_timer accept_gate;  // the accept loop sleeps here while max_connections are open
  std::unordered_set<Connection*> connections;  // owned by their coroutines
  unsigned short port = 0;
  bool started = false;
  bool stopping = false;
};

}  // namespace server_detail

struct Server::State : server_detail::ServerCore {
  using ServerCore::ServerCore;
};

namespace {

using StatePtr = std::shared_ptr<server_detail::ServerCore>;

// Every deadline set is at least `period` after the moment it is set and the watchdog never
// sleeps longer than `period`, so it always wakes by the deadline, however the deadline moved.
asio::awaitable<void> watch(std::shared_ptr<Connection> c, SteadyClock::duration period) {
  while (!c->closed) {
    const auto now = SteadyClock::now();
    if (c->deadline <= now) {
      c->close();
      break;
    }
    c->watchdog.expires_at(c->deadline - now > period ? now + period : c->deadline);
    co_await c->watchdog.async_wait(use_nothrow);
  }
}

// Sends a final error answer, half-closes, and drains for a bounded time (see kLingerBytes).
asio::awaitable<void> answer_and_close(Connection& c, const Response& response, std::string& out) {
  out.clear();
  append_serialized(out, response);
  c.deadline = SteadyClock::now() + kLingerTime;
  auto [ec, written] = co_await asio::async_write(c.socket, asio::buffer(out), use_nothrow);
  (void)written;
  if (!ec) {
    std::error_code ignored;
    c.socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 4096> sink{};
    std::size_t drained = 0;
    while (!c.closed && drained < kLingerBytes) {
      auto [rec, n] = co_await c.socket.async_read_some(asio::buffer(sink), use_nothrow);
      if (rec) break;
      drained += n;
    }
  }
  c.close();
}

class ConnectionSession {
 public:
  ConnectionSession(StatePtr state, std::shared_ptr<Connection> c)
      : state_(std::move(state)), c_(std::move(c)), parser_(state_->options.limits) {
    buffer_.resize(std::max<std::size_t>(kInitialReadBuffer, 1024));
  }

  ~ConnectionSession() {
    c_->close();
    state_->connections.erase(c_.get());
    // A slot is free. Once stopping, nobody waits on the gate, and the io_context may be in its
    // destructor (frames destroyed after the server): leave the timer alone then.
    if (!state_->stopping) state_->accept_gate.cancel();
  }
  ConnectionSession(const ConnectionSession&) = delete;
  ConnectionSession& operator=(const ConnectionSession&) = delete;

  asio::awaitable<void> run() {
    for (;;) {
      const ParseStatus status = co_await read_request();
      if (status == ParseStatus::need_more) co_return;  // closed, timed out or stopping
      if (status == ParseStatus::error) {
        Response r = problem_response(400, "malformed-request", "Bad Request",
                                      parser_.error_message());
        r.keep_alive = false;
        co_await answer_and_close(*c_, r, out_);
        co_return;
      }
      if (status == ParseStatus::too_large) {
        Response r = problem_response(413, "request-too-large", "Content Too Large",
                                      "the request header or body exceeds the server's limit");
        r.keep_alive = false;
        co_await answer_and_close(*c_, r, out_);
        co_return;
      }
      if (!co_await handle_one()) co_return;
    }
  }

 private:
  std::string_view pending() const { return {buffer_.data() + begin_, end_ - begin_}; }

  // Feeds buffered bytes to the parser, reading more under the read deadline until a request is
  // complete or fails. need_more means the connection is finished (closed by the peer, by the
  // watchdog, or by stop() while idle).
  asio::awaitable<ParseStatus> read_request() {
    bool continue_sent = false;
    for (;;) {
      if (begin_ != end_) {
        std::size_t consumed = 0;
        const ParseStatus status = parser_.feed(pending(), consumed);
        begin_ += consumed;
        if (begin_ == end_) begin_ = end_ = 0;
        if (status != ParseStatus::need_more) co_return status;
        if (!continue_sent && parser_.expects_continue()) {
          continue_sent = true;
          c_->deadline = SteadyClock::now() + state_->options.write_timeout;
          auto [ec, n] = co_await asio::async_write(c_->socket, asio::buffer(kContinue),
                                                    use_nothrow);
          (void)n;
          if (ec) co_return ParseStatus::need_more;
        }
      }
      c_->idle = !seen_bytes_;
      if (c_->closed || (state_->stopping && c_->idle)) co_return ParseStatus::need_more;
      make_room();
      c_->deadline = SteadyClock::now() + state_->options.read_timeout;
      auto [ec, n] = co_await c_->socket.async_read_some(
          asio::buffer(buffer_.data() + end_, buffer_.size() - end_), use_nothrow);
      if (ec || n == 0) co_return ParseStatus::need_more;
      end_ += n;
      seen_bytes_ = true;
      c_->idle = false;
    }
  }

  // Moves unconsumed bytes to the front, or grows the buffer when they fill it. The parser
  // bounds what stays unconsumed (header_bytes), so the growth is bounded too.
  void make_room() {
    if (end_ < buffer_.size()) return;
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
      return;
    }
    buffer_.resize(buffer_.size() * 2);
  }

  // Runs the handler on one parsed request and writes the answer. False when the connection
  // must close afterwards.
  asio::awaitable<bool> handle_one() {
    Request request = parser_.take();
    seen_bytes_ = begin_ != end_;  // a pipelined request may already be buffered
    c_->idle = false;
    c_->deadline = SteadyClock::time_point::max();  // the handler's time is not the peer's
    const bool head = request.method == "HEAD";
    bool keep_alive = request.keep_alive;

    Response response;
    bool handler_failed = false;
    try {
      response = co_await state_->handler(std::move(request));
    } catch (...) {
      // No logger here: the dispatcher's handler logs its own failures. A throw is a bug, but it
      // costs this request only, not the connection.
      handler_failed = true;
    }
    if (handler_failed) {
      response = problem_response(500, "internal-error", "Internal Server Error",
                                  "the request could not be handled");
    }
    if (response.reset_connection) {
      std::error_code ignored;
      c_->socket.set_option(tcp::socket::linger(true, 0), ignored);  // close() sends RST
      c_->socket.close(ignored);
      c_->close();
      co_return false;
    }
    keep_alive = keep_alive && response.keep_alive && !state_->stopping && !c_->closed;
    response.keep_alive = keep_alive;

    out_.clear();
    append_serialized(out_, response);
    if (head && !response.body.empty()) out_.resize(out_.size() - response.body.size());
    c_->deadline = SteadyClock::now() + state_->options.write_timeout;
    auto [ec, n] = co_await asio::async_write(c_->socket, asio::buffer(out_), use_nothrow);
    (void)n;
    if (out_.capacity() > 64 * 1024) std::string().swap(out_);  // do not pin a large answer
    co_return !ec && keep_alive;
  }

  StatePtr state_;
  std::shared_ptr<Connection> c_;
  RequestParser parser_;
  std::vector<char> buffer_;  // reused for every read on this connection
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool seen_bytes_ = false;  // bytes of the current request have arrived
  std::string out_;          // reused for every answer on this connection
};

asio::awaitable<void> run_connection(StatePtr state, std::shared_ptr<Connection> c) {
  const auto period = std::min(state->options.read_timeout, state->options.write_timeout);
  asio::co_spawn(state->io, watch(c, std::max(period, std::chrono::milliseconds(1))),
                 asio::detached);
  ConnectionSession session(std::move(state), std::move(c));
  co_await session.run();
}

asio::awaitable<void> accept_loop(StatePtr state) {
  while (!state->stopping) {
    if (state->connections.size() >= state->options.max_connections) {
      // Full: leave new clients in the kernel's backlog until a connection closes.
      state->accept_gate.expires_at(SteadyClock::time_point::max());
      co_await state->accept_gate.async_wait(use_nothrow);
      continue;
    }
    auto [ec, socket] = co_await state->acceptor.async_accept(use_nothrow);
    if (state->stopping) break;
    if (ec) {
      if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) break;
      // Out of descriptors or memory: back off instead of spinning on the same error.
      state->accept_gate.expires_after(kAcceptBackoff);
      co_await state->accept_gate.async_wait(use_nothrow);
      continue;
    }
    std::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small answers must not wait for Nagle
    auto c = std::make_shared<Connection>(std::move(socket));
    state->connections.insert(c.get());
    asio::co_spawn(state->io, run_connection(state, std::move(c)), asio::detached);
  }
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, Handler handler)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
  // Connections still busy keep their coroutine (and the state) alive; close them so they end
  // promptly instead of outliving the server's owner.
  std::vector<Connection*> all(state_->connections.begin(), state_->connections.end());
  for (Connection* c : all) c->close();
}

void Server::start() {
  if (state_->started) return;
  tcp::resolver resolver(state_->io);
  const auto endpoints =
      resolver.resolve(state_->options.host, std::to_string(state_->options.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service);
  if (endpoints.empty()) {
    throw std::system_error(std::make_error_code(std::errc::address_not_available),
                            "no address for " + state_->options.host);
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  state_->port = acceptor.local_endpoint().port();
  state_->started = true;
  asio::co_spawn(state_->io, accept_loop(state_), asio::detached);
}

unsigned short Server::port() const { return state_->port; }

void Server::stop() {
  auto& state = *state_;
  state.stopping = true;
  std::error_code ignored;
  state.acceptor.close(ignored);
  state.accept_gate.cancel();
  // Idle connections close now; busy ones see `stopping` after their answer and close then.
  std::vector<Connection*> idle;
  for (Connection* c : state.connections) {
    if (c->idle) idle.push_back(c);
  }
  for (Connection* c : idle) c->close();
}

std::size_t Server::open_connections() const { return state_->connections.size(); }

}  // namespace disparo::http
