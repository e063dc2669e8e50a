// The HTTP layer over loopback without a database: health, 404/405 problems, limits, readiness
// with an unreachable database, metrics and the two-stage shutdown. Every call has a deadline.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "admin/http_server.hpp"
#include "tests/admin/http_client.hpp"
#include "tests/admin/running_admin.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;
using namespace std::chrono_literals;

// Nothing listens on port 1: the pool's connection attempts fail at once.
constexpr const char* kUnreachableDatabase = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1";

TEST(AdminServer, HealthzAnswersWithoutTheDatabase) {
  RunningAdmin admin(kUnreachableDatabase);
  auto reply = http_call(admin.port(), verb::get, "/healthz");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_EQ(reply.body, R"({"status":"ok"})");
}

TEST(AdminServer, ReadyzIs503WhenTheDatabaseIsDown) {
  RunningAdmin admin(kUnreachableDatabase);
  const auto started = std::chrono::steady_clock::now();
  auto reply = http_call(admin.port(), verb::get, "/readyz");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(reply.status, 503u);
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
  auto body = boost::json::parse(reply.body).as_object();
  EXPECT_EQ(body.at("status").as_int64(), 503);
}

TEST(AdminServer, UnknownRouteIs404Problem) {
  RunningAdmin admin(kUnreachableDatabase);
  auto reply = http_call(admin.port(), verb::get, "/v1/nothing");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
  auto body = boost::json::parse(reply.body).as_object();
  for (const char* member : {"type", "title", "status", "detail"}) {
    EXPECT_TRUE(body.contains(member)) << member;
  }
}

TEST(AdminServer, WrongMethodIs405WithAllow) {
  RunningAdmin admin(kUnreachableDatabase);
  auto reply = http_call(admin.port(), verb::delete_, "/v1/tenants");
  EXPECT_EQ(reply.status, 405u);
  EXPECT_EQ(reply.header("allow"), "POST");
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
}

