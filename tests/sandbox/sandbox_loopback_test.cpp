// The whole simulator in-process on loopback: the sandbox's http::Server on port 0, a test
// webhook receiver (another http::Server on port 0) in the dispatcher's place, and http::Client
// as the caller. Every test runs on one io_context under a deadline and waits on conditions,
// never on fixed sleeps.
#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "common/crypto.hpp"
#include "loadtest/sandbox/sandbox_service.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox {
namespace {

using namespace std::chrono_literals;
using test::JsonProbe;

constexpr const char* kSecret = "app-secret-for-tests";
constexpr const char* kToken = "EAAGloopbacktoken00000001";
constexpr const char* kVerify = "verify-me";
constexpr const char* kPnid = "106540352242922";
constexpr const char* kWebhookPath = "/webhooks/cloud_api";

// Stands in for the dispatcher: keeps webhook POSTs, fails the first `fail_next` requests (500
// for a POST, 503 for a GET), and answers Meta's verification GET when the verify token matches.
struct Receiver {
  std::vector<http::Request> posts;
  int fail_next = 0;
  std::string verify_token = kVerify;
};

asio::awaitable<http::Response> receive(Receiver* receiver, http::Request request) {
  if (request.method == "GET") {
    if (receiver->fail_next > 0) {
      --receiver->fail_next;
      co_return http::json_response(503, "{}");
    }
    if (request.query_param("hub.mode") == "subscribe" &&
        request.query_param("hub.verify_token") == receiver->verify_token) {
      http::Response echo;
      echo.body = request.query_param("hub.challenge").value_or("");
      echo.set("Content-Type", "text/plain");
      co_return echo;
    }
    co_return http::problem_response(403, "forbidden", "Forbidden", "wrong verify token");
  }
  receiver->posts.push_back(request);
  if (receiver->fail_next > 0) {
    --receiver->fail_next;
    co_return http::json_response(500, R"({"error":"try later"})");
  }
  co_return http::json_response(200, "{}");
}

std::string text_message(std::string_view extra = "") {
  return R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+5511987654321",)"
         R"("type":"text","text":{"body":"Olá, sua fatura vence amanhã"})" +
         std::string(extra) + "}";
}

class LoopbackTest : public ::testing::Test {
 protected:
  LoopbackTest()
      : sink_(std::fopen("/dev/null", "w")), logger_("sandbox-test", log::Level::debug, sink_) {
    receiver_server_ = std::make_unique<http::Server>(
        io_, http::ServerOptions{},
        [r = &receiver_](http::Request request) { return receive(r, std::move(request)); });
    receiver_server_->start();
  }
  ~LoopbackTest() override {
    if (server_) server_->stop();
    receiver_server_->stop();
    std::fclose(sink_);
  }

  std::string receiver_url() const {
    return "http://127.0.0.1:" + std::to_string(receiver_server_->port()) + kWebhookPath;
  }

  // Starts the sandbox; `tune` may change the webhook options (URL, delays, retries).
  void start_sandbox(const std::function<void(WebhookOptions&)>& tune = {}) {
    WebhookOptions options;
    options.url = receiver_url();
    options.app_secret = kSecret;
    options.status_delay = 20ms;
    options.max_retries = 3;
    options.retry_base = 20ms;
    if (tune) tune(options);
    sender_ = std::make_unique<WebhookSender>(io_, client_, recorder_, clock_, logger_, options);
    subscription_ =
        std::make_unique<SubscriptionCheck>(io_, client_, recorder_, clock_, logger_,
                                            SubscriptionOptions{receiver_url(), kVerify, 3, 20ms});
    service_ = std::make_unique<SandboxService>(ServiceOptions{kToken}, recorder_, *sender_, clock_,
                                                logger_, subscription_.get());
    server_ = std::make_unique<http::Server>(io_, http::ServerOptions{}, service_->handler());
    server_->start();
  }

  // Runs `test` on the io_context; fails when it has not finished within `deadline`.
  void run(const std::function<asio::awaitable<void>()>& test,
           std::chrono::seconds deadline = 15s) {
    bool finished = false;
    std::exception_ptr failure;
    asio::co_spawn(io_, test(), [&](std::exception_ptr e) {
      failure = e;
      finished = true;
      io_.stop();
    });
    io_.run_for(deadline);
    ASSERT_TRUE(finished) << "the test did not finish within its deadline";
    if (failure) std::rethrow_exception(failure);
  }

