#include "loadtest/sandbox/evolution_api.hpp"

#include <algorithm>
#include <cctype>

#include <simdjson.h>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"

namespace disparo::sandbox {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kJidSuffix = "@s.whatsapp.net";

http::Response evolution_error(int status, const std::vector<std::string>& messages) {
  return http::json_response(status, render_evolution_error(status, messages));
}

// "/message/sendText/inst" -> {"message", "sendText", "inst"}; nullopt unless three segments.
struct RoutePath {
  std::string_view group, action, instance;
};
std::optional<RoutePath> split_route(std::string_view path) {
  if (!path.starts_with('/')) return std::nullopt;
  path.remove_prefix(1);
  const auto a = path.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = path.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  RoutePath r{path.substr(0, a), path.substr(a + 1, b - a - 1), path.substr(b + 1)};
  if (r.instance.empty() || r.instance.find('/') != std::string_view::npos) return std::nullopt;
  return r;
}

// "messages.update" -> "MESSAGES_UPDATE" (the names of the webhook `events` list).
std::string event_constant(std::string_view event) {
  if (event == "send.message") return "SEND_MESSAGE";
  std::string out;
  for (char c : event) out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "messages.update" -> "messages-update" (the byEvents URL suffix).
std::string event_suffix(std::string_view event) {
  std::string out(event);
  std::replace(out.begin(), out.end(), '.', '-');
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

std::string instance_id_for(std::string_view instance) {
  const std::string h = crypto::sha256_hex(std::string("evolution-instance:") + std::string(instance));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) +
         "-" + h.substr(20, 12);
}

EvolutionApi::EvolutionApi(EvolutionOptions options, BehaviourEngine& engine,
                           StatusScheduler& scheduler, const Clock& clock, log::Logger& logger)
    : options_(std::move(options)),
      engine_(engine),
      scheduler_(scheduler),
      clock_(clock),
      logger_(logger) {}

bool EvolutionApi::owns(std::string_view path) {
  return path.starts_with("/message/") || path.starts_with("/webhook/") ||
         path.starts_with("/instance/");
}

EvolutionApi::Instance& EvolutionApi::instance(std::string_view name) {
  auto it = instances_.find(name);
  if (it == instances_.end()) it = instances_.emplace(std::string(name), Instance{}).first;
  return it->second;
}

bool EvolutionApi::authorized(const http::Request& request) const {
  const auto key = request.header("apikey");
  return key && !options_.api_key.empty() && crypto::constant_time_equal(*key, options_.api_key);
}

Answer EvolutionApi::handle(const http::Request& request, RecordedRequest& record) {
  record.provider = "evolution";
  const std::string_view path = request.path();
  const auto route = split_route(path);
  const bool known = route && ((route->group == "message" && request.method == "POST" &&
                                is_evolution_send_action(route->action)) ||
                               (route->group == "webhook" && request.method == "POST" &&
                                route->action == "set") ||
                               (route->group == "webhook" && request.method == "GET" &&
                                route->action == "find") ||
                               (route->group == "instance" && request.method == "GET" &&
                                route->action == "connectionState"));
  if (!known) {
    // Express's default for an unknown route, in Evolution's envelope.
    return {evolution_error(404, {"Cannot " + request.method + " " + std::string(path)}), {}};
  }
  if (!authorized(request)) {
    return {http::json_response(401, render_evolution_error(401, R"("Unauthorized")")), {}};
  }
  if (route->group == "message") return send(request, route->action, route->instance, record);
  if (route->action == "set") return {set_webhook(request, route->instance), {}};
  if (route->action == "find") return {find_webhook(route->instance), {}};
  JsonWriter w;
  const Instance& i = instance(route->instance);
  w.begin_object().key("instance").begin_object();
  w.field("instanceName", route->instance).field("state", i.state);
  w.end_object().end_object();
  return {http::json_response(200, std::move(w).str()), {}};
}

Answer EvolutionApi::send(const http::Request& request, std::string_view action,
                          std::string_view name, RecordedRequest& record) {
  Answer answer;
  answer.delay = engine_.latency();
  // The router validates the body against the JSON schema before the service runs.
  auto parsed = parser_.parse(action, request.body);
  if (auto* invalid = std::get_if<EvolutionInvalid>(&parsed)) {
    answer.response = evolution_error(400, invalid->messages);
    return answer;
  }
  const Instance& inst = instance(name);
  if (inst.state != "open") {
    // What Evolution 2.3 answers when the Baileys socket of the instance is closed
    // (evolution-foundation/evolution-api issue 1772): 500, "Error: Connection Closed".
    answer.response = evolution_error(500, {"Error: Connection Closed"});
    return answer;
  }
  EvolutionSend& message = std::get<EvolutionSend>(parsed);
  switch (engine_.transport_fault()) {
    case TransportFault::reset:
      record.fault = "reset";
      answer.response.reset_connection = true;
      return answer;
    case TransportFault::server_error:
      record.fault = "http_5xx";
      answer.response = evolution_error(500, {"Error: Internal Server Error"});
      return answer;
    case TransportFault::none:
      break;
  }
  if (engine_.throughput_exceeded(name)) {
    // Baileys' "rate-overlimit" surfaces as an unhandled error: Evolution's 500 envelope.
    answer.response = evolution_error(500, {"Error: rate-overlimit"});
    return answer;
  }
  const std::string remote_jid = engine_.wa_id(message.number) + std::string(kJidSuffix);
  if (engine_.unknown_number(message.number)) {
    // The pre-send onWhatsApp check (reference 2.3): 400 with the lookup result.
    JsonWriter w;
    w.begin_array().begin_object();
    w.field("jid", remote_jid).field("exists", false).field("number", message.number);
    w.end_object().end_array();
    answer.response = http::json_response(400, render_evolution_error(400, w.str()));
    return answer;
  }
  // Evolution answers only after `delay` (presence, sleep, send): the answer waits too.
  answer.delay += std::chrono::milliseconds(message.delay_ms);

  StoredMessage stored;
  stored.key_id = next_key_id();
  stored.remote_jid = remote_jid;
  stored.message_type = message.message_type;
  stored.message_json = message.message_json;
  stored.timestamp = now_us() / 1'000'000 + message.delay_ms / 1000;
  stored.instance_id = instance_id_for(name);
  const std::string body = render_stored_message(stored);
  record.wamid = stored.key_id;
  answer.response = http::json_response(201, body);

  post(name, "send.message", body, std::chrono::milliseconds(message.delay_ms));
  if (auto target = target_for(name, "messages.update")) {
    AcceptedMessage accepted;
    accepted.wamid = stored.key_id;
    accepted.wa_id = remote_jid;
    accepted.message_type = message.message_type;
    accepted.start_delay = std::chrono::milliseconds(message.delay_ms);
    if (engine_.webhooks_customised()) accepted.plan = engine_.plan_statuses(false);
    accepted.evolution = std::move(*target);
    scheduler_.schedule(std::move(accepted));
  }
  return answer;
}

http::Response EvolutionApi::set_webhook(const http::Request& request, std::string_view name) {
  dom::parser parser;
  dom::element doc;
  dom::object root, hook;
  if (parser.parse(request.body).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS) {
    return evolution_error(400, {"instance is not of a type(s) object"});
  }
  // v2.3 nests the settings under "webhook"; earlier v2 releases took them flat.
  if (root["webhook"].get_object().get(hook) != simdjson::SUCCESS) hook = root;
  WebhookConfig config;
  std::vector<std::string> errors;
  dom::element e;
  if (hook["enabled"].get(e) == simdjson::SUCCESS && e.get_bool().get(config.enabled) != simdjson::SUCCESS) {
    errors.push_back("instance.webhook.enabled is not of a type(s) boolean");
  }
  std::string_view url;
  if (hook["url"].get_string().get(url) != simdjson::SUCCESS) {
    if (config.enabled) errors.push_back("instance.webhook requires property \"url\"");
  } else if (auto parsed = http::parse_url(url); !parsed || parsed->scheme != "http") {
    errors.push_back("instance.webhook.url must be an http:// URL (the sandbox does not speak TLS)");
  }
  config.url = std::string(url);
  dom::object headers;
  if (hook["headers"].get_object().get(headers) == simdjson::SUCCESS) {
    for (auto field : headers) {
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        errors.push_back("instance.webhook.headers." + std::string(field.key) + " is not of a type(s) string");
        continue;
      }
      config.headers.emplace_back(std::string(field.key), std::string(value));
    }
  }
  if (hook["byEvents"].get(e) == simdjson::SUCCESS && e.get_bool().get(config.by_events) != simdjson::SUCCESS) {
    errors.push_back("instance.webhook.byEvents is not of a type(s) boolean");
  }
  if (hook["base64"].get(e) == simdjson::SUCCESS && e.get_bool().get(config.base64) != simdjson::SUCCESS) {
    errors.push_back("instance.webhook.base64 is not of a type(s) boolean");
  }
  dom::array events;
  if (hook["events"].get_array().get(events) == simdjson::SUCCESS) {
    for (dom::element ev : events) {
      std::string_view name_text;
      if (ev.get_string().get(name_text) == simdjson::SUCCESS) config.events.emplace_back(name_text);
    }
  }
  if (!errors.empty()) return evolution_error(400, errors);
  config.updated_us = now_us();
  instance(name).webhook = std::move(config);
  http::Response r = find_webhook(name);
  r.status = 201;
  return r;
}

http::Response EvolutionApi::find_webhook(std::string_view name) {
  const Instance& inst = instance(name);
  if (!inst.webhook) return http::json_response(200, "null");
  const WebhookConfig& c = *inst.webhook;
  JsonWriter w;
  w.begin_object();
  w.field("id", instance_id_for(std::string(name) + ":webhook"));
  w.field("url", c.url);
  w.key("headers").begin_object();
  for (const auto& [k, v] : c.headers) w.field(k, v);
  w.end_object();
  w.field("enabled", c.enabled);
  w.key("events").begin_array();
  for (const auto& ev : c.events) w.value(ev);
  w.end_array();
  w.field("webhookByEvents", c.by_events);
  w.field("webhookBase64", c.base64);
  w.field("createdAt", iso_time_ms(c.updated_us));
  w.field("updatedAt", iso_time_ms(c.updated_us));
  w.field("instanceId", instance_id_for(name));
  w.end_object();
  return http::json_response(200, std::move(w).str());
}

std::optional<EvolutionTarget> EvolutionApi::target_for(std::string_view name,
                                                        std::string_view event) {
  const Instance& inst = instance(name);
  EvolutionTarget t;
  t.instance = std::string(name);
  t.instance_id = instance_id_for(name);
  t.apikey = options_.api_key;
  t.server_url = options_.server_url;
  t.sender = options_.owner_number + std::string(kJidSuffix);
  if (inst.webhook) {
    const WebhookConfig& c = *inst.webhook;
    if (!c.enabled || c.url.empty()) return std::nullopt;
    if (!c.events.empty() &&
        std::find(c.events.begin(), c.events.end(), event_constant(event)) == c.events.end()) {
      return std::nullopt;
    }
    t.url = c.url;
    if (c.by_events) t.url += (t.url.ends_with('/') ? "" : "/") + event_suffix(event);
    t.headers = c.headers;
  } else {
    if (options_.webhook_url.empty()) return std::nullopt;
    t.url = replace_all(options_.webhook_url, "{instance}", name);
  }
  return t;
}

void EvolutionApi::post(std::string_view name, std::string_view event, std::string_view data_json,
                        std::chrono::milliseconds delay) {
  auto target = target_for(name, event);
  if (!target) return;
  WebhookEvent e;
  e.provider = "evolution";
  e.event = std::string(event);
  e.url = target->url;
  e.headers = target->headers;
  e.body = render_evolution_envelope(*target, event, data_json, now_us() + delay.count() * 1000);
  e.delay = delay;
  scheduler_.post_event(std::move(e));
}

http::Response EvolutionApi::connection_route(const http::Request& request) {
  dom::parser parser;
  dom::element doc;
  std::vector<FieldError> errors;
  std::string_view name, state;
  std::int64_t reason = -1;
  if (parser.parse(request.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    errors.push_back({"", "the body must be a JSON object"});
  } else {
    if (doc["instance"].get_string().get(name) != simdjson::SUCCESS || name.empty())
      errors.push_back({"instance", "must be a non-empty string"});
    if (doc["state"].get_string().get(state) != simdjson::SUCCESS ||
        (state != "open" && state != "close" && state != "refused" && state != "connecting"))
      errors.push_back({"state", "must be open, close, refused or connecting"});
    dom::element e;
    if (doc["status_reason"].get(e) == simdjson::SUCCESS &&
        (e.get_int64().get(reason) != simdjson::SUCCESS || reason < 0 || reason > 9999))
      errors.push_back({"status_reason", "must be an integer from 0 to 9999"});
  }
  if (!errors.empty()) return field_problem(errors);
  if (reason < 0) reason = state == "open" ? 200 : 428;  // Baileys: 428 = connection closed
  Instance& inst = instance(name);
  inst.state = std::string(state);
  inst.status_reason = static_cast<int>(reason);
  const std::string data = render_connection_update(name, state, inst.status_reason,
                                                    options_.owner_number + std::string(kJidSuffix));
  post(name, "connection.update", data);
  return http::json_response(200, data);
}

http::Response EvolutionApi::qrcode_route(const http::Request& request) {
  dom::parser parser;
  dom::element doc;
  std::string_view name;
  if (parser.parse(request.body).get(doc) != simdjson::SUCCESS || !doc.is_object() ||
      doc["instance"].get_string().get(name) != simdjson::SUCCESS || name.empty()) {
    return field_problem({{"instance", "must be a non-empty string"}});
  }
  // A WhatsApp Web QR payload looks like "2@<ref>,<key>,<key>,<key>"; the pairing code is 8
  // characters.
  const std::string code = "2@" + crypto::random_token(32) + "," + crypto::random_token(16) + "," +
                           crypto::random_token(16) + ",1";
  std::string pairing = crypto::sha256_hex(code).substr(0, 8);
  for (char& c : pairing) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string data = render_qrcode_updated(name, code, pairing);
  post(name, "qrcode.updated", data);
  return http::json_response(200, data);
}

http::Response EvolutionApi::inbound(std::string_view name, std::string_view from_digits,
                                     std::string_view text) {
  StoredMessage m;
  m.key_id = next_key_id();
  m.remote_jid = engine_.wa_id(from_digits) + std::string(kJidSuffix);
  m.from_me = false;
  m.status = "DELIVERY_ACK";
  m.push_name = "Cliente";
  m.message_type = "conversation";
  JsonWriter w;
  w.begin_object().field("conversation", text).end_object();
  m.message_json = std::move(w).str();
  m.timestamp = now_us() / 1'000'000;
  m.instance_id = instance_id_for(name);
  m.source = "android";
  const std::string data = render_stored_message(m);
  post(name, "messages.upsert", data);
  return http::json_response(200, data);
}

std::string EvolutionApi::next_key_id() {
  // Baileys ids: "3EB0" + 18 upper-case hex digits.
  std::string id = "3EB0" + crypto::sha256_hex(std::to_string(++sequence_) + ":" +
                                               crypto::random_token(12)).substr(0, 18);
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

}  // namespace disparo::sandbox
