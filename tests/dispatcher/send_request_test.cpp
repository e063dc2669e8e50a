// parse_send_body on hand-written bodies: what a valid request becomes, the defaults, and that
// every refusal names the field that is wrong (with "messages[i]." inside a batch).
#include "dispatcher/send_request.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "common/rfc3339.hpp"

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;

const SysTime kNow = *parse_rfc3339("2026-03-10T12:00:00Z");

std::string fields_of(const ParsedSendBody& parsed) {
  std::string out;
  for (const auto& error : parsed.errors) out += "[" + error.field + ": " + error.message + "] ";
  return out;
}

bool has_field(const ParsedSendBody& parsed, const std::string& field) {
  return std::any_of(parsed.errors.begin(), parsed.errors.end(),
                     [&](const FieldError& e) { return e.field == field; });
}

// Parses `body` and expects exactly one error, on `field`, and no messages.
void expect_only_error(const std::string& body, const std::string& field, const SendLimits& limits = {}) {
  SCOPED_TRACE(body.substr(0, 200));
  const auto parsed = parse_send_body(body, kNow, limits);
  EXPECT_TRUE(parsed.messages.empty());
  ASSERT_EQ(parsed.errors.size(), 1u) << fields_of(parsed);
  EXPECT_EQ(parsed.errors[0].field, field) << fields_of(parsed);
  EXPECT_FALSE(parsed.errors[0].message.empty());
}

// Parses `body` and expects no messages and an error on `field` (possibly among others).
void expect_error_on(const std::string& body, const std::string& field) {
  SCOPED_TRACE(body.substr(0, 200));
  const auto parsed = parse_send_body(body, kNow);
  EXPECT_TRUE(parsed.messages.empty());
  EXPECT_TRUE(has_field(parsed, field)) << fields_of(parsed);
}

SendRequest parse_one_ok(const std::string& body) {
  const auto parsed = parse_send_body(body, kNow);
  EXPECT_TRUE(parsed.errors.empty()) << fields_of(parsed);
  EXPECT_EQ(parsed.messages.size(), 1u);
  return parsed.messages.empty() ? SendRequest{} : parsed.messages[0];
}

TEST(ParseSendBody, MinimalTextGetsDefaults) {
  const auto parsed = parse_send_body(R"({"to":"+5511987654321","text":"Olá, sua fatura vence amanhã"})", kNow);
  ASSERT_TRUE(parsed.errors.empty()) << fields_of(parsed);
  EXPECT_FALSE(parsed.is_batch);
  ASSERT_EQ(parsed.messages.size(), 1u);
  const auto& m = parsed.messages[0];
  EXPECT_EQ(m.to, "+5511987654321");
  const auto* text = std::get_if<TextContent>(&m.content);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->body, "Olá, sua fatura vence amanhã");
  EXPECT_FALSE(text->preview_url);
  EXPECT_EQ(m.send_at, kNow);
  EXPECT_EQ(m.expires_at, kNow + 24h);
  EXPECT_EQ(m.priority, Priority::marketing);
  EXPECT_FALSE(m.session_id);
  EXPECT_FALSE(m.server_id);
  EXPECT_FALSE(m.client_id);
  EXPECT_EQ(m.idempotency_key, "");
  EXPECT_EQ(m.callback_url, "");
  EXPECT_EQ(m.metadata_json, "");
}

TEST(ParseSendBody, DefaultValidityFollowsSendAtAndLimits) {
  SendLimits limits;
  limits.default_validity = 2h;
  const auto parsed =
      parse_send_body(R"({"to":"+5511987654321","text":"x","send_at":"2026-03-11T09:00:00-03:00"})", kNow, limits);
  ASSERT_EQ(parsed.messages.size(), 1u) << fields_of(parsed);
  EXPECT_EQ(parsed.messages[0].send_at, *parse_rfc3339("2026-03-11T12:00:00Z"));
  EXPECT_EQ(parsed.messages[0].expires_at, *parse_rfc3339("2026-03-11T14:00:00Z"));
}

