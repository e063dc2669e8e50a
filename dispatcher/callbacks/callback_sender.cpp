#include "dispatcher/callbacks/callback_sender.hpp"

#include <exception>
#include <string>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "dispatcher/callbacks/standard_webhooks.hpp"

namespace disparo::dispatch {
namespace {

using std::chrono::milliseconds;
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

CallbackAttempt metric_label(CallbackResult result) {
  switch (result) {
    case CallbackResult::ok:
      return CallbackAttempt::ok;
    case CallbackResult::http_error:
      return CallbackAttempt::http_error;
    case CallbackResult::network_error:
      return CallbackAttempt::network_error;
    case CallbackResult::not_sent:
      return CallbackAttempt::not_sent;
  }
  return CallbackAttempt::network_error;
}

CallbackAttemptOutcome not_sent(std::string why) {
  CallbackAttemptOutcome outcome;
  outcome.result = CallbackResult::not_sent;
  outcome.error = std::move(why);
  return outcome;
}

}  // namespace

CallbackSender::CallbackSender(asio::io_context& io, Database& db, http::Client& client,
                               DispatcherMetrics& metrics, log::Logger& log, const Clock& clock,
                               CallbackSenderSettings settings)
    : io_(io),
      db_(db),
      client_(client),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      settings_(settings),
      timer_(io),
      random_(std::random_device{}()) {
  if (settings_.max_in_flight == 0) settings_.max_in_flight = 1;
}

void CallbackSender::start() {
  started_ = true;
  asio::co_spawn(io_, run(), asio::detached);
}

void CallbackSender::wake() {
  wake_pending_ = true;
  if (waiting_) timer_.cancel();
}

asio::awaitable<void> CallbackSender::pause(milliseconds duration) {
  if (stopping_ || wake_pending_) co_return;
  waiting_ = true;
  timer_.expires_after(duration);
  co_await timer_.async_wait(use_nothrow);
  waiting_ = false;
}

asio::awaitable<void> CallbackSender::run() {
  log_.info("callback_sender_started",
            {{"max_in_flight", static_cast<std::uint64_t>(settings_.max_in_flight)}});
  while (!stopping_) {
    wake_pending_ = false;
    bool maybe_more = false;
    const std::size_t free = settings_.max_in_flight - in_flight_;
    if (free > 0) {
      const int limit = static_cast<int>(free);
      const milliseconds lease = settings_.lease;
      auto claimed = co_await db_.run(
          [limit, lease](pg::Connection& conn) { return claim_due_callbacks(conn, limit, lease); });
      if (!claimed) {
        log_.warn("callback_claim_failed", {{"error", claimed.error().message}});
      } else {
        maybe_more = claimed->size() == free;
        for (auto& delivery : *claimed) {
          ++in_flight_;
          asio::co_spawn(io_, deliver(std::move(delivery)), asio::detached);
        }
      }
    }
    if (stopping_) break;
    if (maybe_more && in_flight_ < settings_.max_in_flight) continue;
    co_await pause(settings_.poll_interval);  // a finished delivery or wake() cuts it short
  }
  loop_finished_ = true;
  log_.info("callback_sender_stopped", {{"in_flight", static_cast<std::uint64_t>(in_flight_)}});
}

asio::awaitable<CallbackAttemptOutcome> CallbackSender::attempt(const DueCallback& delivery) {
  const auto now = clock_.now();
  const std::int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto signed_headers = standard_webhooks::sign(
      delivery.secret, standard_webhooks::webhook_id(delivery.id), timestamp, delivery.body);
  if (!signed_headers) {
    co_return not_sent(
        "the tenant's callback_secret is not a Standard Webhooks secret "
        "(\"whsec_\" followed by base64)");
  }
  auto url = http::parse_url(delivery.url);
  if (!url) {
    co_return not_sent("invalid callback URL: expected http(s)://host[:port]/path");
  }

  http::Request request;
  request.method = "POST";
  request.target = url->target;
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "Disparo-Callbacks/1"},
                     {"webhook-id", std::move(signed_headers->id)},
                     {"webhook-timestamp", std::move(signed_headers->timestamp)},
                     {"webhook-signature", std::move(signed_headers->signature)}};
  request.body = delivery.body;

  const auto started = std::chrono::steady_clock::now();
  auto answer = co_await client_.send(*url, std::move(request));
  CallbackAttemptOutcome outcome;
  outcome.duration =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  if (auto* response = std::get_if<http::Response>(&answer)) {
    outcome.http_status = response->status;
    if (response->status >= 200 && response->status < 300) {
      outcome.result = CallbackResult::ok;
      co_return outcome;
    }
    outcome.result = CallbackResult::http_error;
    outcome.error = "HTTP " + std::to_string(response->status);
    if (!response->body.empty()) outcome.error += ": " + response->body;  // trimmed when stored
    if (response->status == 429 || response->status == 503) {
      if (auto after = response->header("Retry-After"))
        outcome.retry_after = parse_retry_after(*after);
    }
    co_return outcome;
  }
  const auto& failure = std::get<http::ClientError>(answer);
  outcome.result = CallbackResult::network_error;
  outcome.error = failure.error.message;
  co_return outcome;
}

