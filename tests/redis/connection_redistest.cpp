// redis::Client against a live server, failure path: name resolution, refused, silent and
// password-protected servers, deadlines, killed connections, close and destruction mid-command.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/redis/redis.hpp"
#include "tests/redis/redis_test_support.hpp"

namespace disparo::redis {
namespace {

using namespace std::chrono_literals;
using namespace test;
using Clock = std::chrono::steady_clock;
using Awaitable = asio::awaitable<void>;
using RedisClient = test::RedisTest;

// A loopback port with nothing listening: bound once to get a free number, then closed.
unsigned short closed_port(asio::io_context& io) {
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST_F(RedisClient, ResolvesHostNames) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Options named = options_;
    // "localhost" may resolve to ::1 first; the server may listen on 127.0.0.1 only.
    if (named.host == "127.0.0.1") named.host = "localhost";
    Client client(io, named);
    EXPECT_EQ(ok(co_await client.command("PING")), status("PONG"));
  });
}

TEST_F(RedisClient, ClosedPortIsUnavailableWithinTheTimeout) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Options refused = options_;
    refused.host = "127.0.0.1";
    refused.port = closed_port(io);
    refused.connect_timeout = 2s;
    Client client(io, refused);
    const auto start = Clock::now();
    auto connected = co_await client.connect();
    EXPECT_LT(since(start), 2s);
    CO_REQUIRE(!connected);
    EXPECT_EQ(connected.error().kind, ErrorKind::unavailable) << connected.error().message;
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(kind_of(co_await client.command("PING")), ErrorKind::unavailable);  // tries again
  });
}

// A peer that accepts TCP but never answers (AUTH never gets a reply) hits connect_timeout.
TEST_F(RedisClient, SilentServerTimesOutTheConnect) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});  // never accepts
    Options options;
    options.port = silent.local_endpoint().port();
    options.password = "never-checked";
    options.connect_timeout = 300ms;
    Client client(io, options);
    const auto start = Clock::now();
    auto connected = co_await client.connect();
    const auto took = since(start);
    CO_REQUIRE(!connected);
    EXPECT_EQ(connected.error().kind, ErrorKind::timeout) << connected.error().message;
    EXPECT_GE(took, 280ms);
    EXPECT_LT(took, 2s);
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(kind_of(co_await client.command("PING")), ErrorKind::timeout);

    // Destroying the client while it connects completes the waiting caller.
    std::optional<Expected<void>> waited;
    auto doomed = std::make_unique<Client>(io, options);
    asio::co_spawn(
        io, [&]() -> Awaitable { waited = co_await doomed->connect(); }, asio::detached);
    co_await test::yield();  // the connect starts
    doomed.reset();
    CO_REQUIRE(co_await test::eventually([&] { return waited.has_value(); }));
    EXPECT_FALSE(*waited);
    if (!*waited) {
      EXPECT_EQ(waited->error().kind, ErrorKind::unavailable);
    }
  });
}

TEST_F(RedisClient, RefusedAuthIsUnauthorized) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Options wrong = options_;
    wrong.password = "wrong-password-" + prefix_;
    Client client(io, wrong);
    auto connected = co_await client.connect();
    CO_REQUIRE(!connected);
    EXPECT_EQ(connected.error().kind, ErrorKind::unauthorized) << connected.error().message;
    EXPECT_EQ(connected.error().message.find(wrong.password), std::string::npos);
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(kind_of(co_await client.command("PING")), ErrorKind::unauthorized);
  });
}

// CLIENT PAUSE ... WRITE blocks writes on the whole server for a short while. No UNPAUSE: another
// run sharing the server may be relying on its own pause.
TEST_F(RedisClient, CommandTimesOutOnAPausedServerAndTheClientStaysUsable) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Options fast = options_;
    fast.command_timeout = 150ms;
    Client client(io, fast);
    Client admin(io, options_);
    CO_REQUIRE_EQ(ok(co_await client.command("PING")), status("PONG"));
    CO_REQUIRE_EQ(ok(co_await admin.command("CLIENT", "PAUSE", "400", "WRITE")), status("OK"));
    const auto start = Clock::now();
    auto late = co_await client.command("SET", key("paused"), "late");
    const auto took = since(start);
    CO_REQUIRE(!late);
    EXPECT_EQ(late.error().kind, ErrorKind::timeout) << late.error().message;
    EXPECT_GE(took, 140ms);
    EXPECT_LT(took, 400ms);
    EXPECT_TRUE(client.connected());
    // Once the pause ends a write goes through; the late "OK"s of the timed-out SETs are dropped
    // and every later reply still meets its own command.
    Expected<Reply> fresh = make_error(ErrorKind::internal, "not tried");
    CO_REQUIRE(co_await test::eventually([&]() -> asio::awaitable<bool> {
      fresh = co_await client.command("SET", key("paused"), "fresh");
      co_return fresh.has_value();
    }));
    EXPECT_EQ(ok(fresh), status("OK"));
    EXPECT_EQ(ok(co_await client.command("GET", key("paused"))), bulk("fresh"));
    EXPECT_EQ(ok(co_await client.command("ECHO", "in step")), bulk("in step"));
  });
}