TEST(ParseSendBody, EveryFieldIsRead) {
  const auto m = parse_one_ok(R"({
    "to": "(11) 98765-4321", "session": 7, "client_id": "12",
    "text": {"body": "Pagamento confirmado", "preview_url": true},
    "idempotency_key": "pay-991", "send_at": "2026-03-10T15:30:00.250Z",
    "expires_at": "2026-03-10T18:00:00-03:00", "priority": "transactional",
    "callback_url": "https://crm.example/hooks/disparo",
    "metadata": { "invoice" : 991, "tags": ["a", "b"] }})");
  EXPECT_EQ(m.to, "+5511987654321");
  EXPECT_EQ(m.session_id, 7);
  EXPECT_FALSE(m.server_id);
  EXPECT_EQ(m.client_id, 12);
  const auto* text = std::get_if<TextContent>(&m.content);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->body, "Pagamento confirmado");
  EXPECT_TRUE(text->preview_url);
  EXPECT_EQ(m.idempotency_key, "pay-991");
  EXPECT_EQ(m.send_at, *parse_rfc3339("2026-03-10T15:30:00.250Z"));
  EXPECT_EQ(m.expires_at, *parse_rfc3339("2026-03-10T21:00:00Z"));
  EXPECT_EQ(m.priority, Priority::transactional);
  EXPECT_EQ(m.callback_url, "https://crm.example/hooks/disparo");
  EXPECT_EQ(m.metadata_json, R"({"invoice":991,"tags":["a","b"]})");  // minified
}

TEST(ParseSendBody, ServerRoutingAndExplicitMarketing) {
  const auto m = parse_one_ok(R"({"to":"+5511987654321","server":"3","text":"x","priority":"marketing"})");
  EXPECT_EQ(m.server_id, 3);
  EXPECT_FALSE(m.session_id);
  EXPECT_EQ(m.priority, Priority::marketing);
}

TEST(ParseSendBody, NullOptionalFieldsAreAbsent) {
  const auto m = parse_one_ok(
      R"({"to":"+5511987654321","text":"x","session":null,"template":null,"send_at":null,"metadata":null})");
  EXPECT_FALSE(m.session_id);
  EXPECT_EQ(m.send_at, kNow);
  EXPECT_EQ(m.metadata_json, "");
}

TEST(ParseSendBody, TemplateWithParamsInOrder) {
  const auto m = parse_one_ok(R"({"to":"+5511987654321","template":{"name":"lembrete_fatura",
      "language":"en_US","params":["Maria","R$ 89,90","10/09"]}})");
  const auto* tpl = std::get_if<TemplateContent>(&m.content);
  ASSERT_NE(tpl, nullptr);
  EXPECT_EQ(tpl->name, "lembrete_fatura");
  EXPECT_EQ(tpl->language, "en_US");
  EXPECT_EQ(tpl->body_params, (std::vector<std::string>{"Maria", "R$ 89,90", "10/09"}));
}

TEST(ParseSendBody, TemplateLanguageDefaultsToPortuguese) {
  const auto m = parse_one_ok(R"({"to":"+5511987654321","template":{"name":"boas_vindas"}})");
  const auto* tpl = std::get_if<TemplateContent>(&m.content);
  ASSERT_NE(tpl, nullptr);
  EXPECT_EQ(tpl->language, "pt_BR");
  EXPECT_TRUE(tpl->body_params.empty());
}

TEST(ParseSendBody, MediaDocument) {
  const auto m = parse_one_ok(R"({"to":"+5511987654321","media":{"type":"document",
      "url":"https://cdn.example/boleto.pdf","caption":"Seu boleto","filename":"boleto.pdf"}})");
  const auto* media = std::get_if<MediaContent>(&m.content);
  ASSERT_NE(media, nullptr);
  EXPECT_EQ(media->type, "document");
  EXPECT_EQ(media->url, "https://cdn.example/boleto.pdf");
  EXPECT_EQ(media->caption, "Seu boleto");
  EXPECT_EQ(media->filename, "boleto.pdf");
}

