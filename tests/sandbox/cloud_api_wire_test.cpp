// Pure tests of the simulator's Cloud API wire format: path parsing, send validation, and the
// success, error and status webhook bodies (field names per reference sections 1.2-1.5, 1.12).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <variant>

#include "loadtest/sandbox/cloud_api_wire.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox {
namespace {

using test::JsonProbe;

std::variant<SendRequest, MetaError> validate(std::string_view body) {
  SendRequestValidator validator;
  return validator.validate(body);
}

MetaError error_of(std::string_view body) {
  auto result = validate(body);
  if (!std::holds_alternative<MetaError>(result)) {
    ADD_FAILURE() << "accepted: " << body;
    return {};
  }
  return std::get<MetaError>(result);
}

SendRequest accepted(std::string_view body) {
  auto result = validate(body);
  if (auto* error = std::get_if<MetaError>(&result)) {
    ADD_FAILURE() << "rejected with " << error->code << " " << error->details << ": " << body;
    return {};
  }
  return std::get<SendRequest>(result);
}

std::string envelope(std::string_view type_and_object) {
  return R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+5511987654321",)" +
         std::string(type_and_object) + "}";
}

TEST(MessagesPath, ParsesVersionAndPhoneNumberId) {
  auto path = parse_messages_path("/v24.0/1234567890/messages");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->version, "v24.0");
  EXPECT_EQ(path->major, 24);
  EXPECT_EQ(path->phone_number_id, "1234567890");
  ASSERT_TRUE(parse_messages_path("/v3.1/1/messages"));
  EXPECT_EQ(parse_messages_path("/v3.1/1/messages")->major, 3);
}

TEST(MessagesPath, RejectsOtherShapes) {
  for (const char* path : {"/v24.0/123/message", "/24.0/123/messages", "/v24/123/messages",
                           "/v24.0/abc/messages", "/v24.0//messages", "/v24.0/123/messages/x",
                           "v24.0/123/messages", "/", "", "/v.0/1/messages", "/vx.0/1/messages"}) {
    EXPECT_FALSE(parse_messages_path(path)) << path;
  }
}

