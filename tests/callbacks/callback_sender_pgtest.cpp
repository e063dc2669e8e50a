// CallbackSender end to end over loopback: a live PostgreSQL outbox, the real HTTP client and a
// small http::Server as the CRM. A CRM that fails twice then accepts gets the delivery on the
// third attempt, each attempt correctly signed with the same webhook-id; an https URL and a dead
// port end failed with their attempts on record. Every test body runs under a deadline.
#include "dispatcher/callbacks/callback_sender.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/http/server.hpp"
#include "dispatcher/callbacks/standard_webhooks.hpp"
#include "tests/callbacks/callback_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;

struct Received {
  http::Request request;
  std::int64_t at_unix = 0;
};

class CallbackSenderTest : public CallbackDbTest {
 protected:
  CallbackSenderTest()
      : pool_(db_.url(), 2),
        database_(pool_, workers_),
        metrics_("test"),
        log_("callbacks_test", log::Level::warn),
        client_(io_, http::ClientOptions{.connect_timeout = 1'000ms, .request_timeout = 2'000ms}),
        server_(io_, http::ServerOptions{},
                [this](http::Request request) { return crm(std::move(request)); }) {
    server_.start();
  }

  ~CallbackSenderTest() override {
    server_.stop();
    io_.restart();
    io_.run_for(200ms);  // lets the stopped server's and client's coroutines end
    workers_.join();
  }

