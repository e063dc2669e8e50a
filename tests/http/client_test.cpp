// The HTTP client: URL parsing, and over loopback against fake servers that misbehave on
// purpose, whether a failure says the request was not sent or may have been.
#include <memory>
#include <string>
#include <variant>

#include <asio/detached.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "tests/http/loopback.hpp"

namespace disparo::http {
namespace {

using namespace test;

TEST(ParseUrl, AcceptsHttpWithDefaults) {
  auto url = parse_url("http://example.com");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");

  url = parse_url("HTTP://127.0.0.1:8080/v1/x?a=1&b=2#frag");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/v1/x?a=1&b=2");

  url = parse_url("http://[::1]:9000?q=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->target, "/?q=1");
}

TEST(ParseUrl, HttpsDefaultsToPort443) {
  const auto url = parse_url("https://graph.facebook.com/v24.0/123/messages");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "graph.facebook.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/v24.0/123/messages");
  EXPECT_EQ(parse_url("HTTPS://h:8443")->port, 8443);
}

TEST(ParseUrl, RefusesEverythingElse) {
  for (const char* text :
       {"ftp://x", "https://", "https:///x", "example.com", "http://", "http://:80/", "http://h:0/",
        "http://h:65536/", "http://h:8x/", "http://user@h/", "http://[::1/", "http://h/a b",
        "http://[::1]x/"}) {
    EXPECT_FALSE(parse_url(text)) << text;
  }
}

Request get(std::string target = "/") {
  Request r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

const ClientError* error_of(const std::variant<Response, ClientError>& got) {
  return std::get_if<ClientError>(&got);
}

class ClientTest : public Loopback {};

TEST_F(ClientTest, ClosedPortIsNotSent) {
  unsigned short port = 0;
  {
    auto acceptor = listen_any(io_);
    port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there now
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    // A named Url: gcc 12 mishandles an aggregate temporary inside a co_await expression.
    const Url url{"http", "127.0.0.1", port, "/"};
    const auto got = co_await client.send(url, get());
    const ClientError* e = error_of(got);
    EXPECT_TRUE(e != nullptr);
    if (e == nullptr) co_return;
    EXPECT_EQ(e->delivery, Delivery::not_sent);
    EXPECT_EQ(e->error.kind, ErrorKind::unavailable);
  });
}

TEST_F(ClientTest, ServerThatNeverAnswersIsMaybeSentTimeout) {
  auto acceptor = listen_any(io_);
  const unsigned short port = acceptor.local_endpoint().port();
  bool request_seen = false;
  ClientOptions options;
  options.request_timeout = 200ms;
  Client client(io_, options);
  run([&]() -> asio::awaitable<void> {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto socket = co_await acceptor.async_accept(asio::use_awaitable);
          std::string pending;
          request_seen = (co_await read_request(socket, pending)).has_value();
          co_await sleep_for(3s);  // holds the socket open and says nothing
        },
        asio::detached);
    const auto started = std::chrono::steady_clock::now();
    // A named Url: gcc 12 mishandles an aggregate temporary inside a co_await expression.
    const Url url{"http", "127.0.0.1", port, "/"};
    const auto got = co_await client.send(url, get());
    const ClientError* e = error_of(got);
    EXPECT_TRUE(e != nullptr);
    if (e == nullptr) co_return;
    EXPECT_TRUE(request_seen);
    EXPECT_EQ(e->delivery, Delivery::maybe_sent);
    EXPECT_EQ(e->error.kind, ErrorKind::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  });
}

TEST_F(ClientTest, ServerThatClosesAfterTheRequestIsMaybeSent) {
  auto acceptor = listen_any(io_);
  const unsigned short port = acceptor.local_endpoint().port();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto socket = co_await acceptor.async_accept(asio::use_awaitable);
          std::string pending;
          co_await read_request(socket, pending);
          socket.close();
        },
        asio::detached);
    // A named Url: gcc 12 mishandles an aggregate temporary inside a co_await expression.
    const Url url{"http", "127.0.0.1", port, "/"};
    const auto got = co_await client.send(url, get());
    const ClientError* e = error_of(got);
    EXPECT_TRUE(e != nullptr);
    if (e != nullptr) { EXPECT_EQ(e->delivery, Delivery::maybe_sent); }
  });
}

TEST_F(ClientTest, GarbageAnswerIsInternalMaybeSent) {
  auto acceptor = listen_any(io_);
  const unsigned short port = acceptor.local_endpoint().port();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto socket = co_await acceptor.async_accept(asio::use_awaitable);
          std::string pending;
          co_await read_request(socket, pending);
          co_await write_raw(socket, "SPDY/9 what\r\n\r\n");
          co_await sleep_for(1s);
        },
        asio::detached);
    // A named Url: gcc 12 mishandles an aggregate temporary inside a co_await expression.
    const Url url{"http", "127.0.0.1", port, "/"};
    const auto got = co_await client.send(url, get());
    const ClientError* e = error_of(got);
    EXPECT_TRUE(e != nullptr);
    if (e == nullptr) co_return;
    EXPECT_EQ(e->delivery, Delivery::maybe_sent);
    EXPECT_EQ(e->error.kind, ErrorKind::internal);
  });
}