TEST(Validate, AcceptsEveryTypeWithItsObject) {
  EXPECT_EQ(accepted(envelope(R"("type":"text","text":{"preview_url":false,"body":"Olá"})")).type,
            "text");
  EXPECT_EQ(
      accepted(
          envelope(
              R"("type":"template","template":{"name":"lembrete_fatura","language":{"code":"pt_BR"},"components":[]})"))
          .type,
      "template");
  EXPECT_EQ(
      accepted(envelope(R"("type":"image","image":{"link":"https://host/x.png","caption":"c"})"))
          .type,
      "image");
  EXPECT_EQ(accepted(envelope(R"("type":"video","video":{"id":"1234"})")).type, "video");
  EXPECT_EQ(
      accepted(
          envelope(R"("type":"document","document":{"link":"https://h/b.pdf","filename":"b.pdf"})"))
          .type,
      "document");
  EXPECT_EQ(accepted(envelope(R"("type":"audio","audio":{"id":"55"})")).type, "audio");
  EXPECT_EQ(
      accepted(envelope(R"("type":"contacts","contacts":[{"name":{"formatted_name":"Maria"}}])"))
          .type,
      "contacts");
  EXPECT_EQ(
      accepted(
          envelope(
              R"("type":"interactive","interactive":{"type":"button","body":{"text":"Pagar?"},)"
              R"("action":{"buttons":[{"type":"reply","reply":{"id":"1","title":"Sim"}}]}})"))
          .type,
      "interactive");
}

TEST(Validate, KeepsToAsSentAndEchoesCallbackData) {
  const SendRequest r = accepted(
      R"({"messaging_product":"whatsapp","to":"+55 (11) 98765-4321","type":"text","text":{"body":"x"},)"
      R"("biz_opaque_callback_data":"job-42"})");
  EXPECT_EQ(r.to, "+55 (11) 98765-4321");
  EXPECT_EQ(r.recipient_type, "individual");
  ASSERT_TRUE(r.biz_opaque_callback_data);
  EXPECT_EQ(*r.biz_opaque_callback_data, "job-42");
}

TEST(Validate, TypeDefaultsToText) {
  EXPECT_EQ(
      accepted(R"({"messaging_product":"whatsapp","to":"5511987654321","text":{"body":"x"}})").type,
      "text");
}

TEST(Validate, MissingFieldsAnswer131008) {
  for (const std::string& body : {
           std::string(R"({"to":"+5511987654321","type":"text","text":{"body":"x"}})"),
           std::string(R"({"messaging_product":"whatsapp","type":"text","text":{"body":"x"}})"),
           envelope(R"("type":"text")"),
           envelope(R"("type":"text","text":{})"),
           envelope(R"("type":"template","template":{"language":{"code":"pt_BR"}})"),
           envelope(R"("type":"template","template":{"name":"x"})"),
           envelope(R"("type":"template","template":{"name":"x","language":{}})"),
           envelope(R"("type":"image","image":{"caption":"no media"})"),
           envelope(R"("type":"contacts","contacts":[{"name":{}}])"),
           envelope(
               R"("type":"interactive","interactive":{"type":"button","action":{"buttons":[{}]}})"),
       }) {
    const MetaError e = error_of(body);
    EXPECT_EQ(e.http_status, 400) << body;
    EXPECT_EQ(e.code, 131008) << body;
    EXPECT_EQ(e.title, "Required parameter is missing");
    EXPECT_FALSE(e.details.empty());
  }
}

TEST(Validate, WrongValuesAnswer100) {
  for (
      const std::string& body : {
          std::string("not json"),
          std::string("[1,2]"),
          std::string(R"({"messaging_product":"sms","to":"+5511987654321","text":{"body":"x"}})"),
          std::string(R"({"messaging_product":"whatsapp","to":"","text":{"body":"x"}})"),
          std::string(R"({"messaging_product":"whatsapp","to":"call me","text":{"body":"x"}})"),
          std::string(R"({"messaging_product":"whatsapp","to":"123","text":{"body":"x"}})"),
          std::string(R"({"messaging_product":"whatsapp","to":5511987654321,"text":{"body":"x"}})"),
          envelope(R"("type":"sticker","sticker":{"id":"1"})"),
          envelope(R"("type":"text","text":{"body":""}})"),
          envelope(R"("type":"text","text":"hello")"),
          envelope(R"("type":"image","image":{"link":"https://h/x.png","id":"1"}})"),
          envelope(R"("type":"image","image":{"link":"ftp://h/x.png"}})"),
          envelope(R"("type":"contacts","contacts":[]})"),
          envelope(R"("type":"text","text":{"body":"x"},"biz_opaque_callback_data":7)"),
          std::string(
              R"({"messaging_product":"whatsapp","recipient_type":"everyone","to":"+5511987654321","text":{"body":"x"}})"),
      }) {
    const MetaError e = error_of(body);
    EXPECT_EQ(e.http_status, 400) << body;
    EXPECT_EQ(e.code, 100) << body;
    EXPECT_EQ(e.title, "Invalid parameter");
  }
}

TEST(Validate, TextBodyLimitCountsCharactersNotBytes) {
  std::string at_limit;
  for (std::size_t i = 0; i < kMaxTextBody; ++i) at_limit += "\xC3\xA7";  // 'ç', 2 bytes
  accepted(envelope(R"("type":"text","text":{"body":")" + at_limit + "\"}"));
  const MetaError e = error_of(envelope(R"("type":"text","text":{"body":")" + at_limit + "x\"}"));
  EXPECT_EQ(e.code, 100);
  EXPECT_NE(e.details.find("4096"), std::string::npos);
}

TEST(Validate, CallbackDataLimit) {
  const std::string ok(kMaxCallbackData, 'j');
  accepted(
      envelope(R"("type":"text","text":{"body":"x"},"biz_opaque_callback_data":")" + ok + "\""));
  EXPECT_EQ(error_of(envelope(R"("type":"text","text":{"body":"x"},"biz_opaque_callback_data":")" +
                              ok + "j\""))
                .code,
            100);
}

TEST(Validate, OneValidatorServesManyRequests) {
  SendRequestValidator validator;
  for (int i = 0; i < 50; ++i) {
    const std::string to = "+55119876" + std::to_string(10000 + i);
    auto r = validator.validate(R"({"messaging_product":"whatsapp","to":")" + to +
                                R"(","text":{"body":"x"}})");
    ASSERT_TRUE(std::holds_alternative<SendRequest>(r));
    EXPECT_EQ(std::get<SendRequest>(r).to, to);
    ASSERT_TRUE(std::holds_alternative<MetaError>(validator.validate("{")));
  }
}

