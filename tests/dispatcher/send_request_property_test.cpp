// Properties of parse_send_body over generated inputs (rapidcheck): any bytes give either
// errors or messages, never both and never neither; what it accepts obeys the limits; and a
// generated valid request always parses back to exactly the fields it was written from.
#include "dispatcher/send_request.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <simdjson.h>

#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "common/json_writer.hpp"
#include "common/rfc3339.hpp"

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;

const SysTime kNow = *parse_rfc3339("2026-03-10T12:00:00Z");

bool is_e164(const std::string& text) {
  static const std::regex kE164(R"(^\+[1-9][0-9]{7,14}$)");
  return std::regex_match(text, kE164);
}

// What must hold for any result of parse_send_body.
void check_invariants(const ParsedSendBody& parsed, const SendLimits& limits) {
  RC_ASSERT(parsed.errors.empty() != parsed.messages.empty());
  if (!parsed.is_batch) RC_ASSERT(parsed.messages.size() <= 1u);
  RC_ASSERT(parsed.messages.size() <= limits.max_batch);
  for (const auto& error : parsed.errors) RC_ASSERT(!error.message.empty());
  for (const auto& m : parsed.messages) {
    RC_ASSERT(is_e164(m.to));
    RC_ASSERT(m.expires_at > m.send_at);
    RC_ASSERT(m.send_at <= kNow + limits.max_schedule_ahead);
    RC_ASSERT(m.idempotency_key.size() <= limits.max_idempotency_key);
    RC_ASSERT(m.metadata_json.size() <= limits.max_metadata_bytes);
    RC_ASSERT(!(m.session_id && m.server_id));
    if (m.session_id) RC_ASSERT(*m.session_id > 0);
    if (m.server_id) RC_ASSERT(*m.server_id > 0);
    if (m.client_id) RC_ASSERT(*m.client_id > 0);
    if (const auto* text = std::get_if<TextContent>(&m.content)) {
      RC_ASSERT(!text->body.empty());
      RC_ASSERT(text->body.size() <= kMaxTextBody);
    } else if (const auto* tpl = std::get_if<TemplateContent>(&m.content)) {
      RC_ASSERT(!tpl->name.empty());
      RC_ASSERT(!tpl->language.empty());
      RC_ASSERT(tpl->body_params.size() <= kMaxTemplateParams);
    } else if (const auto* contact = std::get_if<ContactContent>(&m.content)) {
      RC_ASSERT(!contact->name.empty());
      RC_ASSERT(!contact->phones.empty());
      RC_ASSERT(contact->phones.size() <= kMaxContactPhones);
      for (const auto& phone : contact->phones) RC_ASSERT(is_e164(phone));
    } else {
      const auto& media = std::get<MediaContent>(m.content);
      RC_ASSERT(media.type == "image" || media.type == "video" || media.type == "document" ||
                media.type == "audio");
      RC_ASSERT(media.url.starts_with("http://") || media.url.starts_with("https://"));
      RC_ASSERT(media.caption.size() <= kMaxCaption);
      if (media.type == "audio") RC_ASSERT(media.caption.empty());
    }
  }
}

RC_GTEST_PROP(ParseSendBodyProperty, ArbitraryBytesGiveErrorsOrMessages, (const std::string& bytes)) {
  const SendLimits limits;
  check_invariants(parse_send_body(bytes, kNow, limits), limits);
}

// JSON values a send body might plausibly contain, right and wrong, nested now and then.
rc::Gen<std::string> json_value(int depth) {
  const std::vector<std::string> strings = {
      "+5511987654321", "(11) 98765-4321", "11 8765-4321", "x", "", "https://cdn.example/a.png",
      "ftp://a", "image", "audio", "document", "sticker", "transactional", "marketing",
      "2026-03-11T09:00:00-03:00", "2026-03-10T11:00:00Z", "2030-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
      "12", "0", "-3", "pt_BR", "\xff\xfe", "\"quoted\"\n"};
  const auto scalar = rc::gen::weightedOneOf<std::string>({
      {6, rc::gen::map(rc::gen::elementOf(strings), [](const std::string& s) { return JsonWriter().value(s).str(); })},
      {2, rc::gen::map(rc::gen::arbitrary<std::string>(),
                       [](const std::string& s) { return JsonWriter().value(s).str(); })},
      {2, rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t n) { return std::to_string(n); })},
      {1, rc::gen::element<std::string>("true", "false", "null", "1.5", "-0", "1e400")},
  });
  if (depth == 0) return scalar;
  const auto array = rc::gen::exec([depth] {
    const auto count = *rc::gen::inRange(0, 4);
    std::string out = "[";
    for (int i = 0; i < count; ++i) out += (i ? "," : "") + *json_value(depth - 1);
    return out + "]";
  });
  const auto object = rc::gen::exec([depth] {
    const std::vector<std::string> keys = {"body", "preview_url", "name", "language", "params", "type",
                                           "url", "caption", "filename", "phone", "phones", "k"};
    const auto count = *rc::gen::inRange(0, 5);
    std::string out = "{";
    for (int i = 0; i < count; ++i) {
      out += (i ? "," : "") + JsonWriter().value(*rc::gen::elementOf(keys)).str() + ":" + *json_value(depth - 1);
    }
    return out + "}";
  });
  return rc::gen::weightedOneOf<std::string>({{6, scalar}, {2, array}, {3, object}});
}

