#include "admin/http_server.hpp"

#include <exception>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "admin/problem.hpp"

namespace disparo::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category();
}

// The answer to a request the parser refused, or nullopt when the connection should just close
// (timeouts, resets, a peer that went away mid-message).
std::optional<Problem> problem_for_read_error(const beast::error_code& ec, std::size_t body_limit) {
  if (ec == beast::http::error::body_limit) return payload_too_large(body_limit);
  if (ec == beast::http::error::header_limit) {
    Problem p;
    p.status = http::status::request_header_fields_too_large;
    p.title = "Request Header Fields Too Large";
    p.detail = "The request headers are too large.";
    return p;
  }
  if (ec == beast::http::error::partial_message) return std::nullopt;
  if (is_parse_error(ec)) return bad_request("The request is not valid HTTP/1.1.");
  return std::nullopt;
}

}  // namespace

HttpServer::HttpServer(asio::any_io_executor executor, ServerOptions options,
                       RequestHandler handler, log::Logger& logger)
    : executor_(executor),
      options_(std::move(options)),
      handler_(std::move(handler)),
      log_(logger),
      acceptor_(executor),
      grace_timer_(executor) {}

Expected<void> HttpServer::listen() {
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    // A host name ("localhost"): resolve once, at start-up, on the calling thread.
    tcp::resolver resolver(executor_);
    auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return make_error(ErrorKind::unavailable, "cannot resolve http.host '" + options_.host + "'");
    }
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](const char* step) -> Expected<void> {
    return make_error(ErrorKind::unavailable,
                      std::string("cannot ") + step + " " + options_.host + ":" +
                          std::to_string(options_.port) + ": " + ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("configure");
  if (acceptor_.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  return {};
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::start() {
  asio::co_spawn(executor_, accept_loop(), [this](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log_.error("http_accept_loop_failed", {{"error", e.what()}});
    }
  });
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) break;
      // Out of descriptors and the like: log and back off briefly instead of spinning.
      log_.warn("http_accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(executor_, std::chrono::milliseconds(100));
      (void)co_await pause.async_wait(kUseTuple);
      continue;
    }
    if (sessions_.size() >= options_.max_connections) {
      log_.warn("http_connection_refused", {{"reason", "max_connections"}});
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(executor_, session(std::move(socket)), [this](std::exception_ptr failure) {
      if (!failure) return;
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        log_.error("http_session_failed", {{"error", e.what()}});
      }
    });
  }
  if (draining_ && sessions_.empty()) session_ended();
}

asio::awaitable<Response> HttpServer::respond(Request& request) {
  try {
    co_return co_await handler_(request);
  } catch (const std::exception& e) {
    log_.error("http_handler_failed", {{"error", e.what()}});
  }
  co_return problem_response(internal_error());
}

asio::awaitable<void> HttpServer::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  auto self = sessions_.insert(sessions_.end(), SessionState{&stream});
  beast::flat_buffer buffer;

  while (!draining_) {
    beast::http::request_parser<beast::http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);

    // One deadline for the whole request: head, optional 100-continue, body.
    stream.expires_after(options_.read_timeout);
    auto [head_ec, head_bytes] =
        co_await beast::http::async_read_header(stream, buffer, parser, kUseTuple);
    (void)head_bytes;
    beast::error_code read_ec = head_ec;
    if (!read_ec) {
      // From here the client is sending a request: shutdown lets it finish.
      self->busy = true;
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        // curl and others wait for this before sending a body larger than 1 KiB.
        beast::http::response<beast::http::empty_body> go_on{http::status::continue_, 11};
        auto [continue_ec, continue_bytes] = co_await beast::http::async_write(stream, go_on, kUseTuple);
        (void)continue_bytes;
        read_ec = continue_ec;
      }
    }
    if (!read_ec && !parser.is_done()) {
      auto [body_ec, body_bytes] = co_await beast::http::async_read(stream, buffer, parser, kUseTuple);
      (void)body_bytes;
      read_ec = body_ec;
    }
    if (read_ec) {
      // Answer what the client can fix; close quietly on timeouts, resets and clean ends.
      if (auto problem = problem_for_read_error(read_ec, options_.max_body_bytes)) {
        auto res = problem_response(*problem);
        res.keep_alive(false);
        stream.expires_after(options_.write_timeout);
        (void)co_await beast::http::async_write(stream, res, kUseTuple);
      }
      break;
    }

    Request request = parser.release();
    Response response = co_await respond(request);
    response.version(request.version());
    response.keep_alive(request.keep_alive() && !draining_);
    if (response.stream) {
      const bool complete = co_await write_streamed(stream, response);
      self->busy = false;
      if (!complete || !response.keep_alive()) break;
      continue;
    }
    response.prepare_payload();

    stream.expires_after(options_.write_timeout);
    auto [write_ec, written] = co_await beast::http::async_write(stream, response, kUseTuple);
    (void)written;
    self->busy = false;
    if (write_ec || !response.keep_alive()) break;
  }

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  sessions_.erase(self);
  session_ended();
}