TEST(ErrorBody, HasMetasEnvelope) {
  const JsonProbe j(render_error(missing_parameter("The parameter to is required."), "AbC123"));
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.str("/error/message"), "(#131008) Required parameter is missing");
  EXPECT_EQ(j.str("/error/type"), "OAuthException");
  EXPECT_EQ(j.num("/error/code"), 131008);
  EXPECT_EQ(j.str("/error/error_data/messaging_product"), "whatsapp");
  EXPECT_EQ(j.str("/error/error_data/details"), "The parameter to is required.");
  EXPECT_EQ(j.str("/error/fbtrace_id"), "AbC123");
  EXPECT_FALSE(j.has("/error/error_subcode"));  // not returned from v16.0 on
}

TEST(ErrorBody, TokenErrorIs401Code190WithoutErrorData) {
  const MetaError e = invalid_token_error();
  EXPECT_EQ(e.http_status, 401);
  EXPECT_EQ(e.code, 190);
  const JsonProbe j(render_error(e, "t"));
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.num("/error/code"), 190);
  EXPECT_EQ(j.str("/error/type"), "OAuthException");
  EXPECT_TRUE(j.str("/error/message")->starts_with("(#190) "));
  EXPECT_FALSE(j.has("/error/error_data"));
}

TEST(SuccessBody, HasContactsAndMessages) {
  const JsonProbe j(render_send_success("+55 11 98765-4321", "5511987654321", "wamid.ABC="));
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.keys(""), 3u);
  EXPECT_EQ(j.str("/messaging_product"), "whatsapp");
  EXPECT_EQ(j.size("/contacts"), 1u);
  EXPECT_EQ(j.str("/contacts/0/input"), "+55 11 98765-4321");
  EXPECT_EQ(j.str("/contacts/0/wa_id"), "5511987654321");
  EXPECT_EQ(j.size("/messages"), 1u);
  EXPECT_EQ(j.str("/messages/0/id"), "wamid.ABC=");
}

TEST(WaId, IsTheDigitsOfTo) {
  EXPECT_EQ(wa_id_for("+55 (11) 98765-4321"), "5511987654321");
  EXPECT_EQ(wa_id_for("120363025246125486@g.us", "group"), "120363025246125486@g.us");
}

StatusUpdate sample_update() {
  StatusUpdate u;
  u.wamid = "wamid.XYZ";
  u.status = "sent";
  u.timestamp = 1751142888;
  u.recipient_id = "5511987654321";
  return u;
}

TEST(StatusWebhook, HasMetasShape) {
  StatusUpdate u = sample_update();
  u.biz_opaque_callback_data = "job-42";
  u.pricing = pricing_for("template");
  const JsonProbe j(render_status_webhook({"100000000000000", "5511900000000", "123456"}, u));
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.str("/object"), "whatsapp_business_account");
  EXPECT_EQ(j.size("/entry"), 1u);
  EXPECT_EQ(j.str("/entry/0/id"), "100000000000000");
  EXPECT_EQ(j.size("/entry/0/changes"), 1u);
  EXPECT_EQ(j.str("/entry/0/changes/0/field"), "messages");
  const std::string v = "/entry/0/changes/0/value";
  EXPECT_EQ(j.str(v + "/messaging_product"), "whatsapp");
  EXPECT_EQ(j.str(v + "/metadata/display_phone_number"), "5511900000000");
  EXPECT_EQ(j.str(v + "/metadata/phone_number_id"), "123456");
  EXPECT_EQ(j.size(v + "/statuses"), 1u);
  const std::string s = v + "/statuses/0";
  EXPECT_EQ(j.str(s + "/id"), "wamid.XYZ");
  EXPECT_EQ(j.str(s + "/status"), "sent");
  EXPECT_EQ(j.str(s + "/timestamp"), "1751142888");  // a string, not a number
  EXPECT_EQ(j.str(s + "/recipient_id"), "5511987654321");
  EXPECT_EQ(j.str(s + "/biz_opaque_callback_data"), "job-42");
  EXPECT_EQ(j.boolean(s + "/pricing/billable"), true);
  EXPECT_EQ(j.str(s + "/pricing/pricing_model"), "PMP");
  EXPECT_EQ(j.str(s + "/pricing/type"), "regular");
  EXPECT_EQ(j.str(s + "/pricing/category"), "utility");
  EXPECT_FALSE(j.has(s + "/conversation"));
}