rc::Gen<std::string> message_like_object() {
  return rc::gen::exec([] {
    const std::vector<std::string> keys = {"to", "to", "text", "template", "media", "contact", "session", "server",
                                           "client_id", "idempotency_key", "send_at", "expires_at",
                                           "priority", "callback_url", "metadata", "unknown"};
    const auto count = *rc::gen::inRange(0, 9);
    std::string out = "{";
    for (int i = 0; i < count; ++i) {
      out += (i ? "," : "") + JsonWriter().value(*rc::gen::elementOf(keys)).str() + ":" + *json_value(2);
    }
    return out + "}";
  });
}

RC_GTEST_PROP(ParseSendBodyProperty, JsonShapedBodiesGiveErrorsOrMessages, ()) {
  std::string body;
  if (*rc::gen::inRange(0, 3) == 0) {
    const auto count = *rc::gen::inRange(0, 6);
    body = R"({"messages":[)";
    for (int i = 0; i < count; ++i) body += (i ? "," : "") + *message_like_object();
    body += "]}";
  } else {
    body = *message_like_object();
  }
  SendLimits limits;
  limits.max_batch = 4;
  const auto parsed = parse_send_body(body, kNow, limits);
  RC_TAG(parsed.messages.empty() ? "refused" : "accepted");
  check_invariants(parsed, limits);
  // Parsing is a function of its input.
  const auto again = parse_send_body(body, kNow, limits);
  RC_ASSERT(again.errors.size() == parsed.errors.size());
  RC_ASSERT(again.messages.size() == parsed.messages.size());
}

// A valid request as its author means it; written to JSON by the generator below.
struct Intended {
  std::string to_input;
  std::string to_e164;
  std::optional<std::int64_t> session, server, client;
  MessageContent content;
  std::string key;
  std::optional<std::chrono::seconds> send_in;
  std::optional<std::chrono::seconds> valid_for;
  std::optional<Priority> priority;
  std::string callback_url;
  bool with_metadata = false;
  std::string metadata_value;
};

rc::Gen<std::string> printable_text(std::size_t min, std::size_t max) {
  // Mixed ASCII, accents, emoji and JSON-special characters, as CRM users write them.
  return rc::gen::exec([min, max] {
    const std::vector<std::string> pieces = {"a", "Z", "5", " ", "ç", "ã", "é", "😀", "\"", "\\", "\n",
                                             "\t", "/", "{", "}", ",", "R$ 89,90", "\x01"};
    const auto count = *rc::gen::inRange(min, max + 1);
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += *rc::gen::elementOf(pieces);
    return out;
  });
}

rc::Gen<MessageContent> content_gen() {
  return rc::gen::oneOf(
      rc::gen::exec([] {
        return MessageContent{TextContent{*printable_text(1, 60), *rc::gen::arbitrary<bool>()}};
      }),
      rc::gen::exec([] {
        TemplateContent tpl;
        tpl.name = *rc::gen::element<std::string>("lembrete_fatura", "pagamento_confirmado", "boas_vindas");
        tpl.language = *rc::gen::element<std::string>("pt_BR", "en_US", "es");
        tpl.body_params = *rc::gen::container<std::vector<std::string>>(
            static_cast<std::size_t>(*rc::gen::inRange(0, 6)), printable_text(0, 12));
        return MessageContent{std::move(tpl)};
      }),
      rc::gen::exec([] {
        ContactContent contact;
        contact.name = *rc::gen::element<std::string>("Suporte", "Central de Cobrança", "Ana");
        const auto count = *rc::gen::inRange(1, 6);
        for (int i = 0; i < count; ++i) contact.phones.push_back("+55119" + std::to_string(*rc::gen::inRange(60000000, 100000000)));
        return MessageContent{std::move(contact)};
      }),
      rc::gen::exec([] {
        MediaContent media;
        media.type = *rc::gen::element<std::string>("image", "video", "document", "audio");
        media.url = "https://cdn.example/" + std::to_string(*rc::gen::inRange(0, 1000)) + ".bin";
        if (media.type != "audio") media.caption = *printable_text(0, 20);
        if (media.type == "document") media.filename = *rc::gen::element<std::string>("", "boleto.pdf");
        return MessageContent{std::move(media)};
      }));
}

