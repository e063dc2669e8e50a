#include "loadtest/sandbox/sandbox_service.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <variant>

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"
#include "loadtest/sandbox/meta_error_codes.hpp"

namespace disparo::sandbox {
namespace {

constexpr std::string_view kSandboxPrefix = "/_sandbox/";
constexpr std::size_t kFbtraceLength = 23;

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(),
                                                    [](unsigned char a, unsigned char b) {
                                                      return std::tolower(a) == std::tolower(b);
                                                    });
}

}  // namespace

SandboxService::SandboxService(ServiceOptions options, Recorder& recorder,
                               StatusScheduler& scheduler, const Clock& clock, log::Logger& logger,
                               SubscriptionCheck* subscription, BehaviourEngine* engine)
    : options_(std::move(options)),
      recorder_(recorder),
      scheduler_(scheduler),
      clock_(clock),
      logger_(logger),
      subscription_(subscription),
      engine_(engine),
      process_token_(crypto::random_token(12)) {
  if (engine_ == nullptr) {
    own_engine_ = std::make_unique<BehaviourEngine>(default_behaviour(100), 1, clock_);
    engine_ = own_engine_.get();
  }
  evolution_ = std::make_unique<EvolutionApi>(options_.evolution, *engine_, scheduler_, clock_,
                                              logger_);
}

SandboxService::~SandboxService() = default;

http::Handler SandboxService::handler() {
  // Not a coroutine lambda: the frame of handle() holds `this`, never the closure.
  return [this](http::Request request) { return handle(std::move(request)); };
}