TEST_F(ClientTest, ReusesAnIdleKeepAliveConnection) {
  auto acceptor = listen_any(io_);
  const unsigned short port = acceptor.local_endpoint().port();
  int accepted = 0;
  int answered = 0;
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
            if (ec) co_return;
            ++accepted;
            asio::co_spawn(
                io_,
                [&, s = std::make_shared<tcp::socket>(std::move(socket))]() -> asio::awaitable<void> {
                  std::string pending;
                  while (co_await read_request(*s, pending)) {
                    ++answered;
                    co_await write_raw(*s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  }
                },
                asio::detached);
          }
        },
        asio::detached);
    const Url url{"http", "127.0.0.1", port, "/"};
    for (int i = 0; i < 5; ++i) {
      auto got = co_await client.send(url, get());
      EXPECT_TRUE(std::holds_alternative<Response>(got));
    }
    EXPECT_EQ(accepted, 1);
    EXPECT_EQ(answered, 5);
    client.close_idle();
    acceptor.close();
  });
}

// A keep-alive server that answers the first request on each connection, reads the second and
// hangs up without a word (as a server does when its idle timer fires just as the request
// arrives). Counts connections and requests read.
void serve_one_answer_per_connection(asio::io_context& io, tcp::acceptor& acceptor, int& accepted,
                                     int& requests) {
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
          if (ec) co_return;
          ++accepted;
          asio::co_spawn(
              io,
              [&, s = std::make_shared<tcp::socket>(std::move(socket))]() -> asio::awaitable<void> {
                std::string pending;
                if (!co_await read_request(*s, pending)) co_return;
                ++requests;
                co_await write_raw(*s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                if (!co_await read_request(*s, pending)) co_return;
                ++requests;
                s->close();
              },
              asio::detached);
        }
      },
      asio::detached);
}

// That server drops a reused connection under a GET: the client retries once on a fresh one.
TEST_F(ClientTest, RetriesOnceWhenAReusedConnectionDiesBeforeAnswering) {
  auto acceptor = listen_any(io_);
  const unsigned short port = acceptor.local_endpoint().port();
  int accepted = 0;
  int requests = 0;
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    serve_one_answer_per_connection(io_, acceptor, accepted, requests);
    const Url url{"http", "127.0.0.1", port, "/"};
    auto got = co_await client.send(url, get());
    EXPECT_TRUE(std::holds_alternative<Response>(got));
    got = co_await client.send(url, get());
    const auto* r = std::get_if<Response>(&got);
    EXPECT_TRUE(r != nullptr);
    if (r != nullptr) { EXPECT_EQ(r->body, "ok"); }
    EXPECT_EQ(accepted, 2);
    EXPECT_EQ(requests, 3);
    acceptor.close();
  });
}

// The same hang-up after a POST: the server may have acted on it (a provider send), so repeating
// it could send a WhatsApp message twice. The caller gets maybe_sent and nothing is resent.
TEST_F(ClientTest, PostOnAReusedConnectionThatDiesIsMaybeSentAndNotRepeated) {
  auto acceptor = listen_any(io_);
  const unsigned short port = acceptor.local_endpoint().port();
  int accepted = 0;
  int requests = 0;
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    serve_one_answer_per_connection(io_, acceptor, accepted, requests);
    const Url url{"http", "127.0.0.1", port, "/"};
    Request post;
    post.method = "POST";
    post.target = "/messages";
    post.body = "{}";
    auto got = co_await client.send(url, post);
    EXPECT_TRUE(std::holds_alternative<Response>(got));
    got = co_await client.send(url, post);
    const ClientError* error = error_of(got);
    EXPECT_TRUE(error != nullptr);
    if (error != nullptr) { EXPECT_EQ(error->delivery, Delivery::maybe_sent); }
    EXPECT_EQ(accepted, 1);
    EXPECT_EQ(requests, 2);
    acceptor.close();
  });
}

TEST_F(ClientTest, IdleConnectionClosedByTheServerIsNotReused) {
  ServerOptions server_options;
  server_options.read_timeout = 100ms;
  Server server(io_, server_options, [](Request) -> asio::awaitable<Response> {
    co_return json_response(200, "{}");
  });
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    const Url url{"http", "127.0.0.1", server.port(), "/"};
    auto got = co_await client.send(url, get());
    EXPECT_TRUE(std::holds_alternative<Response>(got));
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 0; }));
    got = co_await client.send(url, get());
    EXPECT_TRUE(std::holds_alternative<Response>(got));
  });
}

TEST_F(ClientTest, ConnectionCloseAnswerIsNotPooled) {
  Server server(io_, {}, [](Request) -> asio::awaitable<Response> {
    Response r = json_response(200, "{}");
    r.keep_alive = false;
    co_return r;
  });
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    const Url url{"http", "127.0.0.1", server.port(), "/"};
    for (int i = 0; i < 3; ++i) {
      auto got = co_await client.send(url, get());
      const auto* r = std::get_if<Response>(&got);
      EXPECT_TRUE(r != nullptr);
      if (r != nullptr) { EXPECT_FALSE(r->keep_alive); }
    }
    EXPECT_TRUE(co_await eventually([&] { return server.open_connections() == 0; }));
  });
}

TEST_F(ClientTest, TargetComesFromTheUrlWhenEmptyAndHostIsSet) {
  Server server(io_, {}, [](Request request) -> asio::awaitable<Response> {
    co_return json_response(200, request.target + " " +
                                     std::string(request.header("host").value_or("?")));
  });
  server.start();
  Client client(io_);
  run([&]() -> asio::awaitable<void> {
    Request request;
    request.method = "GET";
    const Url url{"http", "127.0.0.1", server.port(), "/from/url?x=1"};
    auto got = co_await client.send(url, request);
    const auto* r = std::get_if<Response>(&got);
    EXPECT_TRUE(r != nullptr);
    if (r != nullptr) {
      EXPECT_EQ(r->body, "/from/url?x=1 127.0.0.1:" + std::to_string(server.port()));
    }
  });
}

}  // namespace
}  // namespace disparo::http
