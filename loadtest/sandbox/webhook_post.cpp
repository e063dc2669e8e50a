// One webhook POST with retries, the bound on POSTs in flight, and the pauses drain() cuts short.
#include <exception>
#include <utility>
#include <variant>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "loadtest/sandbox/webhook_state.hpp"

namespace disparo::sandbox::webhook_detail {
namespace {

// Webhook POSTs in flight are bounded (kMaxConcurrentPosts), the rest wait in FIFO order: an
// unbounded burst would open a fresh connection per POST once the client's idle pool is in use,
// and a connect costs more than the POST.
asio::awaitable<void> acquire_slot(State s) {
  if (s->posts_in_flight < kMaxConcurrentPosts && s->slot_waiters.empty()) {
    ++s->posts_in_flight;
    co_return;
  }
  asio::steady_timer wake(s->io, SteadyClock::time_point::max());
  s->slot_waiters.push_back(&wake);
  std::error_code ignored;  // cancelled by release_slot(): the slot is ours
  co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

void release_slot(WebhookSenderState& s) {
  if (!s.slot_waiters.empty()) {
    // Hand the slot over directly: posts_in_flight stays the same.
    asio::steady_timer* next = s.slot_waiters.front();
    s.slot_waiters.pop_front();
    next->cancel();
    return;
  }
  --s.posts_in_flight;
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

}  // namespace

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


// POSTs `out` until a 2xx answer or the retries run out; records every attempt.
asio::awaitable<void> deliver(State s, const Outgoing& out) {
  const std::string signature =
      out.sign ? crypto::hub_signature_256(s->options.app_secret, out.body) : std::string();
  for (int attempt = 1;; ++attempt) {
    http::Request request;
    request.method = "POST";
    request.target = out.url.target;
    request.headers = {{"Content-Type", "application/json"}};
    if (out.sign) {
      request.headers.emplace_back("X-Hub-Signature-256", signature);
      request.headers.emplace_back("User-Agent", "facebookexternalua");
    }
    for (const auto& h : out.headers) request.headers.push_back(h);
    request.body = out.body;

    WebhookAttempt record;
    record.provider = out.provider;
    record.event = out.event;
    record.wamid = out.wamid;
    record.status = out.status;
    record.attempt = attempt;
    record.url = out.url_text;
    if (s->recorder.keeps_payloads()) {
      record.body = out.body;
      record.signature = signature;
      record.headers = out.headers;
    }
    record.sent_at_us = unix_us(s->clock);
    co_await acquire_slot(s);
    const auto started = SteadyClock::now();
    const auto result = co_await s->client.send(out.url, std::move(request));
    release_slot(*s);
    record.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count();
    const bool ok = classify(result, record);
    record.final = ok || attempt > s->options.max_retries || s->flushing;
    if (!ok) {
      s->logger.warn("webhook_failed", {{"kind", out.event},
                                        {"wamid", out.wamid},
                                        {"status", out.status},
                                        {"attempt", attempt},
                                        {"outcome", record.outcome},
                                        {"error", record.error},
                                        {"final", record.final}});
    } else {
      s->logger.debug("webhook_delivered",
                      {{"kind", out.event}, {"wamid", out.wamid}, {"attempt", attempt}});
    }
    const bool final = record.final;
    s->recorder.add_webhook(std::move(record));
    if (final) co_return;
    co_await pause(s, s->options.retry_base * (1 << std::min(attempt - 1, 16)));
  }
}

// The caller counted the POST in `in_flight` before spawning: drain() must see it at once.
asio::awaitable<void> deliver_counted(State s, Outgoing out, std::chrono::milliseconds delay) {
  struct Done {
    WebhookSenderState& state;
    ~Done() { --state.in_flight; }
  } done{*s};
  try {
    co_await pause(s, delay);
    co_await deliver(s, out);
  } catch (const std::exception& e) {
    s->logger.error("webhook_bug", {{"kind", out.event}, {"error", e.what()}});
  }
}

}  // namespace disparo::sandbox::webhook_detail