TEST(ParseSendBody, ContactWithOnePhone) {
  const auto m = parse_one_ok(R"({"to":"+5511987654321","contact":{"name":"Suporte Acme","phone":"(11) 3333-4444"}})");
  const auto* contact = std::get_if<ContactContent>(&m.content);
  ASSERT_NE(contact, nullptr);
  EXPECT_EQ(contact->name, "Suporte Acme");
  EXPECT_EQ(contact->phones, (std::vector<std::string>{"+551133334444"}));
}

TEST(ParseSendBody, ContactWithSeveralPhonesNormalised) {
  const auto m = parse_one_ok(
      R"({"to":"+5511987654321","contact":{"name":"Ana","phone":"11 98765-4321","phones":["+351 912 345 678","021987654321"]}})");
  const auto* contact = std::get_if<ContactContent>(&m.content);
  ASSERT_NE(contact, nullptr);
  EXPECT_EQ(contact->phones, (std::vector<std::string>{"+5511987654321", "+351912345678", "+5521987654321"}));
}

TEST(ParseSendBody, ContactErrors) {
  expect_only_error(R"({"to":"+5511987654321","contact":{"phone":"+5511987654321"}})", "contact.name");
  expect_only_error(R"({"to":"+5511987654321","contact":{"name":"","phone":"+5511987654321"}})", "contact.name");
  expect_only_error(R"({"to":"+5511987654321","contact":{"name":"A"}})", "contact.phones");
  expect_only_error(R"({"to":"+5511987654321","contact":{"name":"A","phones":[]}})", "contact.phones");
  expect_only_error(R"({"to":"+5511987654321","contact":{"name":"A","phone":"12"}})", "contact.phones");
  expect_only_error(R"({"to":"+5511987654321","contact":{"name":"A","phones":["+5511987654321",7]}})",
                    "contact.phones");
  expect_only_error(R"({"to":"+5511987654321","contact":{"name":"A","phones":["11 98765-4321","11 98765-4321",
      "11 98765-4321","11 98765-4321","11 98765-4321","11 98765-4321"]}})",
                    "contact.phones");
  expect_only_error(R"({"to":"+5511987654321","contact":"Ana +5511987654321"})", "contact");
  expect_only_error(R"({"to":"+5511987654321","text":"x","contact":{"name":"A","phone":"+5511987654321"}})",
                    "content");
}

TEST(ParseSendBody, PhoneFormatsAreNormalised) {
  const std::pair<const char*, const char*> cases[] = {
      {"+5511987654321", "+5511987654321"},   {"5511987654321", "+5511987654321"},
      {"(11) 98765-4321", "+5511987654321"},  {"011987654321", "+5511987654321"},
      {"11 8765-4321", "+5511987654321"},     {"+55 11 8765-4321", "+5511987654321"},
      {"0055 11 98765 4321", "+5511987654321"}, {"(21) 3333-4444", "+552133334444"},
      {"+351 912 345 678", "+351912345678"},
  };
  for (const auto& [input, e164] : cases) {
    SCOPED_TRACE(input);
    const auto m = parse_one_ok(std::string(R"({"text":"x","to":")") + input + "\"}");
    EXPECT_EQ(m.to, e164);
  }
}

TEST(ParseSendBody, BatchKeepsOrder) {
  const auto parsed = parse_send_body(R"({"messages":[
      {"to":"+5511987654321","text":"um"},
      {"to":"+5521987654321","template":{"name":"t"}},
      {"to":"+5531987654321","media":{"type":"image","url":"https://x/y.png"}}]})",
                                      kNow);
  ASSERT_TRUE(parsed.errors.empty()) << fields_of(parsed);
  EXPECT_TRUE(parsed.is_batch);
  ASSERT_EQ(parsed.messages.size(), 3u);
  EXPECT_EQ(parsed.messages[0].to, "+5511987654321");
  EXPECT_EQ(parsed.messages[1].to, "+5521987654321");
  EXPECT_EQ(parsed.messages[2].to, "+5531987654321");
  EXPECT_TRUE(std::holds_alternative<TextContent>(parsed.messages[0].content));
  EXPECT_TRUE(std::holds_alternative<TemplateContent>(parsed.messages[1].content));
  EXPECT_TRUE(std::holds_alternative<MediaContent>(parsed.messages[2].content));
}

