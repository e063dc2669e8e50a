// The status pipeline: plans of accepted messages wait in one time-ordered queue, Cloud API
// statuses are batched, one-off events are posted; the POST itself is in webhook_post.cpp.
#include "loadtest/sandbox/webhook_sender.hpp"

#include <exception>
#include <stdexcept>
#include <utility>
#include <variant>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "loadtest/sandbox/cloud_api_wire.hpp"
#include "loadtest/sandbox/evolution_wire.hpp"
#include "loadtest/sandbox/meta_error_codes.hpp"
#include "loadtest/sandbox/webhook_state.hpp"

namespace disparo::sandbox {
namespace {

using namespace webhook_detail;

constexpr std::chrono::seconds kConversationLifetime{24 * 3600};
// How long a partial batch waits for more statuses before it is posted.
constexpr std::chrono::milliseconds kBatchLinger{20};

Outgoing cloud_outgoing(const State& s, std::string event, std::string body) {
  Outgoing out;
  out.provider = "cloud_api";
  out.event = std::move(event);
  out.url_text = s->options.url;
  out.url = s->url;
  out.body = std::move(body);
  out.sign = true;
  return out;
}

StatusUpdate status_update(const State& s, const AcceptedMessage& m, const PlannedStatus& planned,
                           const std::optional<Conversation>& conversation) {
  StatusUpdate update;
  update.wamid = m.wamid;
  update.status = planned.status;
  update.timestamp = unix_us(s->clock) / 1'000'000;
  update.recipient_id = m.wa_id;
  update.biz_opaque_callback_data = m.biz_opaque_callback_data;
  if (status_carries_pricing(planned.status)) {
    update.pricing = pricing_for(m.message_type);
    update.conversation = conversation;
  }
  if (planned.error_code) update.error = meta_error_for_code(*planned.error_code);
  return update;
}

void flush_batch(const State& s) {
  s->flush_posted = false;
  if (s->batch.empty()) return;
  std::string wamids, statuses;
  for (std::size_t i = 0; i < s->batch.size(); ++i) {
    if (i > 0) {
      wamids += ',';
      statuses += ',';
    }
    wamids += s->batch[i].update.wamid;
    statuses += s->batch[i].update.status;
  }
  Outgoing out = cloud_outgoing(
      s, "statuses",
      render_status_batch(s->options.waba_id, s->options.display_phone_number, s->batch));
  out.wamid = std::move(wamids);
  out.status = std::move(statuses);
  s->batch.clear();
  ++s->in_flight;
  asio::co_spawn(s->io, deliver_counted(s, std::move(out), std::chrono::milliseconds(0)),
                 asio::detached);
}

// Adds a status to the pending batch: full batches go at once, others after kBatchLinger.
void enqueue_batched(const State& s, const AcceptedMessage& m, StatusUpdate update) {
  s->batch_max = m.batch_max;
  s->batch.push_back(NumberStatus{m.phone_number_id, std::move(update)});
  if (static_cast<int>(s->batch.size()) >= s->batch_max) {
    flush_batch(s);
    return;
  }
  if (!s->flush_posted) {
    // Statuses that fall due within the linger share a POST, as Meta aggregates updates.
    s->flush_posted = true;
    s->linger.expires_after(s->flushing ? std::chrono::milliseconds(0) : kBatchLinger);
    const std::uint64_t generation = ++s->linger_generation;
    s->linger.async_wait([s, generation](const std::error_code&) {
      if (generation == s->linger_generation && s->flush_posted) flush_batch(s);
    });
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

std::vector<PlannedStatus> default_plan(const State& s) {
  std::vector<PlannedStatus> plan;
  for (const char* status : {"sent", "delivered", "read"}) {
    plan.push_back(PlannedStatus{status, s->options.status_delay, false, std::nullopt});
  }
  return plan;
}

Outgoing evolution_outgoing(const State& s, const AcceptedMessage& m, const PlannedStatus& p) {
  const EvolutionTarget& t = *m.evolution;
  Outgoing out;
  out.provider = "evolution";
  out.event = "messages.update";
  out.url_text = t.url;
  out.url = *http::parse_url(t.url);  // checked by schedule()
  out.headers = t.headers;
  EvolutionStatusUpdate update{m.wamid, m.wa_id, evolution_status_for(p.status), t.instance_id};
  out.body = render_evolution_envelope(t, "messages.update",
                                       render_evolution_status(update),
                                       unix_us(s->clock));
  out.wamid = m.wamid;
  out.status = update.status;
  return out;
}

void arm(const State& s);

// Queues the next status of `run`, or finishes the message (schedule() counted it in in_flight).
void continue_run(const State& s, std::shared_ptr<MessageRun> run,
                  std::chrono::milliseconds extra = std::chrono::milliseconds(0)) {
  if (run->next >= run->plan.size()) {
    --s->in_flight;
    return;
  }
  const auto at = s->flushing ? SteadyClock::now()
                              : SteadyClock::now() + extra + run->plan[run->next].delay;
  s->due.push(DueStatus{at, ++s->due_sequence, std::move(run)});
  arm(s);
}

// Posts one status (and its duplicate) and then lets the message go on: the next status is
// posted only after this one was, as Meta does for one message.
asio::awaitable<void> deliver_then_continue(State s, std::shared_ptr<MessageRun> run, Outgoing out,
                                            bool duplicate) {
  try {
    co_await deliver(s, out);
    if (duplicate) co_await deliver(s, out);
  } catch (const std::exception& e) {
    s->logger.error("webhook_bug", {{"wamid", run->m.wamid}, {"error", e.what()}});
  }
  continue_run(s, std::move(run));
}

void step(const State& s, std::shared_ptr<MessageRun> run) {
  const AcceptedMessage& m = run->m;
  const PlannedStatus planned = run->plan[run->next++];
  if (m.evolution) {
    Outgoing out = evolution_outgoing(s, m, planned);
    asio::co_spawn(s->io, deliver_then_continue(s, std::move(run), std::move(out), planned.duplicate),
                   asio::detached);
  } else if (m.batch_max > 1) {
    StatusUpdate update = status_update(s, m, planned, run->conversation);
    if (planned.duplicate) enqueue_batched(s, m, update);
    enqueue_batched(s, m, std::move(update));
    continue_run(s, std::move(run));
  } else {
    const StatusUpdate update = status_update(s, m, planned, run->conversation);
    const BusinessAccount account{s->options.waba_id, s->options.display_phone_number,
                                  m.phone_number_id};
    Outgoing out = cloud_outgoing(s, "statuses", render_status_webhook(account, update));
    out.wamid = m.wamid;
    out.status = planned.status;
    asio::co_spawn(s->io, deliver_then_continue(s, std::move(run), std::move(out), planned.duplicate),
                   asio::detached);
  }
}

void run_due(const State& s) {
  const auto now = SteadyClock::now();
  while (!s->due.empty() && (s->flushing || s->due.top().at <= now)) {
    std::shared_ptr<MessageRun> run = s->due.top().run;
    s->due.pop();
    step(s, std::move(run));
  }
  arm(s);
}

// Sets the one timer to the earliest due status (a generation number discards the handler of a
// wait that was superseded).
void arm(const State& s) {
  if (s->due.empty()) return;
  const auto at = s->due.top().at;
  if (s->armed && s->armed_at <= at) return;
  s->armed = true;
  s->armed_at = at;
  const std::uint64_t generation = ++s->wake_generation;
  s->wake.expires_at(at);
  s->wake.async_wait([s, generation](const std::error_code&) {
    if (generation != s->wake_generation) return;
    s->armed = false;
    run_due(s);
  });
}

}  // namespace

WebhookSender::WebhookSender(asio::io_context& io, http::Client& client, Recorder& recorder,
                             const disparo::Clock& clock, log::Logger& logger,
                             WebhookOptions options) {
  std::optional<http::Url> url = http::parse_url(options.url);
  if (!url || url->scheme != "http") {
    throw std::invalid_argument("webhook url must be http://host:port/path");
  }
  state_ = std::make_shared<WebhookSenderState>(io, client, recorder, clock, logger,
                                                std::move(options), std::move(*url));
}

WebhookSender::~WebhookSender() = default;

void WebhookSender::schedule(AcceptedMessage message) {
  if (message.evolution && !http::parse_url(message.evolution->url)) return;  // no webhook URL
  auto run = std::make_shared<MessageRun>();
  run->plan = message.plan ? std::move(*message.plan) : default_plan(state_);
  if (!message.evolution) run->conversation = conversation_for(state_, message);
  const auto start = message.start_delay;
  run->m = std::move(message);
  ++state_->in_flight;
  continue_run(state_, std::move(run), start);
}

void WebhookSender::post_event(WebhookEvent event) {
  Outgoing out;
  if (event.provider == "cloud_api" && event.url.empty()) {
    out = cloud_outgoing(state_, std::move(event.event), std::move(event.body));
  } else {
    std::optional<http::Url> url = http::parse_url(event.url);
    if (!url) return;  // the instance has no webhook URL: Evolution sends nothing
    out.provider = std::move(event.provider);
    out.event = std::move(event.event);
    out.url_text = std::move(event.url);
    out.url = std::move(*url);
    out.body = std::move(event.body);
    out.sign = out.provider == "cloud_api";
  }
  out.headers = std::move(event.headers);
  out.wamid = std::move(event.wamid);
  ++state_->in_flight;
  asio::co_spawn(state_->io, deliver_counted(state_, std::move(out), event.delay), asio::detached);
}

asio::awaitable<bool> WebhookSender::drain(std::chrono::milliseconds bound) {
  State s = state_;
  s->flushing = true;
  for (asio::steady_timer* timer : s->timers) timer->cancel();
  run_due(s);
  flush_batch(s);
  const auto deadline = SteadyClock::now() + bound;
  asio::steady_timer poll(s->io);
  while ((s->in_flight > 0 || !s->batch.empty()) && SteadyClock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(5));
    std::error_code ignored;
    co_await poll.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    run_due(s);
    flush_batch(s);
  }
  co_return s->in_flight == 0;
}

std::size_t WebhookSender::in_flight() const {
  return state_->in_flight;
}

}  // namespace disparo::sandbox
