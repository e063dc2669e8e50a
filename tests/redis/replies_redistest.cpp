// redis::Client against a live server, healthy path: replies of every type, binary safety, large
// replies, error replies, and ordering under concurrency and pipelining.
#include <chrono>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/redis/redis.hpp"
#include "tests/redis/redis_test_support.hpp"

namespace disparo::redis {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using namespace test;
using Clock = std::chrono::steady_clock;
using Awaitable = asio::awaitable<void>;
using RedisClient = test::RedisTest;

TEST_F(RedisClient, PingAnswersPongAndConnectsOnFirstUse) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(ok(co_await client.command("PING")), status("PONG"));
    EXPECT_TRUE(client.connected());
    auto again = co_await client.connect();  // already connected: returns at once
    EXPECT_TRUE(again) << again.error().message;
  });
}

TEST_F(RedisClient, ValuesAndKeysAreBinarySafe) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    // The s suffix keeps the NULs; the split literal stops \xfe from swallowing what follows.
    const std::string value =
        "nul\0in the middle\r\n$3\r\n\xff\xfe"
        "\0end"s;
    const std::string binary_key = key("bin\0key"s);
    EXPECT_EQ(ok(co_await client.command("SET", binary_key, value)), status("OK"));
    EXPECT_EQ(ok(co_await client.command("GET", binary_key)), bulk(value));
    EXPECT_EQ(value.size(), 29u);
    EXPECT_EQ(ok(co_await client.command("STRLEN", binary_key)), integer(29));
    EXPECT_EQ(ok(co_await client.command("GET", key("bin"))), nil());  // a prefix, not the key
    EXPECT_EQ(ok(co_await client.command("SET", key("empty"), "")), status("OK"));
    EXPECT_EQ(ok(co_await client.command("GET", key("empty"))), bulk(""));
  });
}

// Larger than hiredis' 16 KiB read chunk and the socket buffers: the reply arrives in many reads.
TEST_F(RedisClient, LargeValuesArriveWhole) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    std::string value(1024 * 1024 + 13, '\0');
    std::mt19937 random(7);
    for (char& c : value) c = static_cast<char>(random() & 0xff);
    EXPECT_EQ(ok(co_await client.command("SET", key("large"), value)), status("OK"));
    co_await test::run_concurrently(3, [&](int) -> Awaitable {
      auto got = co_await client.command("GET", key("large"));
      EXPECT_TRUE(got && got->type == Reply::Type::string) << to_string(kind_of(got));
      if (got) {
        EXPECT_EQ(got->text.size(), value.size());
        EXPECT_TRUE(got->text == value);
      }
    });
    EXPECT_EQ(ok(co_await client.command("PING")), status("PONG"));
  });
}

TEST_F(RedisClient, IncrReturnsIntegers) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    EXPECT_EQ(ok(co_await client.command("INCR", key("n"))), integer(1));
    EXPECT_EQ(ok(co_await client.command("INCR", key("n"))), integer(2));
    EXPECT_EQ(ok(co_await client.command("INCRBY", key("n"), "40")), integer(42));
    EXPECT_EQ(ok(co_await client.command("DECRBY", key("n"), "9000000000")),
              integer(42 - 9000000000LL));
  });
}

TEST_F(RedisClient, ArraysKeepTheirShapeAndNils) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    EXPECT_EQ(ok(co_await client.command("MSET", key("a"), "1", key("b"), "2")), status("OK"));
    // Braced temporaries stay out of co_await expressions: gcc 12 rejects braced lists there and
    // destroys brace-initialised aggregates twice. Values returned by functions are fine.
    const Reply mget = array({bulk("1"), nil(), bulk("2")});
    EXPECT_EQ(ok(co_await client.command("MGET", key("a"), key("missing"), key("b"))), mget);
    EXPECT_EQ(ok(co_await client.command("LRANGE", key("no-list"), "0", "-1")), empty_array());
    const std::string script =
        "return {KEYS[1], ARGV[1], 42, {7, 'x', {}}, redis.status_reply('fine'), false}";
    const Reply table = array({bulk(key("k")), bulk("arg"), integer(42),
                               array({integer(7), bulk("x"), array({})}), status("fine"), nil()});
    EXPECT_EQ(ok(co_await client.command("EVAL", script, "1", key("k"), "arg")), table);
  });
}