asio::awaitable<bool> HttpServer::write_streamed(beast::tcp_stream& stream, Response& response) {
  // The head goes first, with the response's fields; then each piece as the source produces it,
  // with a write deadline per piece: a slow reader holds one piece, never the whole body.
  const auto source = std::move(response.stream);
  beast::http::response<beast::http::empty_body> head{response.result(), response.version()};
  for (const auto& field : response.base()) head.set(field.name_string(), field.value());
  head.keep_alive(response.keep_alive());
  const auto size = source->size();
  if (size) head.content_length(*size);
  else head.chunked(true);
  beast::http::response_serializer<beast::http::empty_body> serializer{head};
  stream.expires_after(options_.write_timeout);
  auto [head_ec, head_bytes] = co_await beast::http::async_write_header(stream, serializer, kUseTuple);
  (void)head_bytes;
  if (head_ec) co_return false;

  std::uint64_t sent = 0;
  while (true) {
    auto piece = co_await source->next();
    if (!piece) {
      log_.error("http_stream_failed", {{"error", piece.error().message}, {"bytes_sent", sent}});
      co_return false;  // closing without the end of the body tells the client it is incomplete
    }
    if (piece->empty()) break;
    sent += piece->size();
    if (size && sent > *size) {
      log_.error("http_stream_failed", {{"error", "the body is longer than announced"}, {"bytes_sent", sent}});
      co_return false;
    }
    stream.expires_after(options_.write_timeout);
    beast::error_code ec;
    if (size) {
      auto [write_ec, n] = co_await asio::async_write(stream, asio::buffer(*piece), kUseTuple);
      (void)n;
      ec = write_ec;
    } else {
      auto chunk = beast::http::make_chunk(asio::buffer(*piece));
      auto [write_ec, n] = co_await asio::async_write(stream, chunk, kUseTuple);
      (void)n;
      ec = write_ec;
    }
    if (ec) co_return false;
  }
  if (size) {
    if (sent != *size) {
      log_.error("http_stream_failed", {{"error", "the body is shorter than announced"}, {"bytes_sent", sent}});
      co_return false;
    }
    co_return true;
  }
  stream.expires_after(options_.write_timeout);
  auto last = beast::http::make_chunk_last();
  auto [last_ec, last_bytes] = co_await asio::async_write(stream, last, kUseTuple);
  (void)last_bytes;
  co_return !last_ec;
}

void HttpServer::session_ended() {
  if (!draining_ || drained_ || acceptor_.is_open() || !sessions_.empty()) return;
  drained_ = true;
  grace_timer_.cancel();
  if (on_drained_) on_drained_();
}

void HttpServer::shutdown() {
  if (draining_) return;
  draining_ = true;
  log_.info("http_shutdown_started", {{"open_connections", sessions_.size()}});
  beast::error_code ignored;
  acceptor_.close(ignored);
  // Idle connections wait for a next request that will not be served: close them now. Busy ones
  // see draining_ after their response (sent with "Connection: close") and end themselves.
  for (auto& session : sessions_) {
    if (!session.busy) session.stream->socket().close(ignored);
  }
  if (sessions_.empty()) {
    session_ended();
    return;
  }
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([this](const beast::error_code& ec) {
    if (!ec) close_all();
  });
}

void HttpServer::close_all() {
  if (!draining_) shutdown();
  if (!sessions_.empty()) {
    log_.warn("http_shutdown_forced", {{"open_connections", sessions_.size()}});
  }
  beast::error_code ignored;
  for (auto& session : sessions_) session.stream->socket().close(ignored);
}

}  // namespace disparo::admin