TEST(StatusWebhook, OptionalPartsAreOmittedOrPresent) {
  StatusUpdate u = sample_update();
  u.status = "read";
  const JsonProbe bare(render_status_webhook({"1", "2", "3"}, u));
  const std::string s = "/entry/0/changes/0/value/statuses/0";
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare.has(s + "/biz_opaque_callback_data"));
  EXPECT_FALSE(bare.has(s + "/pricing"));
  EXPECT_FALSE(bare.has(s + "/conversation"));

  u.conversation = Conversation{"c0ffee", 1751229288, "service"};
  u.pricing = pricing_for("text");
  const JsonProbe full(render_status_webhook({"1", "2", "3"}, u));
  EXPECT_EQ(full.str(s + "/conversation/id"), "c0ffee");
  EXPECT_EQ(full.str(s + "/conversation/expiration_timestamp"), "1751229288");
  EXPECT_EQ(full.str(s + "/conversation/origin/type"), "service");
  EXPECT_EQ(full.boolean(s + "/pricing/billable"), false);
  EXPECT_EQ(full.str(s + "/pricing/type"), "free_customer_service");
  EXPECT_EQ(full.str(s + "/pricing/category"), "service");
}

TEST(StatusWebhook, PricingAndConversationRules) {
  EXPECT_TRUE(status_carries_pricing("sent"));
  EXPECT_TRUE(status_carries_pricing("delivered"));
  EXPECT_FALSE(status_carries_pricing("read"));
  EXPECT_TRUE(api_includes_conversation(23));
  EXPECT_FALSE(api_includes_conversation(24));
  EXPECT_FALSE(api_includes_conversation(25));
}

TEST(PercentEncode, KeepsUnreservedOnly) {
  EXPECT_EQ(percent_encode("aZ9-._~"), "aZ9-._~");
  EXPECT_EQ(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

// Strings of arbitrary bytes; only ASCII ones must round-trip exactly (invalid UTF-8 is replaced).
rc::Gen<std::string> ascii_string() {
  return rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
}

RC_GTEST_PROP(WireProperties, SuccessBodyRoundTripsAnyAsciiInput, ()) {
  const std::string input = *ascii_string();
  const std::string wamid = *ascii_string();
  const JsonProbe j(render_send_success(input, wa_id_for(input), wamid));
  RC_ASSERT(j.ok());
  RC_ASSERT(j.str("/contacts/0/input") == input);
  RC_ASSERT(j.str("/messages/0/id") == wamid);
}

RC_GTEST_PROP(WireProperties, WebhookIsValidJsonForAnyBytes, ()) {
  StatusUpdate u = sample_update();
  u.biz_opaque_callback_data = *rc::gen::arbitrary<std::string>();
  u.recipient_id = *rc::gen::arbitrary<std::string>();
  const std::string pnid = *ascii_string();
  const JsonProbe j(render_status_webhook({"1", "2", pnid}, u));
  RC_ASSERT(j.ok());
  RC_ASSERT(j.str("/entry/0/changes/0/value/metadata/phone_number_id") == pnid);
}

RC_GTEST_PROP(WireProperties, ValidatorAnswersEveryBodyWith400OrAccepts, ()) {
  const std::string body = *rc::gen::arbitrary<std::string>();
  auto result = validate(body);
  if (auto* e = std::get_if<MetaError>(&result)) {
    RC_ASSERT(e->http_status == 400);
    RC_ASSERT(e->code == 100 || e->code == 131008);
    RC_ASSERT(JsonProbe(render_error(*e, "x")).ok());
  }
}

RC_GTEST_PROP(WireProperties, AnyNonEmptyTextUpToTheLimitIsAccepted, ()) {
  const std::string text = *rc::gen::suchThat(
      ascii_string(), [](const std::string& s) { return !s.empty() && s.size() <= kMaxTextBody; });
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      escaped += '\\';
      escaped += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      escaped += "\\u00";
      escaped += kHex[(c >> 4) & 0xF];
      escaped += kHex[c & 0xF];
    } else {
      escaped += c;
    }
  }
  auto result = validate(envelope(R"("type":"text","text":{"body":")" + escaped + "\"}"));
  RC_ASSERT(std::holds_alternative<SendRequest>(result));
}

}  // namespace
}  // namespace disparo::sandbox
