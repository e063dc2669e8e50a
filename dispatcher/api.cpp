#include "dispatcher/api.hpp"

#include <charconv>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"
#include "dispatcher/cloud_api_webhook.hpp"
#include "dispatcher/message_store.hpp"
#include "dispatcher/offload.hpp"
#include "dispatcher/queue_store.hpp"
#include "dispatcher/session_store.hpp"

#include <simdjson.h>

namespace disparo::dispatch {
namespace {

http::Response problem(int status, std::string_view slug, std::string_view title, std::string_view detail) {
  return http::problem_response(status, slug, title, detail);
}

http::Response validation_problem(const std::vector<FieldError>& errors) {
  JsonWriter json;
  json.begin_object();
  json.field("type", "https://disparo.dev/problems/validation");
  json.field("title", "The request is not valid");
  json.field("status", 422);
  json.field("detail", "Nothing was accepted; fix the fields listed in errors and send again.");
  json.key("errors").begin_array();
  for (const auto& error : errors) {
    json.begin_object().field("field", error.field).field("message", error.message).end_object();
  }
  json.end_array().end_object();
  http::Response response = http::json_response(422, std::move(json).str());
  response.set("Content-Type", "application/problem+json");
  return response;
}

http::Response from_error(const Error& error) {
  switch (error.kind) {
    case ErrorKind::unauthorized: return problem(401, "unauthorized", "Unauthorized", error.message);
    case ErrorKind::forbidden: return problem(403, "forbidden", "Forbidden", error.message);
    case ErrorKind::not_found: return problem(404, "not-found", "Not found", error.message);
    case ErrorKind::invalid_argument: return problem(400, "bad-request", "Bad request", error.message);
    case ErrorKind::conflict: return problem(409, "conflict", "Conflict", error.message);
    case ErrorKind::unavailable:
    case ErrorKind::timeout:
      return problem(503, "unavailable", "Service unavailable",
                     "the database is not reachable right now; nothing was accepted, retry later");
    case ErrorKind::internal: break;
  }
  return problem(500, "internal", "Internal error", "an unexpected error happened; nothing was accepted");
}

void write_accepted(JsonWriter& json, const AcceptedMessage& message, const SendRequest& request) {
  json.begin_object();
  json.field("id", std::to_string(message.id));
  json.field("status", message.status);
  json.field("to", request.to);
  json.field("session", std::to_string(message.session_id));
  json.field("replayed", message.replayed);
  if (!request.idempotency_key.empty()) json.field("idempotency_key", request.idempotency_key);
  if (!request.metadata_json.empty()) json.field_raw("metadata", request.metadata_json);
  json.end_object();
}

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

}  // namespace

Api::Api(ApiDependencies deps, ApiSettings settings) : deps_(std::move(deps)), settings_(std::move(settings)) {}

asio::awaitable<http::Response> Api::handle(http::Request request) {
  const auto started = std::chrono::steady_clock::now();
  Route matched = Route::other;
  http::Response response;
  try {
    response = co_await route(request, matched);
  } catch (const std::exception& e) {
    deps_.log.error("request_failed", {{"path", request.path()}, {"error", e.what()}});
    response = problem(500, "internal", "Internal error", "an unexpected error happened");
  }
  deps_.metrics.count_http(matched, response.status,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  co_return response;
}

asio::awaitable<http::Response> Api::route(const http::Request& request, Route& matched) {
  const std::string_view path = request.path();
  const std::string_view method = request.method;
  auto wrong_method = [](std::string_view allow) {
    auto response = problem(405, "method-not-allowed", "Method not allowed",
                            "this resource accepts " + std::string(allow));
    response.set("Allow", std::string(allow));
    return response;
  };
  if (path == "/v1/messages") {
    matched = Route::messages_post;
    if (method != "POST") co_return wrong_method("POST");
    co_return co_await post_messages(request);
  }
  if (path.starts_with("/v1/messages/")) {
    const auto id = path.substr(std::string_view("/v1/messages/").size());
    if (method == "DELETE") {
      matched = Route::message_cancel;
      co_return co_await cancel(request, id);
    }
    matched = Route::message_get;
    if (method != "GET") co_return wrong_method("GET, DELETE");
    co_return co_await get_message(request, id);
  }
  if (path.starts_with("/v1/sessions/")) {
    co_return co_await session_route(request, path.substr(std::string_view("/v1/sessions/").size()), matched);
  }
  if (path == "/webhooks/cloud_api") {
    if (method == "GET") {
      matched = Route::webhook_verify;
      co_return verify_webhook(request);
    }
    matched = Route::webhook_post;
    if (method != "POST") co_return wrong_method("GET, POST");
    if (deps_.webhooks != nullptr) co_return co_await deps_.webhooks->cloud_api_post(request);
    co_return co_await post_webhook(request);
  }
  if (path.starts_with("/webhooks/evolution/") && deps_.webhooks != nullptr) {
    matched = Route::webhook_evolution;
    if (method != "POST") co_return wrong_method("POST");
    co_return co_await deps_.webhooks->evolution_post(request, path.substr(std::string_view("/webhooks/evolution/").size()));
  }
  if (path == "/healthz") {
    matched = Route::healthz;
    co_return http::json_response(200, R"({"status":"ok"})");
  }
  if (path == "/readyz") {
    matched = Route::readyz;
    co_return co_await readyz();
  }
  if (path == "/metrics") {
    matched = Route::metrics;
    http::Response response;
    response.status = 200;
    // Off the event loop: with 10,000 sessions the exposition has ~100,000 series and takes tens
    // of milliseconds, which would make every send due meanwhile that much late.
    const DispatcherMetrics& metrics = deps_.metrics;
    auto serialize = [&metrics] { return metrics.serialize(); };
    response.body = co_await offload(deps_.db.workers(), std::move(serialize));
    response.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    co_return response;
  }
  co_return problem(404, "not-found", "Not found", "no route for " + std::string(path));
}

asio::awaitable<http::Response> Api::post_messages(const http::Request& request) {
  auto caller = co_await deps_.auth.authenticate(request.header("Authorization"));
  if (!caller) co_return from_error(caller.error());
  if (!role_may_send(caller->role)) {
    co_return problem(403, "forbidden", "Forbidden", "this API key's role may not send messages");
  }
  ParsedSendBody parsed = parse_send_body(request.body, deps_.clock.now(), settings_.limits);
  if (!parsed.errors.empty()) co_return validation_problem(parsed.errors);

  const std::int64_t tenant = caller->tenant_id;
  std::vector<FieldError> routing_errors;
  auto accepted = co_await deps_.db.run([&](pg::Connection& conn) -> Expected<std::vector<AcceptedMessage>> {
    auto routing = load_routing(conn, tenant, parsed.messages);
    if (!routing) return routing.error();
    std::vector<std::int64_t> sessions;
    routing_errors = route_requests(*routing, parsed.messages, parsed.is_batch, sessions);
    if (!routing_errors.empty()) return std::vector<AcceptedMessage>{};
    auto rules = check_acceptance(conn, tenant, parsed.messages, sessions, parsed.is_batch);  // provider rules
    if (!rules) return rules.error();
    routing_errors = std::move(*rules);
    if (!routing_errors.empty()) return std::vector<AcceptedMessage>{};
    return insert_messages(conn, tenant, parsed.messages, sessions);
  });
  if (!routing_errors.empty()) co_return validation_problem(routing_errors);
  if (!accepted) {
    deps_.log.error("accept_failed", {{"tenant", tenant}, {"error", accepted.error().message},
                                      {"sqlstate", accepted.error().code}});
    co_return from_error(accepted.error());
  }

  std::int64_t fresh = 0;
  std::int64_t last_woken = 0;
  for (const auto& message : *accepted) {
    if (!message.replayed) ++fresh;
    if (message.session_id != last_woken) {
      deps_.wake_session(message.session_id);
      last_woken = message.session_id;
    }
  }
  deps_.metrics.messages_accepted.Increment(static_cast<double>(fresh));
  deps_.metrics.messages_replayed.Increment(static_cast<double>(accepted->size() - static_cast<std::size_t>(fresh)));

  JsonWriter json;
  if (parsed.is_batch) {
    json.begin_object();
    json.field("accepted", fresh);
    json.field("replayed", static_cast<std::int64_t>(accepted->size()) - fresh);
    json.key("messages").begin_array();
    for (std::size_t i = 0; i < accepted->size(); ++i) write_accepted(json, (*accepted)[i], parsed.messages[i]);
    json.end_array().end_object();
  } else {
    write_accepted(json, accepted->front(), parsed.messages.front());
  }
  http::Response response = http::json_response(202, std::move(json).str());
  if (!parsed.is_batch) response.set("Location", "/v1/messages/" + std::to_string(accepted->front().id));
  co_return response;
}

asio::awaitable<http::Response> Api::get_message(const http::Request& request, std::string_view id_text) {
  auto caller = co_await deps_.auth.authenticate(request.header("Authorization"));
  if (!caller) co_return from_error(caller.error());
  const auto id = parse_id(id_text);
  if (!id) co_return problem(404, "not-found", "Not found", "no such message");
  const std::int64_t tenant = caller->tenant_id;
  auto json = co_await deps_.db.run([tenant, id](pg::Connection& conn) { return message_json(conn, tenant, *id); });
  if (!json) co_return from_error(json.error());
  co_return http::json_response(200, std::move(*json));
}

asio::awaitable<http::Response> Api::cancel(const http::Request& request, std::string_view id_text) {
  auto caller = co_await deps_.auth.authenticate(request.header("Authorization"));
  if (!caller) co_return from_error(caller.error());
  if (!role_may_send(caller->role)) {
    co_return problem(403, "forbidden", "Forbidden", "this API key's role may not cancel messages");
  }
  const auto id = parse_id(id_text);
  if (!id) co_return problem(404, "not-found", "Not found", "no such message");
  const std::int64_t tenant = caller->tenant_id;
  auto json = co_await deps_.db.run([tenant, id](pg::Connection& conn) -> Expected<std::string> {
    auto cancelled = cancel_message(conn, tenant, *id);
    if (!cancelled) return cancelled.error();
    return message_json(conn, tenant, *id);
  });
  if (!json) co_return from_error(json.error());
  co_return http::json_response(200, std::move(*json));
}

asio::awaitable<http::Response> Api::session_route(const http::Request& request, std::string_view rest,
                                                   Route& matched) {
  // rest = "{id}/state" | "{id}/pause" | "{id}/resume"
  const auto slash = rest.find('/');
  const auto action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  const auto id = parse_id(rest.substr(0, slash));
  if (action == "state") matched = Route::session_state;
  else if (action == "pause") matched = Route::session_pause;
  else if (action == "resume") matched = Route::session_resume;
  else if (action == "qrcode" && deps_.webhooks != nullptr) matched = Route::session_qrcode;
  else co_return problem(404, "not-found", "Not found", "no route for " + std::string(request.path()));
  const bool is_state = matched == Route::session_state || matched == Route::session_qrcode;
  if (is_state && request.method != "GET") {
    auto response = problem(405, "method-not-allowed", "Method not allowed", "this resource accepts GET");
    response.set("Allow", "GET");
    co_return response;
  }
  if (!is_state && request.method != "POST") {
    auto response = problem(405, "method-not-allowed", "Method not allowed", "this resource accepts POST");
    response.set("Allow", "POST");
    co_return response;
  }
  auto caller = co_await deps_.auth.authenticate(request.header("Authorization"));
  if (!caller) co_return from_error(caller.error());
  if (!id) co_return problem(404, "not-found", "Not found", "no such session");
  if (matched == Route::session_qrcode) co_return co_await deps_.webhooks->qrcode(caller->tenant_id, *id);
  if (!is_state && caller->role != "owner" && caller->role != "manager") {
    co_return problem(403, "forbidden", "Forbidden", "only owner and manager keys may pause or resume sessions");
  }
  std::string reason = matched == Route::session_pause ? "paused by operator" : "resumed by operator";
  if (!is_state && !request.body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    std::string_view given;
    if (parser.parse(request.body.data(), request.body.size(), true).get(body) != simdjson::SUCCESS ||
        !body.is_object()) {
      co_return problem(400, "bad-request", "Bad request", "the body must be a JSON object like {\"reason\":\"...\"}");
    }
    if (body["reason"].get(given) == simdjson::SUCCESS && !given.empty()) {
      std::size_t cut = std::min<std::size_t>(given.size(), 500);
      // Never split a UTF-8 sequence: PostgreSQL would refuse the text.
      while (cut < given.size() && cut > 0 && (static_cast<unsigned char>(given[cut]) & 0xC0) == 0x80) --cut;
      reason = std::string(given.substr(0, cut));
    }
  }
  const std::int64_t tenant = caller->tenant_id;
  const bool pause = matched == Route::session_pause;
  auto json = co_await deps_.db.run([&, tenant](pg::Connection& conn) -> Expected<std::string> {
    if (!is_state) {
      auto changed = set_session_state(conn, tenant, *id, pause, reason);
      if (!changed) return changed.error();
    }
    return session_state_json(conn, tenant, *id);
  });
  if (!json) co_return from_error(json.error());
  if (!is_state) {
    deps_.log.info(pause ? "session_paused" : "session_resumed", {{"session", *id}, {"reason", reason}});
    deps_.refresh_sessions();
  }
  co_return http::json_response(200, std::move(*json));
}

http::Response Api::verify_webhook(const http::Request& request) const {
  const auto mode = request.query_param("hub.mode");
  const auto token = request.query_param("hub.verify_token");
  const auto challenge = request.query_param("hub.challenge");
  if (settings_.cloud_api_verify_token.empty() || !mode || *mode != "subscribe" || !token || !challenge ||
      !crypto::constant_time_equal(*token, settings_.cloud_api_verify_token)) {
    return problem(403, "forbidden", "Forbidden", "verification token does not match");
  }
  http::Response response;
  response.status = 200;
  response.body = *challenge;  // Meta expects the raw challenge back
  response.set("Content-Type", "text/plain");
  return response;
}

asio::awaitable<http::Response> Api::post_webhook(const http::Request& request) {
  if (settings_.cloud_api_app_secret.empty()) {
    co_return problem(503, "not-configured", "Webhooks not configured",
                      "set cloud_api.app_secret to receive Cloud API webhooks");
  }
  const auto signature = request.header("X-Hub-Signature-256");
  if (!signature || !crypto::verify_hub_signature_256(settings_.cloud_api_app_secret, request.body, *signature)) {
    deps_.metrics.webhook_signature_failures.Increment();
    deps_.log.warn("webhook_signature_rejected", {{"bytes", static_cast<std::int64_t>(request.body.size())}});
    co_return problem(401, "bad-signature", "Signature does not match",
                      "X-Hub-Signature-256 must be sha256=HMAC-SHA256(app secret, raw body)");
  }
  auto webhook = parse_cloud_api_webhook(request.body);
  if (!webhook) co_return problem(400, "bad-webhook", "Not a Cloud API notification", webhook.error().message);

  auto results = co_await deps_.db.run([&](pg::Connection& conn) -> Expected<std::vector<ReportResult>> {
    return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<std::vector<ReportResult>> {
      std::vector<ReportResult> applied;
      applied.reserve(webhook->statuses.size());
      for (const auto& report : webhook->statuses) {
        auto result = apply_status_report(tx, report);
        if (!result) return result.error();
        applied.push_back(*result);
      }
      return applied;
    });
  });
  // Not stored: answer 503 so the provider retries the delivery later (nothing is lost).
  if (!results) co_return from_error(results.error());
  for (std::size_t i = 0; i < results->size(); ++i) {
    const auto& result = (*results)[i];
    deps_.metrics.count_report(report_kind(webhook->statuses[i].status), result.advanced);
    if (!result.matched) deps_.metrics.webhook_reports_unmatched.Increment();
  }
  co_return http::json_response(200, R"({"status":"ok"})");
}

asio::awaitable<http::Response> Api::readyz() {
  auto database = co_await deps_.db.run([](pg::Connection& conn) -> Expected<bool> {
    auto rows = conn.exec("SELECT 1");
    if (!rows) return rows.error();
    return true;
  });
  const bool redis = co_await deps_.redis_ready();
  if (database && redis) co_return http::json_response(200, R"({"status":"ready","postgres":"ok","redis":"ok"})");
  JsonWriter json;
  json.begin_object()
      .field("type", "https://disparo.dev/problems/not-ready")
      .field("title", "Not ready")
      .field("status", 503)
      .field("detail", "a dependency is not reachable")
      .field("postgres", database ? "ok" : "unreachable")
      .field("redis", redis ? "ok" : "unreachable")
      .end_object();
  http::Response response = http::json_response(503, std::move(json).str());
  response.set("Content-Type", "application/problem+json");
  co_return response;
}

}  // namespace disparo::dispatch