TEST(ParseSendBody, BatchIsAllOrNothing) {
  const auto parsed = parse_send_body(R"({"messages":[
      {"to":"+5511987654321","text":"ok"},
      {"to":"+5511987654321","text":"ok"},
      {"to":"+5511987654321","text":"ok"},
      {"to":"not a phone","text":"bad"},
      {"to":"+5511987654321","text":"ok"}]})",
                                      kNow);
  EXPECT_TRUE(parsed.is_batch);
  EXPECT_TRUE(parsed.messages.empty());
  ASSERT_EQ(parsed.errors.size(), 1u) << fields_of(parsed);
  EXPECT_EQ(parsed.errors[0].field, "messages[3].to");
}

TEST(ParseSendBody, BatchErrorsNameEachItem) {
  const auto parsed = parse_send_body(R"({"messages":[
      {"to":"+5511987654321"},
      {"to":"+5511987654321","template":{"language":"pt_BR"}},
      {"to":"+5511987654321","media":{"type":"image","url":"ftp://x/y.png"}},
      {"text":"x","priority":"urgent"}]})",
                                      kNow);
  EXPECT_TRUE(parsed.messages.empty());
  EXPECT_TRUE(has_field(parsed, "messages[0].content")) << fields_of(parsed);
  EXPECT_TRUE(has_field(parsed, "messages[1].template.name")) << fields_of(parsed);
  EXPECT_TRUE(has_field(parsed, "messages[2].media.url")) << fields_of(parsed);
  EXPECT_TRUE(has_field(parsed, "messages[3].to")) << fields_of(parsed);
  EXPECT_TRUE(has_field(parsed, "messages[3].priority")) << fields_of(parsed);
  EXPECT_EQ(parsed.errors.size(), 5u) << fields_of(parsed);
}

TEST(ParseSendBody, BatchItemThatIsNotAnObjectNamesTheItem) {
  const auto parsed = parse_send_body(R"({"messages":[{"to":"+5511987654321","text":"x"}, 42]})", kNow);
  ASSERT_EQ(parsed.errors.size(), 1u) << fields_of(parsed);
  EXPECT_EQ(parsed.errors[0].field, "messages[1]");
  EXPECT_TRUE(parsed.messages.empty());
}

TEST(ParseSendBody, BatchLimits) {
  SendLimits limits;
  limits.max_batch = 3;
  const std::string item = R"({"to":"+5511987654321","text":"x"})";
  expect_only_error(R"({"messages":[)" + item + "," + item + "," + item + "," + item + "]}", "messages", limits);
  const auto three = parse_send_body(R"({"messages":[)" + item + "," + item + "," + item + "]}", kNow, limits);
  EXPECT_EQ(three.messages.size(), 3u) << fields_of(three);
  expect_only_error(R"({"messages":[]})", "messages");
  expect_only_error(R"({"messages":{}})", "messages");
  expect_only_error(R"({"messages":null})", "messages");
}

