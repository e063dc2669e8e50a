// The /_sandbox/* routes of SandboxService: inspection (requests, webhooks, subscriptions),
// the behaviour document, and the control routes that make the simulated providers post
// webhooks (inbound messages, template status, quality, Evolution connection and QR code).
#include <simdjson.h>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"
#include "loadtest/sandbox/cloud_api_events.hpp"
#include "loadtest/sandbox/sandbox_service.hpp"

namespace disparo::sandbox {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kTemplateEvents[] = {"APPROVED", "PAUSED", "DISABLED", "REJECTED"};
constexpr std::string_view kQualities[] = {"GREEN", "YELLOW", "RED"};

bool is_e164(std::string_view text) {
  if (text.size() < 9 || text.size() > 16 || text.front() != '+') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads a control document: the root object, or a problem naming the body.
std::optional<http::Response> parse_object(dom::parser& parser, const http::Request& request,
                                           dom::object& out) {
  dom::element doc;
  if (parser.parse(request.body).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(out) != simdjson::SUCCESS) {
    return field_problem({{"", "the body must be a JSON object"}});
  }
  return std::nullopt;
}

std::string_view string_field(dom::object obj, std::string_view key) {
  std::string_view out;
  if (obj[key].get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

template <std::size_t N>
bool one_of(std::string_view value, const std::string_view (&options)[N]) {
  return std::find(std::begin(options), std::end(options), value) != std::end(options);
}

}  // namespace

http::Response field_problem(const std::vector<FieldError>& errors) {
  JsonWriter w;
  w.begin_object();
  w.field("type", "https://disparo.dev/problems/validation");
  w.field("title", "The document is not valid");
  w.field("status", 400);
  w.field("detail", "Nothing was changed; fix the fields listed in errors and send again.");
  w.key("errors").begin_array();
  for (const FieldError& e : errors) {
    w.begin_object().field("field", e.field).field("message", e.message).end_object();
  }
  w.end_array().end_object();
  http::Response r = http::json_response(400, std::move(w).str());
  r.set("Content-Type", "application/problem+json");
  return r;
}

http::Response method_not_allowed(std::string_view allowed) {
  http::Response r = http::problem_response(405, "method-not-allowed", "Method not allowed",
                                            "allowed: " + std::string(allowed));
  r.set("Allow", std::string(allowed));
  return r;
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
  if (path == "/_sandbox/behaviour") return behaviour_route(request);
  if (path == "/_sandbox/sink") {
    // A webhook receiver that accepts everything (benchmarks point the webhooks here).
    if (method == "POST") return http::json_response(200, "{}");
    return method_not_allowed("POST");
  }
  using Route = http::Response (SandboxService::*)(const http::Request&);
  struct PostRoute {
    std::string_view path;
    Route route;
  };
  const PostRoute posts[] = {{"/_sandbox/inbound", &SandboxService::inbound_route},
                             {"/_sandbox/cloud_api/template_status",
                              &SandboxService::template_status_route},
                             {"/_sandbox/cloud_api/quality", &SandboxService::quality_route}};
  for (const PostRoute& p : posts) {
    if (path != p.path) continue;
    if (method != "POST") return method_not_allowed("POST");
    return (this->*p.route)(request);
  }
  if (path == "/_sandbox/evolution/connection" || path == "/_sandbox/evolution/qrcode") {
    if (method != "POST") return method_not_allowed("POST");
    return path.ends_with("connection") ? evolution_->connection_route(request)
                                        : evolution_->qrcode_route(request);
  }
  if (path == "/_sandbox/subscribe") return method_not_allowed("POST");
  return http::problem_response(404, "not-found", "Not found", "no such sandbox endpoint");
}

http::Response SandboxService::behaviour_route(const http::Request& request) {
  if (request.method == "GET") {
    return http::json_response(200, render_behaviour(engine_->behaviour()));
  }
  if (request.method != "PUT") return method_not_allowed("GET, PUT");
  BehaviourResult parsed = parse_behaviour(request.body, engine_->defaults());
  if (auto* errors = std::get_if<std::vector<FieldError>>(&parsed)) return field_problem(*errors);
  engine_->replace(std::move(std::get<Behaviour>(parsed)));
  logger_.info("behaviour_replaced", {{"bytes", static_cast<std::uint64_t>(request.body.size())}});
  return http::json_response(200, render_behaviour(engine_->behaviour()));
}

http::Response SandboxService::inbound_route(const http::Request& request) {
  dom::parser parser;
  dom::object doc;
  if (auto problem = parse_object(parser, request, doc)) return *problem;
  const std::string_view pnid = string_field(doc, "phone_number_id");
  const std::string_view instance = string_field(doc, "instance");
  const std::string_view from = string_field(doc, "from");
  std::string_view text;
  std::vector<FieldError> errors;
  if (pnid.empty() == instance.empty()) {
    errors.push_back({"phone_number_id", "give exactly one of phone_number_id or instance"});
  }
  if (!is_e164(from)) errors.push_back({"from", "must be an E.164 number such as +5511987654321"});
  if (doc["text"].get_string().get(text) != simdjson::SUCCESS) {
    errors.push_back({"text", "must be a string"});
  }
  if (!errors.empty()) return field_problem(errors);
  const std::string digits = digits_of(from);
  if (!instance.empty()) {
    engine_->record_inbound(instance, digits);
    return evolution_->inbound(instance, digits, text);
  }
  engine_->record_inbound(pnid, digits);
  InboundText m;
  m.from_wa_id = engine_->wa_id(digits);
  m.profile_name = "Cliente";
  m.wamid = next_wamid(m.from_wa_id);
  m.text = std::string(text);
  m.timestamp = clock_.now().time_since_epoch().count() / 1'000'000;
  WebhookEvent event;
  event.event = "messages";
  event.wamid = m.wamid;
  event.body = render_inbound_webhook(
      BusinessAccount{options_.waba_id, options_.display_phone_number, std::string(pnid)}, m);
  std::string body = event.body;
  scheduler_.post_event(std::move(event));
  return http::json_response(200, std::move(body));
}

http::Response SandboxService::template_status_route(const http::Request& request) {
  dom::parser parser;
  dom::object doc;
  if (auto problem = parse_object(parser, request, doc)) return *problem;
  TemplateStatus s;
  s.name = std::string(string_field(doc, "name"));
  s.language = std::string(string_field(doc, "language"));
  s.event = std::string(string_field(doc, "status"));
  std::vector<FieldError> errors;
  if (s.name.empty()) errors.push_back({"name", "must be a non-empty string"});
  if (s.language.empty()) errors.push_back({"language", "must be a non-empty string"});
  if (!one_of(s.event, kTemplateEvents)) {
    errors.push_back({"status", "must be APPROVED, PAUSED, DISABLED or REJECTED"});
  }
  if (!errors.empty()) return field_problem(errors);
  if (auto reason = string_field(doc, "reason"); !reason.empty()) {
    s.reason = std::string(reason);
  } else if (s.event == "REJECTED") {
    s.reason = "INVALID_FORMAT";
  }
  if (auto category = string_field(doc, "category"); !category.empty()) s.category = std::string(category);
  // A stable numeric id per (name, language), as Meta keeps one id per template translation.
  s.template_id = static_cast<std::int64_t>(
      std::stoull(crypto::sha256_hex(s.name + "/" + s.language).substr(0, 13), nullptr, 16));
  WebhookEvent event;
  event.event = "message_template_status_update";
  event.body = render_template_status_webhook(
      options_.waba_id, clock_.now().time_since_epoch().count() / 1'000'000, s);
  std::string body = event.body;
  scheduler_.post_event(std::move(event));
  return http::json_response(200, std::move(body));
}

http::Response SandboxService::quality_route(const http::Request& request) {
  dom::parser parser;
  dom::object doc;
  if (auto problem = parse_object(parser, request, doc)) return *problem;
  QualityChange c;
  c.phone_number_id = std::string(string_field(doc, "phone_number_id"));
  c.quality = std::string(string_field(doc, "quality"));
  c.tier = std::string(string_field(doc, "tier"));
  std::vector<FieldError> errors;
  if (c.phone_number_id.empty()) errors.push_back({"phone_number_id", "must be a non-empty string"});
  if (!one_of(c.quality, kQualities)) errors.push_back({"quality", "must be GREEN, YELLOW or RED"});
  if (!c.tier.starts_with("TIER_")) errors.push_back({"tier", "must be a tier such as TIER_1K"});
  if (!errors.empty()) return field_problem(errors);
  c.display_phone_number = options_.display_phone_number;
  c.event = std::string(string_field(doc, "event"));
  if (c.event.empty()) c.event = c.quality == "RED" ? "FLAGGED" : "UNFLAGGED";
  WebhookEvent event;
  event.event = "phone_number_quality_update";
  event.body = render_quality_webhook(options_.waba_id,
                                      clock_.now().time_since_epoch().count() / 1'000'000, c);
  std::string body = event.body;
  scheduler_.post_event(std::move(event));
  return http::json_response(200, std::move(body));
}

}  // namespace disparo::sandbox
