// The HTTP server over loopback, driven by the Client and by raw sockets. Every test runs under
// a deadline (Loopback::run).
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include <asio/detached.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "tests/http/loopback.hpp"

namespace disparo::http {
namespace {

using namespace test;

// Answers with what it saw, so a test can check that the request arrived intact.
asio::awaitable<Response> echo(Request request) {
  if (request.path() == "/throw") throw std::runtime_error("handler bug");
  if (request.path() == "/close") {
    Response r = json_response(200, "{}");
    r.keep_alive = false;
    co_return r;
  }
  Response r = json_response(200, "{}");
  r.body = request.method + " " + std::string(request.path()) + " " + request.body;
  r.set("X-Query", request.query_param("q").value_or("-"));
  co_return r;
}

Url url_for(const Server& server, std::string target = "/") {
  return Url{"http", "127.0.0.1", server.port(), std::move(target)};
}

Request make_request(std::string method, std::string body = {}) {
  Request r;
  r.method = std::move(method);
  r.body = std::move(body);
  return r;
}

class ServerTest : public Loopback {};

TEST_F(ServerTest, AnswersGetAndPost) {
  Server server(io_, {}, echo);
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    auto got = co_await client.send(url_for(server, "/a?q=x%20y"), make_request("GET"));
    const auto* r = std::get_if<Response>(&got);
    EXPECT_TRUE(r != nullptr);
    if (r == nullptr) co_return;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "GET /a ");
    EXPECT_EQ(r->header("x-query"), "x y");
    EXPECT_EQ(r->header("content-type"), "application/json");

    got = co_await client.send(url_for(server, "/b"), make_request("POST", "payload"));
    r = std::get_if<Response>(&got);
    EXPECT_TRUE(r != nullptr);
    if (r != nullptr) { EXPECT_EQ(r->body, "POST /b payload"); }
  });
}

TEST_F(ServerTest, KeepAliveCarriesManyRequestsOnOneConnection) {
  Server server(io_, {}, echo);
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto got = co_await client.send(url_for(server), make_request("GET"));
      EXPECT_TRUE(std::holds_alternative<Response>(got));
      EXPECT_EQ(server.open_connections(), 1u);
    }
  });
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Server server(io_, {}, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket,
                       "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
                       "POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                       "GET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    std::string pending;
    for (const std::string expected : {"GET /one ", "POST /two abc", "GET /three "}) {
      const auto r = co_await read_response(socket, pending);
      EXPECT_TRUE(r.has_value());
      if (r) { EXPECT_EQ(r->body, expected); }
    }
    EXPECT_TRUE(pending.empty());
    EXPECT_EQ(co_await read_to_eof(socket), "");
  });
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions options;
  options.limits.body_bytes = 1024;
  Server server(io_, options, echo);
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    auto got = co_await client.send(url_for(server), make_request("POST", std::string(4096, 'x')));
    const auto* r = std::get_if<Response>(&got);
    EXPECT_TRUE(r != nullptr);
    if (r == nullptr) co_return;
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->header("content-type"), "application/problem+json");
    EXPECT_NE(r->body.find("\"status\":413"), std::string::npos);
    EXPECT_FALSE(r->keep_alive);
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 0; }));
  });
}

TEST_F(ServerTest, HeaderOverLimitIs413) {
  ServerOptions options;
  options.limits.header_bytes = 512;
  Server server(io_, options, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket, "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
    const std::string all = co_await read_to_eof(socket);
    EXPECT_EQ(all.rfind("HTTP/1.1 413 ", 0), 0u) << all;
  });
}

TEST_F(ServerTest, GarbageIs400AndCloses) {
  Server server(io_, {}, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket, "THIS IS NOT HTTP\r\n\r\n");
    const std::string all = co_await read_to_eof(socket);  // EOF proves the close
    EXPECT_EQ(all.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << all;
    EXPECT_NE(all.find("application/problem+json"), std::string::npos);
    EXPECT_NE(all.find("Connection: close"), std::string::npos);
  });
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterReadTimeout) {
  ServerOptions options;
  options.read_timeout = 150ms;
  Server server(io_, options, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    const auto started = std::chrono::steady_clock::now();
    const std::string all = co_await read_to_eof(socket);
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(all, "");
    EXPECT_GE(waited, 100ms);
    EXPECT_LT(waited, 2s);
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 0; }));
  });
}

TEST_F(ServerTest, SlowClientMidRequestIsCutOff) {
  ServerOptions options;
  options.read_timeout = 150ms;
  Server server(io_, options, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    EXPECT_EQ(co_await read_to_eof(socket), "");
  });
}

