#include "loadtest/sandbox/webhook_sender.hpp"

#include <array>
#include <exception>
#include <set>
#include <stdexcept>
#include <utility>
#include <variant>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "loadtest/sandbox/cloud_api_wire.hpp"

namespace disparo::sandbox {

struct WebhookSenderState {
  WebhookSenderState(asio::io_context& i, http::Client& c, Recorder& r, const Clock& k,
                     log::Logger& l, WebhookOptions o, http::Url u)
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
  WebhookOptions options;
  http::Url url;
  std::size_t in_flight = 0;
  bool flushing = false;
  std::set<asio::steady_timer*> timers;  // waiting now; drain() cancels them
};

namespace {

using State = std::shared_ptr<WebhookSenderState>;
using SteadyClock = std::chrono::steady_clock;

constexpr std::array<const char*, 3> kStatuses = {"sent", "delivered", "read"};
constexpr std::chrono::seconds kConversationLifetime{24 * 3600};

std::int64_t unix_us(const disparo::Clock& clock) {
  return clock.now().time_since_epoch().count();
}

// Waits `delay`, or not at all once the sender is flushing.
asio::awaitable<void> pause(State s, std::chrono::milliseconds delay) {
  if (s->flushing || delay.count() <= 0) co_return;
  asio::steady_timer timer(s->io, delay);
  s->timers.insert(&timer);
  struct Unregister {
    WebhookSenderState& state;
    asio::steady_timer* timer;
    ~Unregister() { state.timers.erase(timer); }
  } unregister{*s, &timer};
  std::error_code ignored;  // cancelled by drain(): carry on at once
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Fills the outcome fields of `attempt` from the client's result; true when delivered (2xx).
bool classify(const std::variant<http::Response, http::ClientError>& result,
              WebhookAttempt& attempt) {
  if (const auto* response = std::get_if<http::Response>(&result)) {
    attempt.http_status = response->status;
    if (response->status >= 200 && response->status < 300) {
      attempt.outcome = "delivered";
      return true;
    }
    attempt.outcome = "http_error";
    attempt.error = "HTTP " + std::to_string(response->status);
    return false;
  }
  const auto& failure = std::get<http::ClientError>(result);
  attempt.outcome = to_string(failure.error.kind);
  attempt.error = failure.error.message;
  return false;
}

asio::awaitable<void> deliver(State s, const AcceptedMessage& m, std::string status,
                              const std::optional<Conversation>& conversation) {
  StatusUpdate update;
  update.wamid = m.wamid;
  update.status = status;
  update.timestamp = unix_us(s->clock) / 1'000'000;
  update.recipient_id = m.wa_id;
  update.biz_opaque_callback_data = m.biz_opaque_callback_data;
  if (status_carries_pricing(status)) {
    update.pricing = pricing_for(m.message_type);
    update.conversation = conversation;
  }
  const BusinessAccount account{s->options.waba_id, s->options.display_phone_number,
                                m.phone_number_id};
  const std::string body = render_status_webhook(account, update);
  const std::string signature = crypto::hub_signature_256(s->options.app_secret, body);

  for (int attempt = 1;; ++attempt) {
    http::Request request;
    request.method = "POST";
    request.target = s->url.target;
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Hub-Signature-256", signature},
                       {"User-Agent", "facebookexternalua"}};
    request.body = body;

    WebhookAttempt record;
    record.wamid = m.wamid;
    record.status = status;
    record.attempt = attempt;
    record.url = s->options.url;
    record.body = body;
    record.signature = signature;
    record.sent_at_us = unix_us(s->clock);
    const auto started = SteadyClock::now();
    const auto result = co_await s->client.send(s->url, std::move(request));
    record.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count();
    const bool ok = classify(result, record);
    record.final = ok || attempt > s->options.max_retries || s->flushing;
    if (!ok) {
      s->logger.warn("webhook_failed", {{"wamid", m.wamid},
                                        {"status", status},
                                        {"attempt", attempt},
                                        {"outcome", record.outcome},
                                        {"error", record.error},
                                        {"final", record.final}});
    } else {
      s->logger.debug("webhook_delivered",
                      {{"wamid", m.wamid}, {"status", status}, {"attempt", attempt}});
    }
    const bool final = record.final;
    s->recorder.add_webhook(std::move(record));
    if (final) co_return;
    co_await pause(s, s->options.retry_base * (1 << std::min(attempt - 1, 16)));
  }
}

std::optional<Conversation> conversation_for(const State& s, const AcceptedMessage& m) {
  if (!api_includes_conversation(m.api_major)) return std::nullopt;
  Conversation c;
  c.id = crypto::sha256_hex(crypto::random_token(24)).substr(0, 32);
  c.expiration_timestamp = unix_us(s->clock) / 1'000'000 + kConversationLifetime.count();
  c.origin_type = pricing_for(m.message_type).category;
  return c;
}

// schedule() counted the message in `in_flight` already: drain() must see it before it runs.
asio::awaitable<void> run_message(State s, AcceptedMessage m) {
  struct Done {
    WebhookSenderState& state;
    ~Done() { --state.in_flight; }
  } done{*s};
  try {
    const std::optional<Conversation> conversation = conversation_for(s, m);
    for (const char* status : kStatuses) {
      co_await pause(s, s->options.status_delay);
      co_await deliver(s, m, status, conversation);
    }
  } catch (const std::exception& e) {
    s->logger.error("webhook_bug", {{"wamid", m.wamid}, {"error", e.what()}});
  }
}

}  // namespace

WebhookSender::WebhookSender(asio::io_context& io, http::Client& client, Recorder& recorder,
                             const disparo::Clock& clock, log::Logger& logger,
                             WebhookOptions options) {
  std::optional<http::Url> url = http::parse_url(options.url);
  if (!url) throw std::invalid_argument("webhook url must be http://host:port/path");
  state_ = std::make_shared<WebhookSenderState>(io, client, recorder, clock, logger,
                                                std::move(options), std::move(*url));
}

WebhookSender::~WebhookSender() = default;

void WebhookSender::schedule(AcceptedMessage message) {
  ++state_->in_flight;
  asio::co_spawn(state_->io, run_message(state_, std::move(message)), asio::detached);
}

asio::awaitable<bool> WebhookSender::drain(std::chrono::milliseconds bound) {
  State s = state_;
  s->flushing = true;
  for (asio::steady_timer* timer : s->timers) timer->cancel();
  const auto deadline = SteadyClock::now() + bound;
  asio::steady_timer poll(s->io);
  while (s->in_flight > 0 && SteadyClock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(5));
    std::error_code ignored;
    co_await poll.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return s->in_flight == 0;
}

std::size_t WebhookSender::in_flight() const {
  return state_->in_flight;
}

}  // namespace disparo::sandbox
