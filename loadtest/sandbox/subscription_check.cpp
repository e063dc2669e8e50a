#include "loadtest/sandbox/subscription_check.hpp"

#include <exception>
#include <stdexcept>
#include <variant>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "loadtest/sandbox/cloud_api_wire.hpp"

namespace disparo::sandbox {

struct SubscriptionCheckState {
  SubscriptionCheckState(asio::io_context& i, http::Client& c, Recorder& r, const Clock& k,
                         log::Logger& l, SubscriptionOptions o, http::Url u)
      : io(i),
        client(c),
        recorder(r),
        clock(k),
        logger(l),
        options(std::move(o)),
        url(std::move(u)) {}

  asio::io_context& io;
  http::Client& client;
  Recorder& recorder;
  const Clock& clock;
  log::Logger& logger;
  SubscriptionOptions options;
  http::Url url;
};

namespace {

using State = std::shared_ptr<SubscriptionCheckState>;

// Meta's challenges are decimal numbers; ours are 10 random digits.
std::string make_challenge() {
  std::string out = crypto::random_token(10);
  for (char& c : out) c = static_cast<char>('0' + static_cast<unsigned char>(c) % 10);
  return out;
}

asio::awaitable<SubscriptionAttempt> check(State s, int attempt) {
  SubscriptionAttempt record;
  record.attempt = attempt;
  record.url = s->options.url;
  record.challenge = make_challenge();
  record.at_us = s->clock.now().time_since_epoch().count();

  http::Url url = s->url;
  url.target += url.target.find('?') == std::string::npos ? '?' : '&';
  url.target += "hub.mode=subscribe&hub.verify_token=" + percent_encode(s->options.verify_token) +
                "&hub.challenge=" + record.challenge;
  http::Request request;
  request.method = "GET";
  request.target = url.target;
  request.headers = {{"User-Agent", "facebookplatform/1.0 (+http://developers.facebook.com)"}};

  const auto result = co_await s->client.send(url, std::move(request));
  if (const auto* response = std::get_if<http::Response>(&result)) {
    record.http_status = response->status;
    if (response->status != 200) {
      record.outcome = "http_error";
    } else if (response->body != record.challenge) {
      record.outcome = "wrong_challenge";
    } else {
      record.outcome = "verified";
      record.ok = true;
    }
  } else {
    record.outcome = to_string(std::get<http::ClientError>(result).error.kind);
  }
  s->logger.write(
      record.ok ? log::Level::info : log::Level::warn, "webhook_subscription",
      {{"attempt", attempt}, {"outcome", record.outcome}, {"http_status", record.http_status}});
  s->recorder.add_subscription(record);
  co_return record;
}

asio::awaitable<void> retry_until_verified(State s) {
  try {
    asio::steady_timer timer(s->io);
    for (int attempt = 1; attempt <= s->options.attempts; ++attempt) {
      const SubscriptionAttempt result = co_await check(s, attempt);
      // A 2xx-4xx answer is the dispatcher's verdict, not an outage: retrying will not change it.
      if (result.ok || (result.http_status != 0 && result.http_status < 500)) co_return;
      timer.expires_after(s->options.retry_base * (1 << std::min(attempt - 1, 16)));
      std::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  } catch (const std::exception& e) {
    s->logger.error("webhook_subscription_bug", {{"error", e.what()}});
  }
}

}  // namespace

SubscriptionCheck::SubscriptionCheck(asio::io_context& io, http::Client& client, Recorder& recorder,
                                     const Clock& clock, log::Logger& logger,
                                     SubscriptionOptions options) {
  std::optional<http::Url> url = http::parse_url(options.url);
  if (!url) throw std::invalid_argument("webhook url must be http://host:port/path");
  state_ = std::make_shared<SubscriptionCheckState>(io, client, recorder, clock, logger,
                                                    std::move(options), std::move(*url));
}

SubscriptionCheck::~SubscriptionCheck() = default;

asio::awaitable<SubscriptionAttempt> SubscriptionCheck::check_once(int attempt) {
  return check(state_, attempt);
}

void SubscriptionCheck::start_background() {
  asio::co_spawn(state_->io, retry_until_verified(state_), asio::detached);
}

}  // namespace disparo::sandbox