TEST(AdminServer, OversizedBodyIs413) {
  RunningAdmin admin(kUnreachableDatabase, kTestMasterKey, 1024);
  // Only the head is sent: the declared length alone exceeds the limit.
  auto answer = raw_call(admin.port(),
                         "POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Content-Length: 4096\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos);
}

TEST(AdminServer, MalformedRequestIs400) {
  RunningAdmin admin(kUnreachableDatabase);
  auto answer = raw_call(admin.port(), "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

TEST(AdminServer, TenantCreationNeedsTheMasterKeyBeforeTheDatabase) {
  RunningAdmin admin(kUnreachableDatabase);
  auto none = http_call(admin.port(), verb::post, "/v1/tenants", R"({"slug":"acme","name":"A"})",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  auto wrong = http_call(admin.port(), verb::post, "/v1/tenants", R"({"slug":"acme","name":"A"})",
                         {{"Content-Type", "application/json"}, {"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401u);
}

TEST(AdminServer, TenantRoutesDisappearWithoutAMasterKey) {
  RunningAdmin admin(kUnreachableDatabase, "");
  auto reply = http_call(admin.port(), verb::post, "/v1/tenants", R"({"slug":"acme","name":"A"})",
                         {{"Content-Type", "application/json"}, {"Authorization", "Bearer "}});
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
}

TEST(AdminServer, BadBodiesAreProblems) {
  RunningAdmin admin(kUnreachableDatabase);
  const Headers auth{{"Content-Type", "application/json"},
                     {"Authorization", std::string("Bearer ") + kTestMasterKey}};
  auto malformed = http_call(admin.port(), verb::post, "/v1/tenants", R"({"slug":)", auth);
  EXPECT_EQ(malformed.status, 400u);

  auto invalid = http_call(admin.port(), verb::post, "/v1/tenants",
                           R"({"slug":"Bad Slug","name":"","time_zone":"Mars/Olympus"})", auth);
  EXPECT_EQ(invalid.status, 422u);
  auto body = boost::json::parse(invalid.body).as_object();
  EXPECT_EQ(body.at("errors").as_array().size(), 3u);

  auto text = http_call(admin.port(), verb::post, "/v1/tenants", "slug=acme",
                        {{"Content-Type", "application/x-www-form-urlencoded"},
                         {"Authorization", std::string("Bearer ") + kTestMasterKey}});
  EXPECT_EQ(text.status, 415u);
}

TEST(AdminServer, ApiKeyOfTheWrongShapeIs401WithoutTheDatabase) {
  RunningAdmin admin(kUnreachableDatabase);
  auto reply = http_call(admin.port(), verb::get, "/v1/tenants/me", "", {{"Authorization", "Bearer x"}});
  EXPECT_EQ(reply.status, 401u);  // a database lookup would have given 503 here
  auto none = http_call(admin.port(), verb::get, "/v1/tenants/me");
  EXPECT_EQ(none.status, 401u);
}

TEST(AdminServer, MetricsCountRequestsByRouteTemplate) {
  RunningAdmin admin(kUnreachableDatabase);
  (void)http_call(admin.port(), verb::get, "/healthz");
  (void)http_call(admin.port(), verb::get, "/healthz");
  (void)http_call(admin.port(), verb::get, "/v1/unknown/123");
  auto reply = http_call(admin.port(), verb::get, "/metrics");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  const auto& text = reply.body;
  EXPECT_NE(text.find(R"(disparo_admin_http_requests_total{code="200",method="GET",route="/healthz"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(disparo_admin_http_requests_total{code="404",method="GET",route="unmatched"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(disparo_admin_http_request_duration_seconds_count{route="/healthz"} 2)"),
            std::string::npos);
  // Raw paths never become labels.
  EXPECT_EQ(text.find("/v1/unknown/123"), std::string::npos);
}

TEST(AdminServer, AnswersExpectContinueBeforeTheBody) {
  RunningAdmin admin(kUnreachableDatabase);
  auto answer = raw_call(admin.port(),
                         "POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(answer.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 401"), std::string::npos) << answer;  // no master key sent
}

TEST(AdminServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  RunningAdmin admin(kUnreachableDatabase);
  auto answer = raw_call(admin.port(),
                         "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (auto at = answer.find("HTTP/1.1 200"); at != std::string::npos; at = answer.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << answer;
}

TEST(AdminServer, ShutdownStopsAcceptingAndDrains) {
  RunningAdmin admin(kUnreachableDatabase);
  const auto port = admin.port();
  EXPECT_EQ(http_call(port, verb::get, "/healthz").status, 200u);
  ASSERT_TRUE(admin.shutdown_and_wait(5s));
  EXPECT_THROW(http_call(port, verb::get, "/healthz", {}, {}, 1s), std::exception);
}

TEST(AdminServer, ShutdownClosesIdleKeepAliveConnectionsAtOnce) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  RunningAdmin admin(kUnreachableDatabase);  // grace period 2 s
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  unsigned first_status = 0;
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    stream.expires_after(5s);
    co_await stream.async_connect({asio::ip::make_address("127.0.0.1"), admin.port()}, asio::use_awaitable);
    beast::http::request<beast::http::string_body> req{verb::get, "/healthz", 11};
    req.set(beast::http::field::host, "x");
    co_await beast::http::async_write(stream, req, asio::use_awaitable);
    beast::http::response<beast::http::string_body> res;
    co_await beast::http::async_read(stream, buffer, res, asio::use_awaitable);
    first_status = res.result_int();
  }, asio::detached);
  ioc.run_for(5s);
  ASSERT_EQ(first_status, 200u);

  // The connection is open and idle; stage 1 must close it rather than wait out the grace.
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(admin.shutdown_and_wait(1500ms));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);

  boost::system::error_code read_ec;
  ioc.restart();
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    beast::http::response<beast::http::string_body> res;
    auto [ec, n] = co_await beast::http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
    (void)n;
    read_ec = ec;
  }, asio::detached);
  ioc.run_for(5s);
  EXPECT_TRUE(read_ec == beast::http::error::end_of_stream || read_ec == asio::error::connection_reset)
      << read_ec.message();
}

// A body source of fixed pieces, optionally failing after them; counts how often it was pulled.
class PiecesBody final : public BodySource {
 public:
  PiecesBody(std::vector<std::string> pieces, bool fail_at_end, std::optional<std::uint64_t> size)
      : pieces_(std::move(pieces)), fail_at_end_(fail_at_end), size_(size) {}
  boost::asio::awaitable<Expected<std::string>> next() override {
    if (next_ < pieces_.size()) co_return pieces_[next_++];
    if (fail_at_end_) co_return make_error(ErrorKind::unavailable, "the source broke");
    co_return std::string();
  }
  std::optional<std::uint64_t> size() const override { return size_; }

 private:
  std::vector<std::string> pieces_;
  std::size_t next_ = 0;
  bool fail_at_end_;
  std::optional<std::uint64_t> size_;
};

// An HttpServer on its own loop thread whose handler answers every request from `make_body`.
class StreamingServer {
 public:
  explicit StreamingServer(std::function<std::shared_ptr<BodySource>()> make_body)
      : logger_("stream-test", log::Level::error),
        server_(ioc_.get_executor(), ServerOptions{}, Handler(std::move(make_body)), logger_) {
    if (!server_.listen()) throw std::runtime_error("listen failed");
    server_.start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~StreamingServer() {
    // Stage 1 and 2 at once: the accept loop and every session end, then run() returns.
    boost::asio::post(ioc_, [this] { server_.close_all(); });
    thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }

 private:
  static RequestHandler Handler(std::function<std::shared_ptr<BodySource>()> make_body) {
    return [make_body](Request&) -> boost::asio::awaitable<Response> {
      auto response = make_response(boost::beast::http::status::ok, "ignored", "text/csv");
      response.stream = make_body();
      co_return response;
    };
  }
  boost::asio::io_context ioc_;
  log::Logger logger_;
  HttpServer server_;
  std::thread thread_;
};

constexpr const char* kGetAndClose = "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

TEST(AdminServerStreaming, SendsEachPieceAsAChunk) {
  StreamingServer server([] { return std::make_shared<PiecesBody>(std::vector<std::string>{"a;b\r\n", "1;2\r\n", "3;4\r\n"}, false, std::nullopt); });
  auto answer = raw_call(server.port(), kGetAndClose);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Content-Type: text/csv\r\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("Content-Length"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("ignored"), std::string::npos) << answer;  // body() is not sent
  // One chunk per piece, then the last chunk.
  EXPECT_NE(answer.find("\r\n\r\n5\r\na;b\r\n\r\n5\r\n1;2\r\n\r\n5\r\n3;4\r\n\r\n0\r\n\r\n"), std::string::npos) << answer;
  // And a real HTTP client reads the whole body back.
  auto reply = http_call(server.port(), verb::get, "/x");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, "a;b\r\n1;2\r\n3;4\r\n");
}

TEST(AdminServerStreaming, KnownSizeIsSentWithContentLength) {
  StreamingServer server([] { return std::make_shared<PiecesBody>(std::vector<std::string>{"PK", "zip"}, false, 5); });
  auto reply = http_call(server.port(), verb::get, "/x");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.header("content-length"), "5");
  EXPECT_EQ(reply.header("transfer-encoding"), "");
  EXPECT_EQ(reply.body, "PKzip");
}

TEST(AdminServerStreaming, AFailingSourceLeavesTheBodyUnfinished) {
  StreamingServer server([] { return std::make_shared<PiecesBody>(std::vector<std::string>{"a;b\r\n"}, true, std::nullopt); });
  auto answer = raw_call(server.port(), kGetAndClose);
  EXPECT_NE(answer.find("5\r\na;b\r\n\r\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("0\r\n\r\n"), std::string::npos) << answer;  // no last chunk: the client knows
  EXPECT_THROW(http_call(server.port(), verb::get, "/x"), std::exception);
}

TEST(AdminServerStreaming, AShortBodyAgainstItsLengthClosesTheConnection) {
  StreamingServer server([] { return std::make_shared<PiecesBody>(std::vector<std::string>{"PK"}, false, 5); });
  EXPECT_THROW(http_call(server.port(), verb::get, "/x"), std::exception);
}

}  // namespace
}  // namespace disparo::admin::test