  // Polls `condition` every 5 ms until it holds (true) or `timeout` passes (false).
  static asio::awaitable<bool> wait_until(std::function<bool()> condition,
                                          std::chrono::milliseconds timeout = 5s) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
      if (std::chrono::steady_clock::now() >= deadline) co_return false;
      timer.expires_after(5ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return true;
  }

  asio::awaitable<http::Response> call(std::string method, std::string target,
                                       std::string body = {},
                                       std::string authorization = std::string("Bearer ") +
                                                                   kToken) {
    const http::Url url{"http", "127.0.0.1", server_->port(), target};
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
    auto result = co_await client_.send(url, std::move(request));
    if (auto* response = std::get_if<http::Response>(&result)) co_return *response;
    ADD_FAILURE() << "client error: " << std::get<http::ClientError>(result).error.message;
    co_return http::Response{0, {}, {}, false};
  }

  std::FILE* sink_;
  log::Logger logger_;
  asio::io_context io_;
  SystemClock clock_;
  http::Client client_{io_};
  Receiver receiver_;
  std::unique_ptr<http::Server> receiver_server_;
  Recorder recorder_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<SubscriptionCheck> subscription_;
  std::unique_ptr<SandboxService> service_;
  std::unique_ptr<http::Server> server_;
};

// The status object of a webhook body, after checking the envelope around it.
void expect_status_webhook(const http::Request& post, const std::string& wamid,
                           const std::string& status, const JsonProbe& j) {
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.path(), kWebhookPath);
  EXPECT_EQ(post.header("Content-Type"), "application/json");
  const auto signature = post.header("X-Hub-Signature-256");
  ASSERT_TRUE(signature.has_value());
  // Computed independently of hub_signature_256 over the exact raw bytes received.
  EXPECT_EQ(*signature, "sha256=" + crypto::hmac_sha256_hex(kSecret, post.body));
  EXPECT_TRUE(crypto::verify_hub_signature_256(kSecret, post.body, *signature));
  EXPECT_FALSE(crypto::verify_hub_signature_256("another-secret", post.body, *signature));

  ASSERT_TRUE(j.ok()) << post.body;
  EXPECT_EQ(j.str("/object"), "whatsapp_business_account");
  EXPECT_EQ(j.str("/entry/0/id"), "100000000000000");
  EXPECT_EQ(j.str("/entry/0/changes/0/field"), "messages");
  const std::string v = "/entry/0/changes/0/value";
  EXPECT_EQ(j.str(v + "/messaging_product"), "whatsapp");
  EXPECT_EQ(j.str(v + "/metadata/phone_number_id"), kPnid);
  EXPECT_EQ(j.str(v + "/metadata/display_phone_number"), "5511900000000");
  const std::string s = v + "/statuses/0";
  EXPECT_EQ(j.str(s + "/id"), wamid);
  EXPECT_EQ(j.str(s + "/status"), status);
  EXPECT_EQ(j.str(s + "/recipient_id"), "5511987654321");
  const std::string timestamp = j.str(s + "/timestamp").value_or("");
  EXPECT_EQ(timestamp.size(), 10u) << timestamp;
  EXPECT_EQ(timestamp.find_first_not_of("0123456789"), std::string::npos) << timestamp;
}