TEST(ParseSendBody, DefaultBatchLimitIsTenThousand) {
  const std::string item = R"({"to":"+5511987654321","text":"x"},)";
  std::string body = R"({"messages":[)";
  for (int i = 0; i < 10'000; ++i) body += item;
  body.back() = ']';
  body += '}';
  EXPECT_EQ(parse_send_body(body, kNow).messages.size(), 10'000u);
  body.insert(body.size() - 2, "," + item.substr(0, item.size() - 1));
  expect_only_error(body, "messages");
}

TEST(ParseSendBody, ManyBadItemsGiveABoundedErrorList) {
  std::string body = R"({"messages":[)";
  for (int i = 0; i < 1000; ++i) body += R"({"to":"x","text":"y"},)";
  body.back() = ']';
  body += '}';
  const auto parsed = parse_send_body(body, kNow);
  EXPECT_GT(parsed.errors.size(), 100u);
  EXPECT_LT(parsed.errors.size(), 120u);
  EXPECT_TRUE(parsed.messages.empty());
}

TEST(ParseSendBody, RecipientErrors) {
  expect_only_error(R"({"text":"x"})", "to");
  expect_only_error(R"({"to":"","text":"x"})", "to");
  expect_only_error(R"({"to":"12345","text":"x"})", "to");
  expect_only_error(R"({"to":"+55 11 0800 1234","text":"x"})", "to");
  expect_error_on(R"({"to":5511987654321,"text":"x"})", "to");
}

TEST(ParseSendBody, RoutingFieldErrors) {
  expect_only_error(R"({"to":"+5511987654321","text":"x","session":1,"server":2})", "session");
  expect_only_error(R"({"to":"+5511987654321","text":"x","session":0})", "session");
  expect_only_error(R"({"to":"+5511987654321","text":"x","session":-4})", "session");
  expect_only_error(R"({"to":"+5511987654321","text":"x","session":"abc"})", "session");
  expect_only_error(R"({"to":"+5511987654321","text":"x","session":1.5})", "session");
  expect_only_error(R"({"to":"+5511987654321","text":"x","server":"1234567890123456789"})", "server");
  expect_only_error(R"({"to":"+5511987654321","text":"x","client_id":true})", "client_id");
}

TEST(ParseSendBody, ContentKindErrors) {
  expect_only_error(R"({"to":"+5511987654321"})", "content");
  expect_only_error(R"({"to":"+5511987654321","text":"x","template":{"name":"t"}})", "content");
  expect_only_error(R"({"to":"+5511987654321","text":"x","media":{"type":"image","url":"https://a/b"}})", "content");
  expect_only_error(R"({"to":"+5511987654321","text":""})", "text");
  expect_only_error(R"({"to":"+5511987654321","text":{"preview_url":true}})", "text");
  expect_error_on(R"({"to":"+5511987654321","text":{"body":7}})", "text.body");
  expect_only_error(R"({"to":"+5511987654321","text":17})", "text");
  expect_only_error(R"({"to":"+5511987654321","text":")" + std::string(4097, 'a') + "\"}", "text");
  parse_one_ok(R"({"to":"+5511987654321","text":")" + std::string(4096, 'a') + "\"}");
}

TEST(ParseSendBody, TemplateErrors) {
  expect_only_error(R"({"to":"+5511987654321","template":{}})", "template.name");
  expect_only_error(R"({"to":"+5511987654321","template":{"name":""}})", "template.name");
  expect_only_error(R"({"to":"+5511987654321","template":{"name":")" + std::string(513, 'a') + "\"}}",
                    "template.name");
  expect_only_error(R"({"to":"+5511987654321","template":"lembrete"})", "template");
  expect_only_error(R"({"to":"+5511987654321","template":{"name":"t","params":"Maria"}})", "template.params");
  expect_only_error(R"({"to":"+5511987654321","template":{"name":"t","params":["a",2]}})", "template.params");
  expect_only_error(R"({"to":"+5511987654321","template":{"name":"t","language":5}})", "template.language");
  std::string params;
  for (int i = 0; i < 33; ++i) params += "\"p\",";
  params.pop_back();
  expect_only_error(R"({"to":"+5511987654321","template":{"name":"t","params":[)" + params + "]}}",
                    "template.params");
}

