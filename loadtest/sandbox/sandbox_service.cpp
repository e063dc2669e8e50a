#include "loadtest/sandbox/sandbox_service.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <variant>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"

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

http::Response method_not_allowed(std::string_view allowed) {
  http::Response r = http::problem_response(405, "method-not-allowed", "Method not allowed",
                                            "allowed: " + std::string(allowed));
  r.set("Allow", std::string(allowed));
  return r;
}

}  // namespace

SandboxService::SandboxService(ServiceOptions options, Recorder& recorder,
                               StatusScheduler& scheduler, const Clock& clock, log::Logger& logger,
                               SubscriptionCheck* subscription)
    : options_(std::move(options)),
      recorder_(recorder),
      scheduler_(scheduler),
      clock_(clock),
      logger_(logger),
      subscription_(subscription) {}

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
  co_return handle_now(request);
}

http::Response SandboxService::handle_now(const http::Request& request) {
  const std::string_view path = request.path();
  if (path == "/healthz") {
    if (request.method != "GET" && request.method != "HEAD") return method_not_allowed("GET, HEAD");
    return http::json_response(200, R"({"status":"ok"})");
  }
  if (path.starts_with(kSandboxPrefix)) return sandbox_api(request);

  RecordedRequest record;
  record.method = request.method;
  record.target = request.target;
  record.headers = mask_headers(request.headers);
  record.body = request.body;
  record.received_at_us = clock_.now().time_since_epoch().count();
  http::Response response = provider_api(request, record);
  record.status = response.status;
  logger_.debug("request",
                {{"method", request.method}, {"path", path}, {"status", response.status}});
  recorder_.add_request(std::move(record));
  return response;
}

http::Response SandboxService::provider_api(const http::Request& request, RecordedRequest& record) {
  const std::optional<MessagesPath> path = parse_messages_path(request.path());
  if (!path) return meta_error(unknown_path_error(request.path()), record);
  if (request.method != "POST") {
    MetaError error = invalid_parameter("Unsupported " + request.method + " request.");
    return meta_error(error, record);
  }
  if (!authorized(request)) return meta_error(invalid_token_error(), record);
  return send_message(request, *path, record);
}

http::Response SandboxService::send_message(const http::Request& request, const MessagesPath& path,
                                            RecordedRequest& record) {
  auto validated = validator_.validate(request.body);
  if (auto* error = std::get_if<MetaError>(&validated)) return meta_error(*error, record);
  SendRequest& send = std::get<SendRequest>(validated);

  AcceptedMessage accepted;
  accepted.wa_id = wa_id_for(send.to, send.recipient_type);
  accepted.wamid = next_wamid(accepted.wa_id);
  accepted.phone_number_id = path.phone_number_id;
  accepted.message_type = send.type;
  accepted.api_major = path.major;
  accepted.biz_opaque_callback_data = std::move(send.biz_opaque_callback_data);

  record.wamid = accepted.wamid;
  http::Response response =
      http::json_response(200, render_send_success(send.to, accepted.wa_id, accepted.wamid));
  scheduler_.schedule(std::move(accepted));
  return response;
}

http::Response SandboxService::sandbox_api(const http::Request& request) {
  const std::string_view path = request.path();
  const std::string& method = request.method;
  if (path == "/_sandbox/requests") {
    if (method == "GET") return http::json_response(200, recorder_.requests_json());
    if (method == "DELETE") {
      recorder_.clear();
      return http::json_response(200, R"({"cleared":true})");
    }
    return method_not_allowed("GET, DELETE");
  }
  if (path == "/_sandbox/webhooks") {
    if (method == "GET") return http::json_response(200, recorder_.webhooks_json());
    return method_not_allowed("GET");
  }
  if (path == "/_sandbox/subscriptions") {
    if (method == "GET") return http::json_response(200, recorder_.subscriptions_json());
    return method_not_allowed("GET");
  }
  if (path == "/_sandbox/subscribe") return method_not_allowed("POST");
  return http::problem_response(404, "not-found", "Not found", "no such sandbox endpoint");
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
  // number (unique per process) and random bytes (unique across restarts).
  const std::string raw =
      std::string(wa_id) + ":" + std::to_string(++sequence_) + ":" + crypto::random_token(12);
  return "wamid." + crypto::base64_encode(raw);
}

}  // namespace disparo::sandbox