TEST_F(LoopbackTest, SendSucceedsAndThreeSignedWebhooksArriveInOrder) {
  start_sandbox();
  std::string wamid;
  run([&]() -> asio::awaitable<void> {
    const http::Response r = co_await call("POST", std::string("/v24.0/") + kPnid + "/messages",
                                           text_message(R"(,"biz_opaque_callback_data":"job-42")"));
    EXPECT_EQ(r.status, 200) << r.body;
    const JsonProbe j(r.body);
    EXPECT_EQ(j.str("/messaging_product"), "whatsapp");
    EXPECT_EQ(j.str("/contacts/0/input"), "+5511987654321");
    EXPECT_EQ(j.str("/contacts/0/wa_id"), "5511987654321");
    wamid = j.str("/messages/0/id").value_or("");
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.posts.size() >= 3; }));
    // The receiver may see a POST before the sender has read its answer and recorded it.
    EXPECT_TRUE(co_await wait_until([&] { return sender_->in_flight() == 0; }));
  });
  EXPECT_TRUE(wamid.starts_with("wamid.")) << wamid;
  ASSERT_EQ(receiver_.posts.size(), 3u);
  const char* order[] = {"sent", "delivered", "read"};
  std::string previous_timestamp;
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(order[i]);
    const JsonProbe j(receiver_.posts[i].body);
    expect_status_webhook(receiver_.posts[i], wamid, order[i], j);
    const std::string s = "/entry/0/changes/0/value/statuses/0";
    EXPECT_EQ(j.str(s + "/biz_opaque_callback_data"), "job-42");
    EXPECT_EQ(j.has(s + "/pricing"), i < 2) << "pricing with sent and delivered only";
    EXPECT_FALSE(j.has(s + "/conversation")) << "omitted from v24.0 on";
    const std::string timestamp = j.str(s + "/timestamp").value_or("");
    EXPECT_GE(timestamp, previous_timestamp);
    previous_timestamp = timestamp;
  }
  ASSERT_EQ(recorder_.webhooks().size(), 3u);
  for (const WebhookAttempt& a : recorder_.webhooks()) {
    EXPECT_EQ(a.outcome, "delivered");
    EXPECT_EQ(a.http_status, 200);
    EXPECT_EQ(a.attempt, 1);
    EXPECT_TRUE(a.final);
  }
}

TEST_F(LoopbackTest, OlderApiVersionsGetAConversationObject) {
  start_sandbox();
  run([&]() -> asio::awaitable<void> {
    const http::Response r =
        co_await call("POST", std::string("/v23.0/") + kPnid + "/messages", text_message());
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.posts.size() >= 3; }));
  });
  ASSERT_EQ(receiver_.posts.size(), 3u);
  const std::string c = "/entry/0/changes/0/value/statuses/0/conversation";
  const JsonProbe sent(receiver_.posts[0].body), delivered(receiver_.posts[1].body),
      read(receiver_.posts[2].body);
  ASSERT_TRUE(sent.str(c + "/id").has_value());
  EXPECT_EQ(sent.str(c + "/id"), delivered.str(c + "/id"));
  EXPECT_EQ(sent.str(c + "/origin/type"), "service");
  EXPECT_TRUE(sent.str(c + "/expiration_timestamp").has_value());
  EXPECT_FALSE(read.has(c));
}

TEST_F(LoopbackTest, BadTokenIs401AndSendsNoWebhook) {
  start_sandbox();
  run([&]() -> asio::awaitable<void> {
    const http::Response r =
        co_await call("POST", "/v24.0/1/messages", text_message(), "Bearer nope");
    EXPECT_EQ(r.status, 401);
    const JsonProbe j(r.body);
    EXPECT_EQ(j.num("/error/code"), 190);
    EXPECT_EQ(j.str("/error/type"), "OAuthException");
    EXPECT_TRUE(j.str("/error/fbtrace_id").has_value());
  });
  EXPECT_EQ(sender_->in_flight(), 0u);  // scheduling is synchronous: nothing was scheduled
}

TEST_F(LoopbackTest, BadBodyIs400InMetasEnvelope) {
  start_sandbox();
  run([&]() -> asio::awaitable<void> {
    const http::Response r = co_await call(
        "POST", "/v24.0/1/messages",
        R"({"messaging_product":"whatsapp","to":"+5511987654321","type":"text","text":{"body":""}})");
    EXPECT_EQ(r.status, 400);
    const JsonProbe j(r.body);
    EXPECT_EQ(j.num("/error/code"), 100);
    EXPECT_EQ(j.str("/error/message"), "(#100) Invalid parameter");
    EXPECT_EQ(j.str("/error/error_data/messaging_product"), "whatsapp");
    EXPECT_TRUE(j.str("/error/error_data/details").has_value());
  });
  EXPECT_EQ(sender_->in_flight(), 0u);
}

