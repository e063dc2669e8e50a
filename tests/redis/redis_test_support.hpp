// Helpers for the live-Redis tests: the server from the environment, unique key prefixes, running
// a coroutine test under a deadline, Reply builders and a printer so failures show the Reply, and
// the fixture that deletes a test's keys. Test thread only.
//
// gcc 12 coroutine traps these helpers avoid: a braced list inside a co_await expression does not
// compile ("array used as initializer"), and a brace-initialised aggregate temporary in one is
// destroyed twice. Build expected values with the functions below or in a local first.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/redis/redis.hpp"

namespace disparo {

inline void PrintTo(ErrorKind kind, std::ostream* out) {
  *out << to_string(kind);
}

}  // namespace disparo

namespace disparo::redis {

// gtest finds this by ADL: failures print the whole reply, not its bytes.
inline void PrintTo(const Reply& reply, std::ostream* out) {
  switch (reply.type) {
    case Reply::Type::nil:
      *out << "(nil)";
      return;
    case Reply::Type::integer:
      *out << "(integer) " << reply.integer;
      return;
    case Reply::Type::string:
      *out << "\"" << reply.text << "\" (" << reply.text.size() << " bytes)";
      return;
    case Reply::Type::status:
      *out << "(status) " << reply.text;
      return;
    case Reply::Type::error:
      *out << "(error) " << reply.text;
      return;
    case Reply::Type::array:
      *out << "[";
      for (std::size_t i = 0; i < reply.elements.size(); ++i) {
        if (i > 0) *out << ", ";
        PrintTo(reply.elements[i], out);
      }
      *out << "]";
      return;
  }
}

inline void PrintTo(const Expected<Reply>& result, std::ostream* out) {
  if (result) {
    PrintTo(*result, out);
  } else {
    *out << "Error{" << to_string(result.error().kind) << ": " << result.error().message << "}";
  }
}

}  // namespace disparo::redis

namespace disparo::test {

using namespace std::chrono_literals;

inline constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);

// The server the tests run against; never skipped: a missing variable fails the test.
inline redis::Options live_redis_options() {
  const char* host = std::getenv("DISPARO_TEST_REDIS_HOST");
  const char* port = std::getenv("DISPARO_TEST_REDIS_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    throw std::runtime_error(
        "DISPARO_TEST_REDIS_HOST and DISPARO_TEST_REDIS_PORT must name a live Redis server "
        "(scripts/test sets them; for the development server: 127.0.0.1 and 56389)");
  }
  redis::Options options;
  options.host = host;
  options.port = static_cast<unsigned short>(std::stoul(port));
  options.connect_timeout = 3s;
  options.command_timeout = 3s;
  return options;
}

// Keys of one test run never collide with another run sharing the server.
inline std::string unique_key_prefix() {
  std::random_device random;
  return "disparo:test:" + std::to_string(::getpid()) + ":" + std::to_string(random()) + ":";
}

// Runs `body(io)` on a fresh io_context and fails the test if it has not finished by `deadline`.
inline void run_with_deadline(const std::function<asio::awaitable<void>(asio::io_context&)>& body,
                              std::chrono::seconds deadline = 20s) {
  asio::io_context io;
  bool finished = false;
  std::exception_ptr thrown;
  asio::co_spawn(io, body(io), [&](std::exception_ptr e) {
    finished = true;
    thrown = std::move(e);
  });
  io.run_for(deadline);
  if (thrown) std::rethrow_exception(thrown);
  if (!finished) ADD_FAILURE() << "the test did not finish within " << deadline.count() << " s";
}

// Polls `condition` (returning bool, or awaitable<bool> to ask the server) every few milliseconds
// until it holds; false when `timeout` passes first.
template <class Condition>
asio::awaitable<bool> eventually(Condition condition, std::chrono::milliseconds timeout = 3s) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    bool holds = false;
    if constexpr (std::is_same_v<decltype(condition()), bool>) {
      holds = condition();
    } else {
      holds = co_await condition();
    }
    if (holds) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(5ms);
    co_await timer.async_wait(kAsTuple);
  }
}

// Lets coroutines posted before this one run first; waits for nothing else.
inline asio::awaitable<void> yield() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

// Starts all `count` coroutines made by make(i) before any finishes, then waits for all of them.
template <class Make>
asio::awaitable<void> run_concurrently(int count, Make make) {
  auto executor = co_await asio::this_coro::executor;
  int remaining = count;
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(executor, make(i), [&](std::exception_ptr e) {
      if (e) ADD_FAILURE() << "a concurrent coroutine threw";
      if (--remaining == 0) all_done.cancel();
    });
  }
  if (remaining > 0) co_await all_done.async_wait(kAsTuple);
}

// ASSERT_* returns from the function, which a coroutine cannot; these co_return instead.
#define CO_REQUIRE(condition)                           \
  if (!(condition)) {                                   \
    ADD_FAILURE() << "requirement failed: " #condition; \
    co_return;                                          \
  }
#define CO_REQUIRE_EQ(actual, expected)         \
  {                                             \
    const auto& co_actual_ = (actual);          \
    EXPECT_EQ(co_actual_, expected);            \
    if (!(co_actual_ == (expected))) co_return; \
  }

using redis::Reply;

inline Reply nil() {
  return Reply{};
}
inline Reply status(std::string text) {
  return Reply{Reply::Type::status, 0, std::move(text), {}};
}
inline Reply bulk(std::string text) {
  return Reply{Reply::Type::string, 0, std::move(text), {}};
}
inline Reply integer(std::int64_t n) {
  return Reply{Reply::Type::integer, n, {}, {}};
}
inline Reply error_reply(std::string text) {
  return Reply{Reply::Type::error, 0, std::move(text), {}};
}
inline Reply array(std::vector<Reply> elements) {
  return Reply{Reply::Type::array, 0, {}, std::move(elements)};
}
inline Reply empty_array() {
  return array({});
}

// The reply, or a stand-in naming the client error so EXPECT_EQ prints why it failed.
inline Reply ok(const Expected<Reply>& result) {
  if (result) return *result;
  return error_reply(std::string("<client error ") + to_string(result.error().kind) + ": " +
                     result.error().message + ">");
}

inline ErrorKind kind_of(const Expected<Reply>& result) {
  return result ? ErrorKind::internal : result.error().kind;
}

inline std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

// Gives each test the live server's options and its own key prefix, and deletes its keys after.
class RedisTest : public ::testing::Test {
 protected:
  void TearDown() override {
    run_with_deadline(
        [this](asio::io_context& io) -> asio::awaitable<void> {
          redis::Client client(io, options_);
          // KEYS is fine on a test server.
          auto deleted = co_await client.command(
              "EVAL",
              "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
              "n = n + redis.call('DEL', k) end return n",
              "0", prefix_ + "*");
          EXPECT_TRUE(deleted && deleted->type == Reply::Type::integer)
              << ::testing::PrintToString(deleted);
        },
        10s);
  }

  std::string key(const std::string& name) const { return prefix_ + name; }

  // Whether the server shows connection `id` inside a command named `cmd` (e.g. blocked in it).
  static asio::awaitable<bool> server_shows(redis::Client& admin, std::int64_t id,
                                            std::string cmd) {
    auto info = co_await admin.command("CLIENT", "LIST", "ID", std::to_string(id));
    co_return info && info->text.find("cmd=" + cmd) != std::string::npos;
  }

  const redis::Options options_ = live_redis_options();
  const std::string prefix_ = unique_key_prefix();
};

}  // namespace disparo::test
