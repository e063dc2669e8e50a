#include "dispatcher/inbound/provider_webhooks.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <unordered_map>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "dispatcher/cloud_api_webhook.hpp"
#include "dispatcher/inbound/evolution_webhook.hpp"
#include "dispatcher/inbound/inbound_store.hpp"

namespace disparo::dispatch {

// What applying one stored webhook did, for metrics and logs (read on the io thread).
struct AppliedWebhook {
  WebhookProvider provider = WebhookProvider::cloud_api;
  std::vector<std::string> statuses;  // each report's status
  std::vector<StatusApplied> results;
  InboundApplied inbound;
  std::size_t templates = 0, quality = 0, other = 0;
  bool connection = false, qrcode = false;
  SessionChange change = SessionChange::none;
  std::string connection_state;
  std::optional<std::int64_t> session_id;
  bool done = false;  // false: nothing to do (already applied or locked elsewhere)
  std::string failure;  // not applied (its transaction failed): why; it stays for the sweeper
};

namespace {

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

ReportKind report_kind(std::string_view status) {
  if (status == "sent") return ReportKind::sent;
  if (status == "delivered") return ReportKind::delivered;
  if (status == "read") return ReportKind::read;
  if (status == "failed") return ReportKind::failed;
  return ReportKind::other;
}

http::Response unavailable() {
  return http::problem_response(503, "unavailable", "Service unavailable",
                                "the webhook could not be stored; retry later (nothing was applied)");
}

using Applied = AppliedWebhook;

// A stored webhook read and split in two: its status reports, applied in one statement with
// those of the other webhooks of the batch, and the rest, applied on its own.
struct PreparedWebhook {
  std::int64_t inbox_id = 0;
  Applied applied;  // statuses filled in here, their results after the batch's statement
  std::vector<StatusInput> inputs;  // one per applied.statuses; moved into the batch's statement
  std::optional<CloudApiWebhook> cloud_api;
  std::optional<EvolutionWebhook> evolution;
  std::string unreadable;  // why the body cannot be read: closed with this error
};

PreparedWebhook prepare(const InboxItem& item) {
  PreparedWebhook prepared;
  prepared.inbox_id = item.id;
  Applied& applied = prepared.applied;
  if (item.provider == "evolution" && item.session_id) {
    applied.provider = WebhookProvider::evolution;
    applied.session_id = item.session_id;
    auto hook = parse_evolution_webhook(item.body);
    if (!hook) {
      prepared.unreadable = hook.error().message;
      return prepared;
    }
    for (const auto& status : hook->statuses) {
      prepared.inputs.push_back(status_input_of(status, *item.session_id));
      applied.statuses.push_back(status.status);
    }
    prepared.evolution = std::move(*hook);
    return prepared;
  }
  auto hook = parse_cloud_api_webhook(item.body);
  if (!hook) {
    prepared.unreadable = hook.error().message;
    return prepared;
  }
  for (const auto& report : hook->statuses) {
    prepared.inputs.push_back(status_input_of(report));
    applied.statuses.push_back(report.status);
  }
  prepared.cloud_api = std::move(*hook);
  return prepared;
}

// Everything but the status reports: inbound messages, template and quality updates,
// connection changes, QR codes.
Expected<void> apply_rest(pg::Connection& conn, PreparedWebhook& prepared) {
  Applied& applied = prepared.applied;
  if (const auto& hook = prepared.cloud_api) {
    auto inbound = apply_inbound(conn, hook->inbound, std::nullopt);
    if (!inbound) return inbound.error();
    applied.inbound = *inbound;
    if (auto done = apply_template_updates(conn, hook->templates); !done) return done.error();
    if (auto done = apply_quality_updates(conn, hook->quality); !done) return done.error();
    applied.templates = hook->templates.size();
    applied.quality = hook->quality.size();
    applied.other = hook->other_changes;
    return {};
  }
  const auto& hook = prepared.evolution;
  if (!hook || !applied.session_id) return {};
  const std::int64_t session_id = *applied.session_id;
  auto inbound = apply_inbound(conn, hook->inbound, session_id);
  if (!inbound) return inbound.error();
  applied.inbound = *inbound;
  if (hook->connection) {
    auto change = apply_connection(conn, session_id, *hook->connection);
    if (!change) return change.error();
    applied.connection = true;
    applied.change = *change;
    applied.connection_state = hook->connection->state;
  }
  if (hook->qrcode) {
    if (auto stored = store_qrcode(conn, session_id, *hook->qrcode); !stored) return stored.error();
    applied.qrcode = true;
  }
  if (hook->statuses.empty() && hook->inbound.empty() && !hook->connection && !hook->qrcode) applied.other = 1;
  return {};
}

// The status statement's inputs vary in size from one batch to the next, so PostgreSQL kept
// re-planning it: ~1 ms of planning for ~0.2 ms of work, on a third of the calls
// (pg_stat_statements with track_planning, 10,000-session benchmark). Its generic plan is index
// lookups by provider id or message id whatever the sizes.
Expected<void> prefer_generic_plans(pg::Connection& tx) {
  auto set = tx.exec("SET LOCAL plan_cache_mode = force_generic_plan");
  if (!set) return set.error();
  return {};
}

// Applies stored webhooks inside the caller's transaction, in a fixed number of statements
// whatever their number: lock those still unprocessed (another worker may hold one: skipped),
// one statement for all their status reports, the rest of each, close them all. Results in the
// order of `inbox_ids`; done = false for the skipped.
Expected<std::vector<Applied>> apply_together(pg::Connection& tx, const std::vector<std::int64_t>& inbox_ids) {
  if (auto generic = prefer_generic_plans(tx); !generic) return generic.error();
  auto items = lock_inbox_items(tx, inbox_ids);
  if (!items) return items.error();
  std::vector<PreparedWebhook> prepared;
  prepared.reserve(items->size());
  std::vector<StatusInput> inputs;
  for (const auto& item : *items) {
    prepared.push_back(prepare(item));
    auto& own = prepared.back().inputs;  // one per entry of applied.statuses
    inputs.insert(inputs.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
  }
  auto results = apply_status_batch(tx, inputs);
  if (!results) return results.error();
  std::size_t next = 0;
  std::vector<std::int64_t> finished;
  std::vector<std::string> errors;
  for (auto& webhook : prepared) {
    const std::size_t count = webhook.applied.statuses.size();
    if (next + count > results->size()) return make_error(ErrorKind::internal, "status results do not match the reports");
    webhook.applied.results.assign(results->begin() + static_cast<std::ptrdiff_t>(next),
                                   results->begin() + static_cast<std::ptrdiff_t>(next + count));
    next += count;
    // A body that cannot be read is closed with its error (it was checked before storing, so
    // this only happens after a parser change).
    if (webhook.unreadable.empty()) {
      if (auto done = apply_rest(tx, webhook); !done) return done.error();
    }
    webhook.applied.done = true;
    finished.push_back(webhook.inbox_id);
    errors.push_back(webhook.unreadable);
  }
  if (auto done = finish_inbox_items(tx, finished, errors); !done) return done.error();
  std::unordered_map<std::int64_t, Applied*> by_id;
  for (auto& webhook : prepared) by_id.emplace(webhook.inbox_id, &webhook.applied);
  std::vector<Applied> out(inbox_ids.size());
  for (std::size_t i = 0; i < inbox_ids.size(); ++i) {
    auto found = by_id.find(inbox_ids[i]);
    if (found == by_id.end()) continue;
    out[i] = std::move(*found->second);
    by_id.erase(found);  // the same id twice: applied once
  }
  return out;
}

// Applies the stored webhooks that arrived together in one transaction: one commit (one WAL
// flush) and a handful of statements instead of four round trips and a commit per POST. If that
// transaction fails, each webhook gets its own, so one that cannot be applied does not hold the
// others back; it keeps its failure and stays stored for the sweeper.
Expected<std::vector<Applied>> apply_stored(pg::Connection& conn, const std::vector<std::int64_t>& inbox_ids) {
  auto together = pg::in_transaction(conn, [&](pg::Connection& tx) { return apply_together(tx, inbox_ids); });
  if (together || inbox_ids.size() == 1) return together;
  std::vector<Applied> out;
  out.reserve(inbox_ids.size());
  for (const auto id : inbox_ids) {
    const std::vector<std::int64_t> one{id};
    auto alone = pg::in_transaction(conn, [&one](pg::Connection& tx) { return apply_together(tx, one); });
    if (alone && alone->size() == 1) {
      out.push_back(std::move(alone->front()));
    } else {
      Applied failed;
      failed.failure = alone ? "no result" : alone.error().message;
      out.push_back(std::move(failed));
    }
  }
  return out;
}

}  // namespace

ProviderWebhooks::ProviderWebhooks(asio::io_context& io, Database& db, DispatcherMetrics& metrics,
                                   ProviderMetrics& provider_metrics, log::Logger& log,
                                   std::function<void()> refresh_sessions, ProviderWebhookSettings settings)
    : io_(io), db_(db), metrics_(metrics), provider_metrics_(provider_metrics), log_(log),
      refresh_sessions_(std::move(refresh_sessions)), settings_(std::move(settings)), sweep_timer_(io),
      // One lane. The status statement locks its messages in id order, so a second lane would
      // not deadlock, but it gains nothing: a message's delivered and read arrive in POSTs ~100 ms
      // apart, so consecutive batches share most of their messages and a second lane waits for
      // the first one's row locks (measured: all statuses applied 10.4 s after the last send with
      // two lanes, 12.2 s with one, within the run-to-run spread).
      applier_(std::make_unique<Batcher<std::int64_t, AppliedWebhook>>(
          io, db, apply_stored, BatcherSettings{.max_batch = settings_.max_batch, .lanes = 1})) {}

ProviderWebhooks::~ProviderWebhooks() = default;

asio::awaitable<http::Response> ProviderWebhooks::cloud_api_post(const http::Request& request) {
  if (settings_.cloud_api_app_secret.empty()) {
    co_return http::problem_response(503, "not-configured", "Webhooks not configured",
                                     "set cloud_api.app_secret to receive Cloud API webhooks");
  }
  const auto signature = request.header("X-Hub-Signature-256");
  if (!signature || !crypto::verify_hub_signature_256(settings_.cloud_api_app_secret, request.body, *signature)) {
    metrics_.webhook_signature_failures.Increment();
    log_.warn("webhook_signature_rejected", {{"provider", "cloud_api"}, {"bytes", static_cast<std::int64_t>(request.body.size())}});
    co_return http::problem_response(401, "bad-signature", "Signature does not match",
                                     "X-Hub-Signature-256 must be sha256=HMAC-SHA256(app secret, raw body)");
  }
  // Checked before storing: a body we could never apply is refused now, not retried forever.
  auto webhook = parse_cloud_api_webhook(request.body);
  if (!webhook) co_return http::problem_response(400, "bad-webhook", "Not a Cloud API notification", webhook.error().message);
  co_return co_await store_and_ack("cloud_api", std::nullopt, request.body);
}

asio::awaitable<http::Response> ProviderWebhooks::evolution_post(const http::Request& request, std::string_view id_text) {
  const auto session_id = parse_id(id_text);
  const auto given = request.header("X-Disparo-Webhook-Secret");
  std::optional<EvolutionSessionAuth> auth;
  if (session_id) {
    const std::int64_t id = *session_id;
    auto found = co_await db_.run([id](pg::Connection& conn) { return evolution_session_auth(conn, id); });
    if (!found) co_return unavailable();
    auth = *found;
  }
  // One answer for "no such session", "no secret set" and "wrong secret": nothing to probe.
  if (!auth || auth->webhook_secret.empty() || !given ||
      !crypto::constant_time_equal(*given, auth->webhook_secret)) {
    provider_metrics_.evolution_secret_failures.Increment();
    log_.warn("webhook_signature_rejected", {{"provider", "evolution"}, {"session", std::string(id_text.substr(0, 20))}});
    co_return http::problem_response(401, "bad-secret", "Webhook secret does not match",
                                     "X-Disparo-Webhook-Secret must be the session's webhook secret");
  }
  auto webhook = parse_evolution_webhook(request.body);
  if (!webhook) co_return http::problem_response(400, "bad-webhook", "Not an Evolution API event", webhook.error().message);
  co_return co_await store_and_ack("evolution", session_id, request.body);
}

asio::awaitable<http::Response> ProviderWebhooks::store_and_ack(std::string_view provider,
                                                                std::optional<std::int64_t> session_id,
                                                                const std::string& body) {
  const std::string name(provider);
  auto stored = co_await db_.run([&name, session_id, &body](pg::Connection& conn) {
    return store_webhook(conn, name, session_id, body);
  });
  // Not stored: 503 so the provider delivers it again later (nothing is lost).
  if (!stored) {
    log_.error("webhook_store_failed", {{"provider", name}, {"error", stored.error().message}});
    co_return unavailable();
  }
  provider_metrics_.webhooks_stored.Increment();
  const std::int64_t id = *stored;
  asio::co_spawn(io_, [this, id]() -> asio::awaitable<void> { co_await process(id); }, asio::detached);
  co_return http::json_response(200, R"({"status":"ok"})");
}

asio::awaitable<bool> ProviderWebhooks::process(std::int64_t inbox_id) {
  auto result = co_await applier_->submit(inbox_id);
  if (!result || !result->failure.empty()) {
    provider_metrics_.webhooks_failed.Increment();
    log_.warn("webhook_apply_failed", {{"inbox", inbox_id}, {"error", result ? result->failure : result.error().message}});
    co_return false;
  }
  if (!result->done) co_return false;
  const auto provider = result->provider;
  for (std::size_t i = 0; i < result->results.size(); ++i) {
    metrics_.count_report(report_kind(result->statuses[i]), result->results[i].advanced);
    if (const auto seconds = result->results[i].sent_to_delivered_seconds) {
      metrics_.sent_to_delivered_seconds.Observe(std::max(0.0, *seconds));  // clocks may disagree
    }
    if (!result->results[i].matched) metrics_.webhook_reports_unmatched.Increment();
  }
  provider_metrics_.count_event(provider, WebhookEvent::status, static_cast<double>(result->results.size()));
  const auto& inbound = result->inbound;
  provider_metrics_.count_event(provider, WebhookEvent::inbound, inbound.windows + inbound.unmatched);
  provider_metrics_.inbound_unmatched.Increment(inbound.unmatched);
  provider_metrics_.opt_outs.Increment(inbound.opt_outs);
  provider_metrics_.opt_ins.Increment(inbound.opt_ins);
  provider_metrics_.count_event(provider, WebhookEvent::template_status, static_cast<double>(result->templates));
  provider_metrics_.count_event(provider, WebhookEvent::quality, static_cast<double>(result->quality));
  provider_metrics_.count_event(provider, WebhookEvent::connection, result->connection ? 1 : 0);
  provider_metrics_.count_event(provider, WebhookEvent::qrcode, result->qrcode ? 1 : 0);
  provider_metrics_.count_event(provider, WebhookEvent::other, static_cast<double>(result->other));
  if (result->change != SessionChange::none) {
    const bool paused = result->change == SessionChange::paused;
    log_.warn(paused ? "session_paused" : "session_resumed",
              {{"session", result->session_id.value_or(0)}, {"reason", "evolution: connection " + result->connection_state}});
    if (paused) metrics_.session_pauses.Increment();
    if (refresh_sessions_) refresh_sessions_();
  }
  co_return true;
}

asio::awaitable<http::Response> ProviderWebhooks::qrcode(std::int64_t tenant_id, std::int64_t session_id) {
  auto json = co_await db_.run([=](pg::Connection& conn) { return qrcode_json(conn, tenant_id, session_id); });
  if (!json) {
    if (json.error().kind == ErrorKind::not_found) {
      co_return http::problem_response(404, "not-found", "Not found", json.error().message);
    }
    co_return unavailable();
  }
  co_return http::json_response(200, std::move(*json));
}

void ProviderWebhooks::start() {
  applier_->start();
  asio::co_spawn(io_, sweep(), asio::detached);
}

void ProviderWebhooks::stop() {
  stopping_ = true;
  sweep_timer_.cancel();
  applier_->stop();  // what is still queued stays stored: the next start's sweeper applies it
}

asio::awaitable<bool> ProviderWebhooks::process_together(const std::vector<std::int64_t>& inbox_ids) {
  // Submitted at once, so the applier takes them in batches of max_batch per transaction; one by
  // one, a backlog would cost a transaction per webhook.
  struct Join {
    explicit Join(asio::io_context& io) : done(io) { done.expires_at(asio::steady_timer::time_point::max()); }
    asio::steady_timer done;
    std::size_t remaining = 0;
    bool all_applied = true;
  };
  auto join = std::make_shared<Join>(io_);
  join->remaining = inbox_ids.size();
  for (const auto id : inbox_ids) {
    asio::co_spawn(io_, [this, join, id]() -> asio::awaitable<void> {
      if (!co_await process(id)) join->all_applied = false;
      if (--join->remaining == 0) join->done.cancel();
    }, asio::detached);
  }
  if (join->remaining > 0) co_await join->done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  co_return join->all_applied;
}

asio::awaitable<void> ProviderWebhooks::sweep() {
  constexpr int kPage = 500;
  while (!stopping_) {
    const int after = settings_.retry_after_seconds;
    auto pending = co_await db_.run([after](pg::Connection& conn) { return pending_inbox(conn, after, kPage); });
    // A full page that was all applied means a backlog (after an outage): the next page follows
    // at once. A page with a webhook that failed again waits the interval, so a webhook that can
    // never be applied is not retried in a loop.
    bool more = false;
    if (pending && !pending->empty() && !stopping_) {
      const bool all_applied = co_await process_together(*pending);
      more = all_applied && pending->size() == static_cast<std::size_t>(kPage);
    }
    if (stopping_) break;
    if (more) continue;
    sweep_timer_.expires_after(settings_.sweep_interval);
    co_await sweep_timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

}  // namespace disparo::dispatch