rc::Gen<Intended> intended_gen() {
  return rc::gen::exec([] {
    Intended in;
    const auto ddd = *rc::gen::element<std::string>("11", "21", "31", "61", "85", "99");
    const auto subscriber = std::to_string(*rc::gen::inRange(60000000, 100000000));
    in.to_e164 = "+55" + ddd + "9" + subscriber;
    in.to_input = *rc::gen::element<std::string>(
        "+55" + ddd + "9" + subscriber, "55" + ddd + "9" + subscriber, "(" + ddd + ") 9" + subscriber.substr(0, 4) + "-" + subscriber.substr(4),
        "0" + ddd + subscriber, ddd + " " + subscriber);
    const auto route = *rc::gen::inRange(0, 3);
    if (route == 1) in.session = *rc::gen::inRange<std::int64_t>(1, 1'000'000'000'000);
    if (route == 2) in.server = *rc::gen::inRange<std::int64_t>(1, 1'000'000);
    if (*rc::gen::arbitrary<bool>()) in.client = *rc::gen::inRange<std::int64_t>(1, 1'000'000);
    in.content = *content_gen();
    if (*rc::gen::arbitrary<bool>()) in.key = *printable_text(1, 20);
    if (*rc::gen::arbitrary<bool>()) in.send_in = std::chrono::seconds(*rc::gen::inRange(0, 35 * 86400));
    if (*rc::gen::arbitrary<bool>()) in.valid_for = std::chrono::seconds(*rc::gen::inRange(1, 90 * 86400));
    if (*rc::gen::arbitrary<bool>()) {
      in.priority = *rc::gen::element(Priority::transactional, Priority::marketing);
    }
    if (*rc::gen::arbitrary<bool>()) in.callback_url = "https://crm.example/h/" + std::to_string(*rc::gen::inRange(0, 99));
    in.with_metadata = *rc::gen::arbitrary<bool>();
    in.metadata_value = *printable_text(0, 20);
    return in;
  });
}

void write_content(JsonWriter& json, const MessageContent& content) {
  if (const auto* text = std::get_if<TextContent>(&content)) {
    if (text->preview_url) {
      json.key("text").begin_object().field("body", text->body).field("preview_url", true).end_object();
    } else {
      json.field("text", text->body);
    }
  } else if (const auto* tpl = std::get_if<TemplateContent>(&content)) {
    json.key("template").begin_object().field("name", tpl->name).field("language", tpl->language);
    json.key("params").begin_array();
    for (const auto& p : tpl->body_params) json.value(p);
    json.end_array().end_object();
  } else if (const auto* contact = std::get_if<ContactContent>(&content)) {
    json.key("contact").begin_object().field("name", contact->name);
    if (contact->phones.size() == 1) {
      json.field("phone", contact->phones[0]);
    } else {
      json.key("phones").begin_array();
      for (const auto& p : contact->phones) json.value(p);
      json.end_array();
    }
    json.end_object();
  } else {
    const auto& media = std::get<MediaContent>(content);
    json.key("media").begin_object().field("type", media.type).field("url", media.url);
    if (!media.caption.empty()) json.field("caption", media.caption);
    if (!media.filename.empty()) json.field("filename", media.filename);
    json.end_object();
  }
}