TEST_F(RedisClient, ErrorRepliesAreValuesAndTheConnectionStays) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    EXPECT_EQ(ok(co_await client.command("SET", key("text"), "not a number")), status("OK"));
    EXPECT_EQ(ok(co_await client.command("INCR", key("text"))),
              error_reply("ERR value is not an integer or out of range"));
    auto unknown = co_await client.command("NO-SUCH-COMMAND", "x");
    CO_REQUIRE(unknown);
    EXPECT_EQ(unknown->type, Reply::Type::error);
    EXPECT_EQ(unknown->text.rfind("ERR unknown command", 0), 0u) << unknown->text;
    EXPECT_EQ(ok(co_await client.command("EVAL", "return redis.error_reply('MYERR custom')", "0")),
              error_reply("MYERR custom"));
    EXPECT_TRUE(client.connected());
    EXPECT_EQ(ok(co_await client.command("PING")), status("PONG"));
  });
}

TEST_F(RedisClient, EmptyCommandIsInvalidArgument) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    EXPECT_EQ(kind_of(co_await client.command(std::vector<std::string>())),
              ErrorKind::invalid_argument);
  });
}

TEST_F(RedisClient, ConcurrentCoroutinesEachSeeTheirRepliesInOrder) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    CO_REQUIRE(co_await client.connect());
    constexpr int kCoroutines = 8;
    constexpr int kRounds = 50;
    std::set<std::int64_t> counts;
    co_await test::run_concurrently(kCoroutines, [&](int c) -> Awaitable {
      std::int64_t last = 0;
      for (int i = 0; i < kRounds; ++i) {
        EXPECT_EQ(ok(co_await client.command("RPUSH", key("list" + std::to_string(c)),
                                             std::to_string(i))),
                  integer(i + 1));
        auto count = co_await client.command("INCR", key("shared"));
        CO_REQUIRE(count && count->type == Reply::Type::integer);
        EXPECT_GT(count->integer, last);  // one coroutine's INCRs run in its order
        last = count->integer;
        counts.insert(count->integer);
      }
    });
    EXPECT_EQ(counts.size(), static_cast<std::size_t>(kCoroutines * kRounds));
    std::vector<Reply> expected;
    for (int i = 0; i < kRounds; ++i) expected.push_back(bulk(std::to_string(i)));
    for (int c = 0; c < kCoroutines; ++c) {
      EXPECT_EQ(ok(co_await client.command("LRANGE", key("list" + std::to_string(c)), "0", "-1")),
                array(expected));
    }

    // Pipelined: 200 commands in flight at once; each reply must reach the command that asked.
    constexpr int kInFlight = 200;
    co_await test::run_concurrently(kInFlight, [&](int i) -> Awaitable {
      EXPECT_EQ(ok(co_await client.command("RPUSH", key("burst"), std::to_string(i))),
                integer(i + 1));
    });
    EXPECT_EQ(ok(co_await client.command("LLEN", key("burst"))), integer(kInFlight));
  });
}

TEST_F(RedisClient, ConcurrentFirstCommandsShareOneConnection) {
  test::run_with_deadline([&](asio::io_context& io) -> Awaitable {
    Client client(io, options_);
    std::set<std::int64_t> ids;
    co_await test::run_concurrently(20, [&](int) -> Awaitable {
      auto id = co_await client.command("CLIENT", "ID");
      EXPECT_EQ(id ? id->type : Reply::Type::nil, Reply::Type::integer)
          << ::testing::PrintToString(id);
      if (id) ids.insert(id->integer);
    });
    EXPECT_EQ(ids.size(), 1u);
  });
}

}  // namespace
}  // namespace disparo::redis