TEST_F(LoopbackTest, RequestsAreRecordedAndCanBeCleared) {
  start_sandbox([](WebhookOptions& o) { o.status_delay = 10s; });  // keep webhooks out of the way
  run([&]() -> asio::awaitable<void> {
    const http::Response ok = co_await call("POST", "/v24.0/7/messages", text_message());
    co_await call("POST", "/v24.0/7/messages", text_message(), "Bearer wrong-token-value-here");
    const http::Response report = co_await call("GET", "/_sandbox/requests");
    EXPECT_EQ(report.status, 200);
    const JsonProbe j(report.body);
    EXPECT_EQ(j.size("/requests"), 2u) << report.body;
    EXPECT_EQ(j.str("/requests/0/method"), "POST");
    EXPECT_EQ(j.str("/requests/0/path"), "/v24.0/7/messages");
    EXPECT_EQ(j.str("/requests/0/body"), text_message());
    EXPECT_EQ(j.num("/requests/0/status"), 200);
    EXPECT_EQ(j.str("/requests/0/wamid"), JsonProbe(ok.body).str("/messages/0/id"));
    EXPECT_GT(j.num("/requests/0/received_at_us").value_or(0), 1'700'000'000'000'000);
    const std::string auth = j.str("/requests/0/headers/authorization").value_or("");
    EXPECT_EQ(auth.find("loopbacktoken"), std::string::npos) << auth;
    EXPECT_EQ(j.num("/requests/1/status"), 401);
    EXPECT_EQ(j.num("/requests/1/error_code"), 190);

    EXPECT_EQ((co_await call("DELETE", "/_sandbox/requests")).status, 200);
    const JsonProbe after((co_await call("GET", "/_sandbox/requests")).body);
    EXPECT_EQ(after.size("/requests"), 0u);
    EXPECT_EQ((co_await call("GET", "/healthz")).status, 200);
  });
}

TEST_F(LoopbackTest, FailedWebhookIsRetriedWithTheSameSignedBody) {
  start_sandbox();
  receiver_.fail_next = 2;
  run([&]() -> asio::awaitable<void> {
    const http::Response r =
        co_await call("POST", std::string("/v24.0/") + kPnid + "/messages", text_message());
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.posts.size() >= 5; }));
    EXPECT_TRUE(co_await wait_until([&] { return sender_->in_flight() == 0; }));
    const JsonProbe report((co_await call("GET", "/_sandbox/webhooks")).body);
    EXPECT_EQ(report.size("/webhooks"), 5u);
    EXPECT_EQ(report.num("/webhooks/0/http_status"), 500);
    EXPECT_EQ(report.str("/webhooks/0/outcome"), "http_error");
  });
  ASSERT_EQ(receiver_.posts.size(), 5u);
  for (int i = 1; i < 3; ++i) {
    EXPECT_EQ(receiver_.posts[i].body, receiver_.posts[0].body) << "a retry resends the same body";
    EXPECT_EQ(receiver_.posts[i].header("X-Hub-Signature-256"),
              receiver_.posts[0].header("X-Hub-Signature-256"));
  }
  ASSERT_EQ(recorder_.webhooks().size(), 5u);
  const auto& w = recorder_.webhooks();
  EXPECT_EQ(w[0].status, "sent");
  EXPECT_EQ(w[0].attempt, 1);
  EXPECT_FALSE(w[0].final);
  EXPECT_EQ(w[1].attempt, 2);
  EXPECT_EQ(w[1].outcome, "http_error");
  EXPECT_EQ(w[2].attempt, 3);
  EXPECT_EQ(w[2].outcome, "delivered");
  EXPECT_TRUE(w[2].final);
  EXPECT_EQ(w[3].status, "delivered");
  EXPECT_EQ(w[4].status, "read");
  EXPECT_EQ(JsonProbe(receiver_.posts[4].body).str("/entry/0/changes/0/value/statuses/0/status"),
            "read");
}