  // The CRM: answers the first `failures_` requests with 500, then 204.
  asio::awaitable<http::Response> crm(http::Request request) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    received_.push_back({request, std::chrono::duration_cast<std::chrono::seconds>(now).count()});
    http::Response response;
    response.status = static_cast<int>(received_.size()) <= failures_ ? 500 : 204;
    if (response.status == 500) response.body = "try later";
    co_return response;
  }

  std::string crm_url() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/hooks/disparo?source=test";
  }

  CallbackSenderSettings fast_settings() const {
    CallbackSenderSettings settings;
    settings.poll_interval = 20ms;
    settings.lease = 10s;
    settings.retry.base_backoff = 20ms;
    settings.retry.max_backoff = 100ms;
    return settings;
  }

  // Runs `body()` on io_ until it finishes or `limit` passes; rethrows what it threw.
  void run(const std::function<asio::awaitable<void>()>& body,
           std::chrono::milliseconds limit = 20s) {
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

  // Polls the delivery's state (through the worker pool) until it is `state` or `limit` passes.
  asio::awaitable<bool> until_state(std::int64_t delivery, std::string state,
                                    std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (;;) {
      auto current =
          co_await database_.run([delivery](pg::Connection& conn) -> Expected<std::string> {
            auto rows = conn.exec("SELECT state FROM callback_deliveries WHERE id = $1",
                                  {std::to_string(delivery)});
            if (!rows) return rows.error();
            return std::string(rows->text(0, 0));
          });
      if (current && *current == state) co_return true;
      if (std::chrono::steady_clock::now() >= deadline) co_return false;
      tick.expires_after(10ms);
      co_await tick.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
  }

  std::int64_t delivery_for(std::optional<std::string> tenant_url) {
    const auto tenant = add_tenant("crm-" + std::to_string(++tenants_), std::move(tenant_url));
    const auto message = add_message(tenant, add_session(tenant));
    set_status(message, "sent");
    return sql_int("SELECT id FROM callback_deliveries WHERE message_id = $1",
                   {std::to_string(message)});
  }

  // The sender lives in the fixture so that, if a test misses its deadline, its loop is still
  // alive while the destructor drains the io_context.
  CallbackSender& make_sender(const CallbackSenderSettings& settings) {
    return sender_.emplace(io_, database_, client_, metrics_, log_, clock_, settings);
  }

  bool metric_has(const std::string& line) const {
    return metrics_.serialize().find(line + "\n") != std::string::npos;
  }

  asio::io_context io_;
  asio::thread_pool workers_{2};
  pg::Pool pool_;
  Database database_;
  DispatcherMetrics metrics_;
  log::Logger log_;
  SystemClock clock_;
  http::Client client_;
  http::Server server_;
  std::optional<CallbackSender> sender_;
  std::vector<Received> received_;
  int failures_ = 0;
  int tenants_ = 0;
};

TEST_F(CallbackSenderTest, RetriesUntilTheCrmAcceptsAndSignsEveryAttempt) {
  failures_ = 2;
  const auto id = delivery_for(crm_url());
  const auto payload =
      sql_text("SELECT payload::text FROM callback_deliveries WHERE id = $1", {std::to_string(id)});
  CallbackSender& sender = make_sender(fast_settings());
  run([&]() -> asio::awaitable<void> {
    sender.start();
    EXPECT_TRUE(co_await until_state(id, "delivered"));
    EXPECT_TRUE(co_await sender.stop(2s));
  });

  EXPECT_EQ(attempts_of(id), 3);
  auto attempts =
      sql("SELECT http_status, error FROM callback_attempts WHERE delivery_id = $1 ORDER BY id",
          {std::to_string(id)});
  ASSERT_EQ(attempts.size(), 3);
  EXPECT_EQ(attempts.int64(0, 0), 500);
  EXPECT_EQ(attempts.text(0, 1), "HTTP 500: try later");
  EXPECT_EQ(attempts.int64(1, 0), 500);
  EXPECT_EQ(attempts.int64(2, 0), 204);
  EXPECT_TRUE(attempts.is_null(2, 1));
  EXPECT_EQ(sql_int("SELECT attempts FROM callback_deliveries WHERE id = $1", {std::to_string(id)}),
            3);

  ASSERT_EQ(received_.size(), 3u);
  for (const auto& got : received_) {
    const auto& r = got.request;
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hooks/disparo?source=test");
    EXPECT_EQ(r.header("content-type").value_or(""), "application/json");
    EXPECT_EQ(r.header("webhook-id").value_or(""), standard_webhooks::webhook_id(id));
    EXPECT_EQ(r.body, payload);
    EXPECT_EQ(
        standard_webhooks::verify(kTestSecret, r.header("webhook-id").value_or(""),
                                  r.header("webhook-timestamp").value_or(""),
                                  r.header("webhook-signature").value_or(""), r.body, got.at_unix),
        standard_webhooks::Verdict::ok);
    EXPECT_EQ(standard_webhooks::verify(
                  "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", r.header("webhook-id").value_or(""),
                  r.header("webhook-timestamp").value_or(""),
                  r.header("webhook-signature").value_or(""), r.body, got.at_unix),
              standard_webhooks::Verdict::no_matching_signature);
  }
  EXPECT_TRUE(metric_has("disparo_callbacks_delivered_total 1"));
  EXPECT_TRUE(metric_has("disparo_callback_attempts_total{result=\"http_error\"} 2"));
  EXPECT_TRUE(metric_has("disparo_callback_attempts_total{result=\"ok\"} 1"));
  EXPECT_TRUE(metric_has("disparo_callbacks_failed_total 0"));
  EXPECT_TRUE(metric_has("disparo_callback_delivery_duration_seconds_count 3"));
}

TEST_F(CallbackSenderTest, InvalidUrlsAreRecordedAsAFailedAttempt) {
  const auto id = delivery_for("ftp://crm.example/hooks");
  CallbackSender& sender = make_sender(fast_settings());
  run([&]() -> asio::awaitable<void> {
    sender.start();
    EXPECT_TRUE(co_await until_state(id, "failed"));
    EXPECT_TRUE(co_await sender.stop(2s));
  });
  EXPECT_EQ(attempts_of(id), 1);
  const auto error =
      sql_text("SELECT error FROM callback_attempts WHERE delivery_id = $1", {std::to_string(id)});
  EXPECT_NE(error.find("invalid callback URL"), std::string::npos) << error;
  EXPECT_TRUE(received_.empty());
  EXPECT_TRUE(metric_has("disparo_callback_attempts_total{result=\"not_sent\"} 1"));
  EXPECT_TRUE(metric_has("disparo_callbacks_failed_total 1"));
}

TEST_F(CallbackSenderTest, AnUnreachableCrmFailsAfterTheLastAttempt) {
  // Port 1 on loopback: nothing listens there, the connect is refused at once.
  const auto id = delivery_for("http://127.0.0.1:1/hooks");
  auto settings = fast_settings();
  settings.retry.max_attempts = 3;
  CallbackSender& sender = make_sender(settings);
  run([&]() -> asio::awaitable<void> {
    sender.start();
    EXPECT_TRUE(co_await until_state(id, "failed"));
    EXPECT_TRUE(co_await sender.stop(2s));
  });
  EXPECT_EQ(attempts_of(id), 3);
  EXPECT_EQ(sql_int("SELECT count(*) FROM callback_attempts WHERE delivery_id = $1 "
                    "AND http_status IS NULL AND error <> ''",
                    {std::to_string(id)}),
            3);
  EXPECT_TRUE(metric_has("disparo_callback_attempts_total{result=\"network_error\"} 3"));
  EXPECT_TRUE(metric_has("disparo_callbacks_failed_total 1"));
}

TEST_F(CallbackSenderTest, DeliversManyWithBoundedConcurrencyAndInOrderPerMessage) {
  const auto tenant = add_tenant("busy", crm_url());
  const auto session = add_session(tenant);
  std::vector<std::int64_t> messages;
  for (int i = 0; i < 20; ++i) {
    const auto message = add_message(tenant, session);
    set_status(message, "sent");
    set_status(message, "delivered");
    messages.push_back(message);
  }
  auto settings = fast_settings();
  settings.max_in_flight = 4;
  CallbackSender& sender = make_sender(settings);
  std::size_t most_in_flight = 0;
  run([&]() -> asio::awaitable<void> {
    sender.start();
    asio::steady_timer tick(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (received_.size() < 40 && std::chrono::steady_clock::now() < deadline) {
      most_in_flight = std::max(most_in_flight, sender.in_flight());
      tick.expires_after(1ms);
      co_await tick.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    EXPECT_TRUE(co_await sender.stop(2s));
  });
  ASSERT_EQ(received_.size(), 40u);
  EXPECT_LE(most_in_flight, 4u);
  EXPECT_EQ(sql_int("SELECT count(*) FROM callback_deliveries WHERE state = 'delivered'"), 40);
  // For every message, "sent" reached the CRM before "delivered".
  for (const auto message : messages) {
    const std::string marker = "\"id\": \"" + std::to_string(message) + "\"";
    int sent_at = -1;
    int delivered_at = -1;
    for (std::size_t i = 0; i < received_.size(); ++i) {
      const auto& body = received_[i].request.body;
      if (body.find(marker) == std::string::npos) continue;
      if (body.find("\"message.sent\"") != std::string::npos) sent_at = static_cast<int>(i);
      if (body.find("\"message.delivered\"") != std::string::npos)
        delivered_at = static_cast<int>(i);
    }
    EXPECT_GE(sent_at, 0) << message;
    EXPECT_GT(delivered_at, sent_at) << message;
  }
}

}  // namespace
}  // namespace disparo::dispatch::test