TEST_F(ServerTest, HandlerExceptionIs500AndTheConnectionSurvives) {
  Server server(io_, {}, echo);
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    auto got = co_await client.send(url_for(server, "/throw"), make_request("GET"));
    const auto* r = std::get_if<Response>(&got);
    EXPECT_TRUE(r != nullptr);
    if (r != nullptr) {
      EXPECT_EQ(r->status, 500);
      EXPECT_EQ(r->header("content-type"), "application/problem+json");
      EXPECT_TRUE(r->keep_alive);
    }
    got = co_await client.send(url_for(server, "/fine"), make_request("GET"));
    EXPECT_TRUE(std::holds_alternative<Response>(got));
    EXPECT_EQ(server.open_connections(), 1u);
  });
}

TEST_F(ServerTest, HeadAnswersHeadersOnly) {
  Server server(io_, {}, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket, "HEAD /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n");
    std::string pending;
    const auto head = co_await read_response(socket, pending, true);
    EXPECT_TRUE(head.has_value());
    if (head) { EXPECT_EQ(head->header("content-length"), "8"); }  // "HEAD /x " not sent
    const auto get = co_await read_response(socket, pending);
    EXPECT_TRUE(get.has_value());
    if (get) { EXPECT_EQ(get->body, "GET /y "); }
  });
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimAnswer) {
  Server server(io_, {}, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket,
                       "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    std::string pending;
    const auto interim = co_await read_response(socket, pending);
    EXPECT_TRUE(interim.has_value());
    if (interim) { EXPECT_EQ(interim->status, 100); }
    co_await write_raw(socket, "body");
    const auto final_answer = co_await read_response(socket, pending);
    EXPECT_TRUE(final_answer.has_value());
    if (final_answer) { EXPECT_EQ(final_answer->body, "POST /e body"); }
  });
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndLetsInFlightRequestsFinish) {
  bool in_handler = false;
  asio::steady_timer release(io_, std::chrono::steady_clock::time_point::max());
  Server server(io_, {}, [&](Request request) -> asio::awaitable<Response> {
    if (request.path() != "/slow") co_return json_response(200, "{}");
    in_handler = true;
    co_await release.async_wait(use_nothrow);  // until the test lets it finish
    co_return json_response(200, "{\"slow\":true}");
  });
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    auto idle = co_await connect_raw(server.port());
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 1; }));

    std::optional<std::variant<Response, ClientError>> slow;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          slow = co_await client.send(url_for(server, "/slow"), make_request("GET"));
        },
        asio::detached);
    EXPECT_TRUE(co_await eventually([&] { return in_handler; }));
    EXPECT_EQ(server.open_connections(), 2u);

    server.stop();
    const auto stopped = std::chrono::steady_clock::now();
    EXPECT_EQ(co_await read_to_eof(idle), "");  // the idle one closes at once
    EXPECT_LT(std::chrono::steady_clock::now() - stopped, 1s);
    co_await sleep_for(20ms);
    EXPECT_FALSE(slow.has_value());  // still in the handler, connection still open
    EXPECT_EQ(server.open_connections(), 1u);
    release.cancel();

    EXPECT_TRUE(co_await eventually([&] { return slow.has_value(); }));
    const auto* r = slow ? std::get_if<Response>(&*slow) : nullptr;
    EXPECT_TRUE(r != nullptr);
    if (r != nullptr) {
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "{\"slow\":true}");
      EXPECT_FALSE(r->keep_alive);  // told to go away
    }
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 0; }));

    tcp::socket late(io_);
    auto [ec] = co_await late.async_connect({asio::ip::make_address("127.0.0.1"), server.port()},
                                            use_nothrow);
    EXPECT_TRUE(ec);  // no longer accepting
  });
}

TEST_F(ServerTest, MaxConnectionsHoldsNewClientsBack) {
  ServerOptions options;
  options.max_connections = 2;
  Server server(io_, options, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto first = co_await connect_raw(server.port());
    auto second = co_await connect_raw(server.port());
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 2; }));
    // The kernel completes the handshake, but the server does not take the third one yet.
    auto third = co_await connect_raw(server.port());
    co_await write_raw(third, "GET /third HTTP/1.1\r\nHost: h\r\n\r\n");
    co_await sleep_for(100ms);
    EXPECT_EQ(server.open_connections(), 2u);
    EXPECT_EQ(third.available(), 0u);

    first.close();
    std::string pending;
    const auto r = co_await read_response(third, pending);
    EXPECT_TRUE(r.has_value());
    if (r) { EXPECT_EQ(r->body, "GET /third "); }
    EXPECT_EQ(server.open_connections(), 2u);
  });
}

TEST_F(ServerTest, ResponseAskingToCloseClosesTheConnection) {
  Server server(io_, {}, echo);
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto socket = co_await connect_raw(server.port());
    co_await write_raw(socket, "GET /close HTTP/1.1\r\nHost: h\r\n\r\n");
    const std::string all = co_await read_to_eof(socket);
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
  });
}

}  // namespace
}  // namespace disparo::http