// A caller racing a command against its own timer (awaitable operator ||) cancels the wait; the
// reply that comes later is dropped and the connection keeps serving.
TEST_F(RedisClient, CallerCancellationEndsTheWaitAndTheClientStaysUsable) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    using namespace asio::experimental::awaitable_operators;
    Client client(io, options_);
    CO_REQUIRE_EQ(ok(co_await client.command("PING")), status("PONG"));
    asio::steady_timer caller_deadline(io, 50ms);
    const auto start = Clock::now();
    // BLPOP blocks this connection for 1 s on the server.
    auto raced = co_await (client.command("BLPOP", key("never"), "1") ||
                           caller_deadline.async_wait(asio::use_awaitable));
    EXPECT_EQ(raced.index(), 1u);  // the caller's timer won
    EXPECT_LT(since(start), 900ms);
    EXPECT_TRUE(client.connected());
    EXPECT_EQ(ok(co_await client.command("ECHO", "after the cancelled one")),
              bulk("after the cancelled one"));
  });
}

TEST_F(RedisClient, PendingCommandFailsWhenTheConnectionIsKilled) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    Client admin(io, options_);
    auto id = co_await client.command("CLIENT", "ID");
    CO_REQUIRE(id && id->type == Reply::Type::integer);
    std::optional<Expected<Reply>> blocked;
    const auto start = Clock::now();
    asio::co_spawn(
        io, [&]() -> Awaitable { blocked = co_await client.command("BLPOP", key("never"), "10"); },
        asio::detached);
    CO_REQUIRE(
        co_await test::eventually([&] { return server_shows(admin, id->integer, "blpop"); }));
    // Only our connection: CLIENT KILL TYPE normal would also cut other runs sharing the server.
    CO_REQUIRE_EQ(ok(co_await admin.command("CLIENT", "KILL", "ID", std::to_string(id->integer))),
                  integer(1));
    CO_REQUIRE(co_await test::eventually([&] { return blocked.has_value(); }));
    EXPECT_EQ(kind_of(*blocked), ErrorKind::unavailable) << ::testing::PrintToString(*blocked);
    EXPECT_LT(since(start), 3s);  // well before BLPOP's 10 s and the 3 s command timeout
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(ok(co_await client.command("PING")), status("PONG"));
  });
}

TEST_F(RedisClient, NextCommandReconnectsAfterTheServerDropsTheConnection) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    Client admin(io, options_);
    auto first = co_await client.command("CLIENT", "ID");
    CO_REQUIRE(first && first->type == Reply::Type::integer);
    CO_REQUIRE_EQ(
        ok(co_await admin.command("CLIENT", "KILL", "ID", std::to_string(first->integer))),
        integer(1));
    // The loop notices the closed socket on its own; a command racing that would fail once.
    CO_REQUIRE(co_await test::eventually([&] { return !client.connected(); }));
    EXPECT_EQ(ok(co_await client.command("SET", key("after-kill"), "v")), status("OK"));
    EXPECT_TRUE(client.connected());
    auto second = co_await client.command("CLIENT", "ID");
    CO_REQUIRE(second && second->type == Reply::Type::integer);
    EXPECT_NE(second->integer, first->integer);
  });
}

TEST_F(RedisClient, CloseFailsPendingCommandsAndStopsReconnecting) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    Client admin(io, options_);
    auto id = co_await client.command("CLIENT", "ID");
    CO_REQUIRE(id && id->type == Reply::Type::integer);
    std::optional<Expected<Reply>> blocked;
    asio::co_spawn(
        io, [&]() -> Awaitable { blocked = co_await client.command("BLPOP", key("never"), "10"); },
        asio::detached);
    CO_REQUIRE(
        co_await test::eventually([&] { return server_shows(admin, id->integer, "blpop"); }));
    client.close();
    EXPECT_FALSE(client.connected());
    CO_REQUIRE(co_await test::eventually([&] { return blocked.has_value(); }));
    EXPECT_EQ(kind_of(*blocked), ErrorKind::unavailable);
    EXPECT_EQ(kind_of(co_await client.command("PING")), ErrorKind::unavailable);  // no reconnect
    auto reopened = co_await client.connect();
    EXPECT_TRUE(reopened) << (reopened ? "" : reopened.error().message);
    EXPECT_EQ(ok(co_await client.command("PING")), status("PONG"));
  });
}

TEST_F(RedisClient, DestroyingTheClientCompletesPendingCommands) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    auto client = std::make_unique<Client>(io, options_);
    Client admin(io, options_);
    auto id = co_await client->command("CLIENT", "ID");
    CO_REQUIRE(id && id->type == Reply::Type::integer);
    constexpr int kPending = 5;
    int finished = 0;
    int unavailable = 0;
    for (int i = 0; i < kPending; ++i) {
      asio::co_spawn(
          io,
          [&]() -> Awaitable {
            auto r = co_await client->command("BLPOP", key("never"), "10");
            ++finished;
            if (!r && r.error().kind == ErrorKind::unavailable) ++unavailable;
          },
          asio::detached);
    }
    CO_REQUIRE(
        co_await test::eventually([&] { return server_shows(admin, id->integer, "blpop"); }));
    client.reset();
    CO_REQUIRE(co_await test::eventually([&] { return finished == kPending; }));
    EXPECT_EQ(unavailable, kPending);
  });
}

}  // namespace
}  // namespace disparo::redis