void write_intended(JsonWriter& json, const Intended& in) {
  json.begin_object().field("to", in.to_input);
  if (in.session) json.field("session", *in.session);
  if (in.server) json.field("server", std::to_string(*in.server));  // ids may come as strings
  if (in.client) json.field("client_id", *in.client);
  write_content(json, in.content);
  if (!in.key.empty()) json.field("idempotency_key", in.key);
  const SysTime send_at = in.send_in ? kNow + *in.send_in : kNow;
  if (in.send_in) json.field("send_at", format_rfc3339(send_at));
  if (in.valid_for) json.field("expires_at", format_rfc3339(send_at + *in.valid_for));
  if (in.priority) json.field("priority", *in.priority == Priority::transactional ? "transactional" : "marketing");
  if (!in.callback_url.empty()) json.field("callback_url", in.callback_url);
  if (in.with_metadata) json.key("metadata").begin_object().field("note", in.metadata_value).end_object();
  json.end_object();
}

void check_round_trip(const Intended& in, const SendRequest& m) {
  RC_ASSERT(m.to == in.to_e164);
  RC_ASSERT(m.session_id == in.session);
  RC_ASSERT(m.server_id == in.server);
  RC_ASSERT(m.client_id == in.client);
  RC_ASSERT(m.idempotency_key == in.key);
  const SysTime send_at = in.send_in ? kNow + *in.send_in : kNow;
  RC_ASSERT(m.send_at == send_at);
  RC_ASSERT(m.expires_at == send_at + (in.valid_for ? *in.valid_for : std::chrono::seconds(24h)));
  RC_ASSERT(m.priority == in.priority.value_or(Priority::marketing));
  RC_ASSERT(m.callback_url == in.callback_url);
  if (in.with_metadata) {
    // Minified by the parser: compare what it says, not how simdjson escapes it.
    simdjson::dom::parser parser;
    simdjson::dom::object metadata;
    RC_ASSERT(parser.parse(m.metadata_json).get(metadata) == simdjson::SUCCESS);
    RC_ASSERT(metadata.size() == 1u);
    std::string_view note;
    RC_ASSERT(metadata["note"].get(note) == simdjson::SUCCESS);
    RC_ASSERT(note == in.metadata_value);
  } else {
    RC_ASSERT(m.metadata_json.empty());
  }
  RC_ASSERT(m.content.index() == in.content.index());
  if (const auto* text = std::get_if<TextContent>(&in.content)) {
    const auto& got = std::get<TextContent>(m.content);
    RC_ASSERT(got.body == text->body);
    RC_ASSERT(got.preview_url == text->preview_url);
  } else if (const auto* tpl = std::get_if<TemplateContent>(&in.content)) {
    const auto& got = std::get<TemplateContent>(m.content);
    RC_ASSERT(got.name == tpl->name);
    RC_ASSERT(got.language == tpl->language);
    RC_ASSERT(got.body_params == tpl->body_params);
  } else if (const auto* contact = std::get_if<ContactContent>(&in.content)) {
    const auto& got = std::get<ContactContent>(m.content);
    RC_ASSERT(got.name == contact->name);
    RC_ASSERT(got.phones == contact->phones);
  } else {
    const auto& media = std::get<MediaContent>(in.content);
    const auto& got = std::get<MediaContent>(m.content);
    RC_ASSERT(got.type == media.type);
    RC_ASSERT(got.url == media.url);
    RC_ASSERT(got.caption == media.caption);
    RC_ASSERT(got.filename == media.filename);
  }
}

RC_GTEST_PROP(ParseSendBodyProperty, ValidMessageRoundTrips, ()) {
  const auto in = *intended_gen();
  JsonWriter json;
  write_intended(json, in);
  const auto parsed = parse_send_body(json.str(), kNow);
  RC_ASSERT(parsed.errors.empty());
  RC_ASSERT(!parsed.is_batch);
  RC_ASSERT(parsed.messages.size() == 1u);
  check_round_trip(in, parsed.messages[0]);
}

RC_GTEST_PROP(ParseSendBodyProperty, ValidBatchRoundTripsInOrder, ()) {
  const auto items = *rc::gen::resize(20, rc::gen::nonEmpty(rc::gen::container<std::vector<Intended>>(intended_gen())));
  JsonWriter json;
  json.begin_object().key("messages").begin_array();
  for (const auto& in : items) write_intended(json, in);
  json.end_array().end_object();
  const auto parsed = parse_send_body(json.str(), kNow);
  RC_ASSERT(parsed.errors.empty());
  RC_ASSERT(parsed.is_batch);
  RC_ASSERT(parsed.messages.size() == items.size());
  for (std::size_t i = 0; i < items.size(); ++i) check_round_trip(items[i], parsed.messages[i]);
}

}  // namespace
}  // namespace disparo::dispatch
