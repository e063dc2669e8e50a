// Test helpers for the HTTP server and client over loopback: a fixture that runs a test coroutine
// under a deadline (a bug must fail the test, never hang CI), raw-socket helpers and polling.
// Single-threaded: everything runs on the fixture's io_context.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "adapters/http/codec.hpp"
#include "adapters/http/message.hpp"

namespace disparo::http::test {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

class Loopback : public ::testing::Test {
 protected:
  // Runs `body()` on io_ until it finishes or `limit` passes; rethrows what it threw.
  void run(const std::function<asio::awaitable<void>()>& body,
           std::chrono::milliseconds limit = 10s) {
    bool finished = false;
    std::exception_ptr failure;
    asio::co_spawn(io_, body(), [&](std::exception_ptr e) {
      finished = true;
      failure = e;
    });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!finished && std::chrono::steady_clock::now() < deadline) io_.run_one_for(50ms);
    ASSERT_TRUE(finished) << "the test coroutine missed its " << limit.count() << " ms deadline";
    if (failure) std::rethrow_exception(failure);
  }

  // Lets the coroutines of servers and clients destroyed by the test body end cleanly.
  void TearDown() override {
    io_.restart();
    io_.run_for(500ms);
  }

  asio::io_context io_;
};

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(use_nothrow);
}

// Polls `condition` every 5 ms until it holds or `limit` passes.
inline asio::awaitable<bool> eventually(const std::function<bool()>& condition,
                                        std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    co_await sleep_for(5ms);
  }
  co_return true;
}

inline asio::awaitable<tcp::socket> connect_raw(unsigned short port) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_return socket;
}

inline asio::awaitable<void> write_raw(tcp::socket& socket, std::string_view bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
}

// Reads until the peer closes (or an error); returns everything read.
inline asio::awaitable<std::string> read_to_eof(tcp::socket& socket) {
  std::string all;
  char chunk[4096];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    all.append(chunk, n);
    if (ec) co_return all;
  }
}

// Reads one response; `pending` carries bytes of the next one between calls. nullopt on EOF or
// a parse error.
inline asio::awaitable<std::optional<Response>> read_response(tcp::socket& socket,
                                                              std::string& pending,
                                                              bool head = false) {
  ResponseParser parser;
  if (head) parser.expect_no_body();
  for (;;) {
    std::size_t consumed = 0;
    const ParseStatus status = parser.feed(pending, consumed);
    pending.erase(0, consumed);
    if (status == ParseStatus::done) co_return parser.take();
    if (status != ParseStatus::need_more) co_return std::nullopt;
    char chunk[4096];
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    if (ec) co_return std::nullopt;
    pending.append(chunk, n);
  }
}

// Reads one request from a raw server-side socket (for fake servers in client tests).
inline asio::awaitable<std::optional<Request>> read_request(tcp::socket& socket,
                                                            std::string& pending) {
  RequestParser parser;
  for (;;) {
    std::size_t consumed = 0;
    const ParseStatus status = parser.feed(pending, consumed);
    pending.erase(0, consumed);
    if (status == ParseStatus::done) co_return parser.take();
    if (status != ParseStatus::need_more) co_return std::nullopt;
    char chunk[4096];
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    if (ec) co_return std::nullopt;
    pending.append(chunk, n);
  }
}

// A listening socket on a free loopback port.
inline tcp::acceptor listen_any(asio::io_context& io) {
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor;
}

}  // namespace disparo::http::test
