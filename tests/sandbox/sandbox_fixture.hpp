// Test fixture: the whole simulator (both providers, a seeded BehaviourEngine) in-process on
// loopback, with a webhook receiver in the dispatcher's place and http::Client as the caller.
// Tests run on one io_context under a deadline and wait on conditions, never on fixed sleeps.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "common/crypto.hpp"
#include "loadtest/sandbox/behaviour_engine.hpp"
#include "loadtest/sandbox/sandbox_service.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox::test {

using namespace std::chrono_literals;

inline constexpr const char* kSecret = "app-secret-for-tests";
inline constexpr const char* kToken = "EAAGfixturetoken000000001";
inline constexpr const char* kEvolutionKey = "evolution-global-key-0001";
inline constexpr const char* kPnid = "106540352242922";
inline constexpr const char* kCloudPath = "/webhooks/cloud_api";

// Stands in for the dispatcher: keeps every POST; answers 500 to the first `fail_next`.
struct WebhookReceiver {
  std::vector<http::Request> posts;
  int fail_next = 0;
  std::vector<http::Request> at(std::string_view path) const {
    std::vector<http::Request> out;
    for (const auto& p : posts) {
      if (p.path() == path) out.push_back(p);
    }
    return out;
  }
};

inline asio::awaitable<http::Response> receive_webhook(WebhookReceiver* r, http::Request request) {
  r->posts.push_back(request);
  if (r->fail_next > 0) {
    --r->fail_next;
    co_return http::json_response(500, R"({"error":"try later"})");
  }
  co_return http::json_response(200, "{}");
}

inline std::string cloud_text(std::string_view to = "+5511987654321") {
  return R"({"messaging_product":"whatsapp","recipient_type":"individual","to":")" +
         std::string(to) + R"(","type":"text","text":{"body":"Olá, sua fatura vence amanhã"}})";
}

inline std::string cloud_template(std::string_view name, std::string_view language,
                                  std::string_view to = "+5511987654321") {
  return R"({"messaging_product":"whatsapp","to":")" + std::string(to) +
         R"(","type":"template","template":{"name":")" + std::string(name) +
         R"(","language":{"code":")" + std::string(language) + R"("}}})";
}

class SandboxFixture : public ::testing::Test {
 protected:
  SandboxFixture()
      : sink_(std::fopen("/dev/null", "w")), logger_("sandbox-test", log::Level::debug, sink_) {
    receiver_server_ = std::make_unique<http::Server>(
        io_, http::ServerOptions{},
        [r = &receiver_](http::Request request) { return receive_webhook(r, std::move(request)); });
    receiver_server_->start();
  }
  ~SandboxFixture() override {
    if (server_) server_->stop();
    receiver_server_->stop();
    std::fclose(sink_);
  }

  std::string receiver_base() const {
    return "http://127.0.0.1:" + std::to_string(receiver_server_->port());
  }

  // Starts the sandbox: 10 ms status delay, retries after 10 ms, seed 7, Evolution webhooks to
  // <receiver>/evolution/{instance} unless /webhook/set says otherwise.
  void start(std::int64_t status_delay_ms = 10) {
    WebhookOptions options;
    options.url = receiver_base() + kCloudPath;
    options.app_secret = kSecret;
    options.status_delay = std::chrono::milliseconds(status_delay_ms);
    options.max_retries = 2;
    options.retry_base = 10ms;
    sender_ = std::make_unique<WebhookSender>(io_, client_, recorder_, clock_, logger_, options);
    engine_ = std::make_unique<BehaviourEngine>(default_behaviour(status_delay_ms), 7, clock_);
    ServiceOptions service_options;
    service_options.access_token = kToken;
    service_options.evolution.api_key = kEvolutionKey;
    service_options.evolution.webhook_url = receiver_base() + "/evolution/{instance}";
    service_options.evolution.server_url = "http://sandbox.test";
    service_ = std::make_unique<SandboxService>(std::move(service_options), recorder_, *sender_,
                                                clock_, logger_, nullptr, engine_.get());
    server_ = std::make_unique<http::Server>(io_, http::ServerOptions{}, service_->handler());
    server_->start();
  }