TEST(ParseSendBody, MediaErrors) {
  expect_only_error(R"({"to":"+5511987654321","media":{"type":"image","url":"ftp://a/b.png"}})", "media.url");
  expect_only_error(R"({"to":"+5511987654321","media":{"type":"image"}})", "media.url");
  expect_only_error(R"({"to":"+5511987654321","media":{"type":"sticker","url":"https://a/b"}})", "media.type");
  expect_only_error(R"({"to":"+5511987654321","media":{"url":"https://a/b"}})", "media.type");
  expect_only_error(R"({"to":"+5511987654321","media":{"type":"audio","url":"https://a/b.ogg","caption":"c"}})",
                    "media.caption");
  expect_only_error(R"({"to":"+5511987654321","media":{"type":"image","url":"https://a/b","caption":")" +
                        std::string(1025, 'c') + "\"}}",
                    "media.caption");
  expect_only_error(R"({"to":"+5511987654321","media":"https://a/b.png"})", "media");
}

TEST(ParseSendBody, ScheduleErrors) {
  expect_only_error(R"({"to":"+5511987654321","text":"x","send_at":"amanhã"})", "send_at");
  expect_only_error(R"({"to":"+5511987654321","text":"x","send_at":"2026-03-10 12:00"})", "send_at");
  expect_only_error(R"({"to":"+5511987654321","text":"x","send_at":1773144000})", "send_at");
  expect_only_error(R"({"to":"+5511987654321","text":"x","send_at":"2026-04-20T12:00:00Z"})", "send_at");
  parse_one_ok(R"({"to":"+5511987654321","text":"x","send_at":"2026-04-14T12:00:00Z"})");  // 35 days
  expect_only_error(R"({"to":"+5511987654321","text":"x","expires_at":"2026-02-30T12:00:00Z"})", "expires_at");
  expect_only_error(
      R"({"to":"+5511987654321","text":"x","send_at":"2026-03-11T12:00:00Z","expires_at":"2026-03-11T11:59:59Z"})",
      "expires_at");
  expect_only_error(
      R"({"to":"+5511987654321","text":"x","send_at":"2026-03-11T12:00:00Z","expires_at":"2026-03-11T09:00:00-03:00"})",
      "expires_at");
  // Without send_at, expires_at must be after now.
  expect_only_error(R"({"to":"+5511987654321","text":"x","expires_at":"2026-03-10T11:00:00Z"})", "expires_at");
}

TEST(ParseSendBody, OtherFieldErrors) {
  expect_only_error(R"({"to":"+5511987654321","text":"x","priority":"urgent"})", "priority");
  expect_only_error(R"({"to":"+5511987654321","text":"x","priority":0})", "priority");
  expect_only_error(R"({"to":"+5511987654321","text":"x","idempotency_key":""})", "idempotency_key");
  expect_only_error(R"({"to":"+5511987654321","text":"x","idempotency_key":")" + std::string(201, 'k') + "\"}",
                    "idempotency_key");
  EXPECT_EQ(parse_one_ok(R"({"to":"+5511987654321","text":"x","idempotency_key":")" + std::string(200, 'k') + "\"}")
                .idempotency_key.size(),
            200u);
  expect_only_error(R"({"to":"+5511987654321","text":"x","idempotency_key":12})", "idempotency_key");
  expect_only_error(R"({"to":"+5511987654321","text":"x","callback_url":"crm.example/hook"})", "callback_url");
  expect_only_error(R"({"to":"+5511987654321","text":"x","metadata":[1,2]})", "metadata");
  expect_only_error(R"({"to":"+5511987654321","text":"x","metadata":"{}"})", "metadata");
  expect_only_error(R"({"to":"+5511987654321","text":"x","metadata":{"blob":")" + std::string(4100, 'm') + "\"}}",
                    "metadata");
  SendLimits small;
  small.max_metadata_bytes = 10;
  expect_only_error(R"({"to":"+5511987654321","text":"x","metadata":{"a":"12345678"}})", "metadata", small);
}

TEST(ParseSendBody, SeveralErrorsInOneMessageAreAllReported) {
  const auto parsed = parse_send_body(
      R"({"to":"nope","text":"x","priority":"soon","send_at":"yesterday","callback_url":"mailto:a"})", kNow);
  EXPECT_TRUE(parsed.messages.empty());
  for (const char* field : {"to", "priority", "send_at", "callback_url"}) {
    EXPECT_TRUE(has_field(parsed, field)) << field << ": " << fields_of(parsed);
  }
}

TEST(ParseSendBody, BodyLevelErrors) {
  expect_only_error("", "");
  expect_only_error("{", "");
  expect_only_error(R"({"to":"+5511987654321","text":"x"} trailing)", "");
  expect_only_error(R"([{"to":"+5511987654321","text":"x"}])", "");
  expect_only_error(R"("hello")", "");
}

}  // namespace
}  // namespace disparo::dispatch