TEST_F(LoopbackTest, UnreachableDispatcherIsRetriedThenGivenUp) {
  unsigned short closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }  // nothing listens there any more
  start_sandbox([&](WebhookOptions& o) {
    o.url = "http://127.0.0.1:" + std::to_string(closed_port) + kWebhookPath;
    o.max_retries = 2;
  });
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await call("POST", "/v24.0/1/messages", text_message())).status, 200);
    EXPECT_TRUE(co_await wait_until([&] { return recorder_.webhooks().size() >= 9; }));
    EXPECT_TRUE(co_await wait_until([&] { return sender_->in_flight() == 0; }));
  });
  ASSERT_EQ(recorder_.webhooks().size(), 9u);  // 3 statuses x (1 try + 2 retries)
  for (std::size_t i = 0; i < 9; ++i) {
    const WebhookAttempt& a = recorder_.webhooks()[i];
    EXPECT_EQ(a.attempt, static_cast<int>(i % 3) + 1);
    EXPECT_EQ(a.final, i % 3 == 2);
    EXPECT_EQ(a.http_status, 0);
    EXPECT_NE(a.outcome, "delivered");
    EXPECT_FALSE(a.error.empty());
  }
}

TEST_F(LoopbackTest, DrainFlushesPendingStatusesWithoutWaitingTheirDelays) {
  start_sandbox([](WebhookOptions& o) { o.status_delay = 60s; });
  bool drained = false;
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await call("POST", "/v24.0/1/messages", text_message())).status, 200);
    server_->stop();
    drained = co_await sender_->drain(5s);
  });
  EXPECT_TRUE(drained);
  ASSERT_EQ(receiver_.posts.size(), 3u);
  EXPECT_EQ(JsonProbe(receiver_.posts[2].body).str("/entry/0/changes/0/value/statuses/0/status"),
            "read");
}

TEST_F(LoopbackTest, SubscriptionHandshakeEchoesTheChallenge) {
  start_sandbox();
  run([&]() -> asio::awaitable<void> {
    const http::Response ok = co_await call("POST", "/_sandbox/subscribe");
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(JsonProbe(ok.body).boolean("/ok"), true);
    receiver_.verify_token = "something-else";
    const http::Response refused = co_await call("POST", "/_sandbox/subscribe");
    EXPECT_EQ(refused.status, 502);
    const JsonProbe j(refused.body);
    EXPECT_EQ(j.boolean("/ok"), false);
    EXPECT_EQ(j.num("/http_status"), 403);
    EXPECT_EQ(j.str("/outcome"), "http_error");
    const JsonProbe report((co_await call("GET", "/_sandbox/subscriptions")).body);
    EXPECT_EQ(report.size("/subscriptions"), 2u);
  });
  ASSERT_EQ(recorder_.subscriptions().size(), 2u);
  EXPECT_EQ(recorder_.subscriptions()[0].outcome, "verified");
  EXPECT_EQ(recorder_.subscriptions()[0].challenge.size(), 10u);
}

TEST_F(LoopbackTest, BackgroundSubscriptionRetriesUntilVerified) {
  start_sandbox();
  receiver_.fail_next = 2;  // the dispatcher answers 503 while it starts
  run([&]() -> asio::awaitable<void> {
    subscription_->start_background();
    EXPECT_TRUE(co_await wait_until(
        [&] { return !recorder_.subscriptions().empty() && recorder_.subscriptions().back().ok; }));
  });
  ASSERT_EQ(recorder_.subscriptions().size(), 3u);
  EXPECT_EQ(recorder_.subscriptions()[0].http_status, 503);
  EXPECT_EQ(recorder_.subscriptions()[1].attempt, 2);
  EXPECT_EQ(recorder_.subscriptions()[2].outcome, "verified");
}

TEST_F(LoopbackTest, BackgroundSubscriptionGivesUpQuietlyWhenNothingListens) {
  start_sandbox();
  unsigned short closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  SubscriptionCheck check(
      io_, client_, recorder_, clock_, logger_,
      SubscriptionOptions{"http://127.0.0.1:" + std::to_string(closed_port) + "/w", kVerify, 3,
                          10ms});
  run([&]() -> asio::awaitable<void> {
    check.start_background();
    EXPECT_TRUE(co_await wait_until([&] { return recorder_.subscriptions().size() >= 3; }));
  });
  ASSERT_EQ(recorder_.subscriptions().size(), 3u);
  for (const SubscriptionAttempt& a : recorder_.subscriptions()) {
    EXPECT_FALSE(a.ok);
    EXPECT_EQ(a.http_status, 0);
    EXPECT_EQ(a.outcome, "unavailable");
  }
}

}  // namespace
}  // namespace disparo::sandbox