asio::awaitable<http::Response> SandboxService::handle(http::Request request) {
  if (request.path() == "/_sandbox/subscribe" && request.method == "POST") {
    if (subscription_ == nullptr) {
      co_return http::problem_response(409, "subscription-disabled", "Subscription check disabled",
                                       "start the sandbox with --verify-token");
    }
    const SubscriptionAttempt result = co_await subscription_->check_once();
    disparo::JsonWriter w;
    w.begin_object().field("ok", result.ok).field("outcome", result.outcome);
    w.key("http_status");
    result.http_status != 0 ? w.value(result.http_status) : w.null();
    w.field("challenge", result.challenge).end_object();
    co_return http::json_response(result.ok ? 200 : 502, std::move(w).str());
  }
  Answer a = answer(request);
  if (a.delay.count() > 0) {
    // A timer, not a sleep: other connections are served meanwhile.
    asio::steady_timer timer(co_await asio::this_coro::executor, a.delay);
    std::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return std::move(a.response);
}

http::Response SandboxService::handle_now(const http::Request& request) {
  return answer(request).response;
}

Answer SandboxService::answer(const http::Request& request) {
  Answer a = route(request);
  recorder_.metrics().count_request(route_class(request.path()),
                                    a.response.reset_connection ? 0 : a.response.status);
  return a;
}

Answer SandboxService::route(const http::Request& request) {
  const std::string_view path = request.path();
  if (path == "/metrics") {
    if (request.method != "GET" && request.method != "HEAD") {
      return {method_not_allowed("GET, HEAD"), {}};
    }
    http::Response metrics;
    metrics.status = 200;
    metrics.body = recorder_.metrics().exposition();
    metrics.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return {std::move(metrics), {}};
  }
  if (path == "/healthz") {
    if (request.method != "GET" && request.method != "HEAD") {
      return {method_not_allowed("GET, HEAD"), {}};
    }
    return {http::json_response(200, R"({"status":"ok"})"), {}};
  }
  if (path.starts_with(kSandboxPrefix)) return {sandbox_api(request), {}};

  RecordedRequest record;
  record.method = request.method;
  record.target = request.target;
  if (recorder_.keeps_payloads()) {
    record.headers = mask_headers(request.headers);
    record.body = request.body;
  }
  record.received_at_us = clock_.now().time_since_epoch().count();
  Answer a = EvolutionApi::owns(path) ? evolution_->handle(request, record)
                                      : provider_api(request, record);
  record.status = a.response.reset_connection ? 0 : a.response.status;
  if (record.fault) recorder_.metrics().count_injected(*record.fault);
  if (logger_.enabled(log::Level::debug)) {
    logger_.debug("request", {{"provider", record.provider},
                              {"method", request.method},
                              {"path", path},
                              {"status", record.status}});
  }
  recorder_.add_request(std::move(record));
  return a;
}

Answer SandboxService::provider_api(const http::Request& request, RecordedRequest& record) {
  const std::optional<MessagesPath> path = parse_messages_path(request.path());
  if (!path) return {meta_error(unknown_path_error(request.path()), record), {}};
  if (request.method != "POST") {
    MetaError error = invalid_parameter("Unsupported " + request.method + " request.");
    return {meta_error(error, record), {}};
  }
  if (!authorized(request)) return {meta_error(invalid_token_error(), record), {}};
  Answer a;
  a.delay = engine_->latency();
  a.response = send_message(request, *path, record);
  return a;
}

http::Response SandboxService::send_message(const http::Request& request, const MessagesPath& path,
                                            RecordedRequest& record) {
  auto validated = validator_.validate(request.body);
  if (auto* error = std::get_if<MetaError>(&validated)) return meta_error(*error, record);
  SendRequest& send = std::get<SendRequest>(validated);
  record.biz_opaque_callback_data = send.biz_opaque_callback_data;  // also when a fault follows
  BehaviourEngine& engine = *engine_;
  const std::string& sender = path.phone_number_id;

  switch (engine.transport_fault()) {
    case TransportFault::reset: {
      record.fault = "reset";
      http::Response r;
      r.reset_connection = true;
      return r;
    }
    case TransportFault::server_error:
      // The contract's "5xx": HTTP 500 with Meta's code 2 (API Service, temporary downtime).
      record.fault = "http_5xx";
      return meta_error(MetaError{500, 2, "API Service",
                                  "Temporary due to downtime or due to being overloaded."},
                        record);
    case TransportFault::none:
      break;
  }
  const bool individual = send.recipient_type == "individual";
  const std::string to_digits = individual ? digits_of(send.to) : send.to;
  if (individual) {
    if (auto code = engine.scripted_error(to_digits)) {
      recorder_.metrics().count_injected("scripted_error");
      return meta_error(*meta_error_for_code(*code), record);
    }
  }
  if (send.type == "template" &&
      !engine.template_approved(send.template_name, send.template_language)) {
    MetaError e = *meta_error_for_code(132001);
    e.details = "template name (" + send.template_name + ") does not exist in " +
                send.template_language;
    return meta_error(e, record);
  }
  if (individual && send.type != "template" && engine.window_closed(sender, to_digits)) {
    return meta_error(*meta_error_for_code(131047), record);
  }
  if (engine.throughput_exceeded(sender)) return meta_error(*meta_error_for_code(130429), record);
  if (individual && engine.pair_limited(sender, to_digits)) {
    return meta_error(*meta_error_for_code(131056), record);
  }

  const bool unknown = individual && engine.unknown_number(to_digits);
  AcceptedMessage accepted;
  accepted.wa_id = individual ? engine.wa_id(to_digits) : wa_id_for(send.to, send.recipient_type);
  accepted.wamid = next_wamid(accepted.wa_id);
  accepted.phone_number_id = path.phone_number_id;
  accepted.message_type = send.type;
  accepted.api_major = path.major;
  accepted.biz_opaque_callback_data = std::move(send.biz_opaque_callback_data);
  if (unknown || engine.webhooks_customised()) accepted.plan = engine.plan_statuses(unknown);
  accepted.batch_max = engine.batch_max();

  record.wamid = accepted.wamid;
  http::Response response =
      http::json_response(200, render_send_success(send.to, accepted.wa_id, accepted.wamid));
  scheduler_.schedule(std::move(accepted));
  return response;
}

http::Response SandboxService::meta_error(const MetaError& error, RecordedRequest& record) {
  record.error_code = error.code;
  http::Response response = http::json_response(
      error.http_status, render_error(error, crypto::random_token(kFbtraceLength)));
  if (error.http_status == 401) {
    // Graph answers token errors with an OAuth challenge as well.
    response.set("WWW-Authenticate",
                 "OAuth \"Facebook Platform\" \"invalid_token\" \"" + error.title + "\"");
  }
  return response;
}

bool SandboxService::authorized(const http::Request& request) const {
  // Graph accepts the token as a Bearer header or as the access_token query parameter.
  std::string_view token;
  std::optional<std::string> from_query;
  if (auto header = request.header("Authorization"); header && starts_with_ci(*header, "Bearer ")) {
    token = header->substr(7);
  } else if ((from_query = request.query_param("access_token"))) {
    token = *from_query;
  } else {
    return false;
  }
  return !options_.access_token.empty() &&
         crypto::constant_time_equal(token, options_.access_token);
}

std::string SandboxService::next_wamid(std::string_view wa_id) {
  // Real wamids are base64 of an opaque binary id; ours encode the recipient, a sequence
  // number (unique per process) and random bytes drawn once per process (unique across
  // restarts; drawing them per message cost more than the rest of the send).
  const std::string raw =
      std::string(wa_id) + ":" + std::to_string(++sequence_) + ":" + process_token_;
  return "wamid." + crypto::base64_encode(raw);
}

}  // namespace disparo::sandbox