asio::awaitable<void> CallbackSender::record(const DueCallback& delivery,
                                             const CallbackAttemptOutcome& outcome,
                                             const CallbackDecision& decision) {
  using Action = CallbackDecision::Action;
  // A passing database error must not lose the result: retry a few times. If it still fails,
  // the lease runs out and the delivery is sent again (receivers dedupe by webhook-id).
  for (int tries = 0; tries < 5; ++tries) {
    auto recorded = co_await db_.run([&](pg::Connection& conn) {
      return record_callback_attempt(conn, delivery, outcome, decision);
    });
    if (recorded) {
      if (!*recorded) co_return;  // the claim had lapsed: a newer attempt owns the delivery
      if (decision.action == Action::delivered) {
        metrics_.callbacks_delivered.Increment();
        log_.debug("callback_delivered",
                   {{"delivery", delivery.id}, {"attempts", delivery.attempts}});
      } else if (decision.action == Action::fail) {
        metrics_.callbacks_failed.Increment();
        log_.warn("callback_failed", {{"delivery", delivery.id},
                                      {"message", delivery.message_id},
                                      {"tenant", delivery.tenant_id},
                                      {"attempts", delivery.attempts},
                                      {"http_status", outcome.http_status},
                                      {"error", printable_excerpt(outcome.error, 200)}});
      } else {
        log_.info("callback_retry",
                  {{"delivery", delivery.id},
                   {"attempts", delivery.attempts},
                   {"http_status", outcome.http_status},
                   {"delay_ms", static_cast<std::int64_t>(decision.delay.count())},
                   {"error", printable_excerpt(outcome.error, 200)}});
      }
      co_return;
    }
    log_.warn("callback_record_failed",
              {{"delivery", delivery.id}, {"error", recorded.error().message}});
    asio::steady_timer backoff(io_);
    backoff.expires_after(milliseconds(200 * (tries + 1)));
    co_await backoff.async_wait(use_nothrow);
  }
}

asio::awaitable<void> CallbackSender::deliver(DueCallback delivery) {
  try {
    const CallbackAttemptOutcome outcome = co_await attempt(delivery);
    metrics_.count_callback_attempt(metric_label(outcome.result),
                                    std::chrono::duration<double>(outcome.duration).count());
    const CallbackDecision decision =
        decide_after_callback(outcome, delivery.attempts, settings_.retry, random_);
    co_await record(delivery, outcome, decision);
  } catch (const std::exception& e) {
    // A bug must not leak the slot: log it; the lease makes the delivery due again.
    log_.error("callback_delivery_error", {{"delivery", delivery.id}, {"error", e.what()}});
  }
  --in_flight_;
  wake();  // a slot is free, and the message's next callback may now be claimable
}

asio::awaitable<bool> CallbackSender::stop(milliseconds grace) {
  stopping_ = true;
  timer_.cancel();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  asio::steady_timer tick(io_);
  for (;;) {
    if ((loop_finished_ || !started_) && in_flight_ == 0) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    tick.expires_after(milliseconds(20));
    co_await tick.async_wait(use_nothrow);
  }
}

}  // namespace disparo::dispatch