  void run(const std::function<asio::awaitable<void>()>& test,
           std::chrono::seconds deadline = 20s) {
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

  // Waits until the sender is idle and nothing new arrived for a while (no status is pending).
  asio::awaitable<void> settle(std::chrono::milliseconds quiet = 150ms) {
    co_await wait_until([&] { return sender_->in_flight() == 0; });
    asio::steady_timer timer(co_await asio::this_coro::executor, quiet);
    co_await timer.async_wait(asio::use_awaitable);
    co_await wait_until([&] { return sender_->in_flight() == 0; });
  }

  // The raw exchange; a ClientError is returned as status 0 with the message in the body.
  asio::awaitable<http::Response> call(std::string method, std::string target,
                                       std::string body = {}, http::Headers headers = {}) {
    const http::Url url{"http", "127.0.0.1", server_->port(), target};
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.headers = std::move(headers);
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
    auto result = co_await client_.send(url, std::move(request));
    if (auto* response = std::get_if<http::Response>(&result)) co_return *response;
    co_return http::Response{0, {}, std::get<http::ClientError>(result).error.message, false};
  }

  // gcc 12: braced temporaries never go inside a co_await expression (see the team brief), so
  // the headers are named locals.
  asio::awaitable<http::Response> cloud_send(std::string body) {
    co_return co_await cloud_send_as(std::move(body), std::string(kPnid));
  }
  asio::awaitable<http::Response> cloud_send_as(std::string body, std::string pnid) {
    http::Headers headers;
    headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    co_return co_await call("POST", "/v24.0/" + pnid + "/messages", std::move(body),
                            std::move(headers));
  }

  // An Evolution call with the global apikey.
  asio::awaitable<http::Response> evolution_call(std::string method, std::string target,
                                                 std::string body = {}) {
    http::Headers headers;
    headers.emplace_back("apikey", std::string(kEvolutionKey));
    co_return co_await call(std::move(method), std::move(target), std::move(body),
                            std::move(headers));
  }

  asio::awaitable<http::Response> evolution(std::string action, std::string instance,
                                            std::string body) {
    co_return co_await evolution_with_key(std::move(action), std::move(instance), std::move(body),
                                          std::string(kEvolutionKey));
  }
  asio::awaitable<http::Response> evolution_with_key(std::string action, std::string instance,
                                                     std::string body, std::string apikey) {
    http::Headers headers;
    if (!apikey.empty()) headers.emplace_back("apikey", apikey);
    co_return co_await call("POST", "/message/" + action + "/" + instance, std::move(body),
                            std::move(headers));
  }

  asio::awaitable<http::Response> put_behaviour(std::string document) {
    co_return co_await call("PUT", "/_sandbox/behaviour", std::move(document));
  }

  // Every status object the Cloud API webhooks carried, in arrival order.
  struct SeenStatus {
    std::string wamid, status, recipient_id;
    std::optional<std::int64_t> error_code;
  };
  std::vector<SeenStatus> cloud_statuses() const {
    std::vector<SeenStatus> out;
    for (const auto& post : receiver_.at(kCloudPath)) {
      JsonProbe j(post.body);
      for (std::size_t c = 0; c < j.size("/entry/0/changes"); ++c) {
        const std::string v = "/entry/0/changes/" + std::to_string(c) + "/value/statuses";
        for (std::size_t i = 0; i < j.size(v); ++i) {
          const std::string s = v + "/" + std::to_string(i);
          out.push_back({j.str(s + "/id").value_or(""), j.str(s + "/status").value_or(""),
                         j.str(s + "/recipient_id").value_or(""), j.num(s + "/errors/0/code")});
        }
      }
    }
    return out;
  }

  std::FILE* sink_;
  log::Logger logger_;
  asio::io_context io_;
  SystemClock clock_;
  http::Client client_{io_};
  WebhookReceiver receiver_;
  std::unique_ptr<http::Server> receiver_server_;
  Recorder recorder_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<BehaviourEngine> engine_;
  std::unique_ptr<SandboxService> service_;
  std::unique_ptr<http::Server> server_;
};

// The Meta signature over the exact bytes received, computed independently.
inline void expect_meta_signature(const http::Request& post) {
  const auto signature = post.header("X-Hub-Signature-256");
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(*signature, "sha256=" + crypto::hmac_sha256_hex(kSecret, post.body));
}

}  // namespace disparo::sandbox::test
