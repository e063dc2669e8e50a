// The Cloud API wire format: request bodies checked field by field against
// reference/whatsapp-providers.md §1.2–1.3 (parsed back with simdjson, not compared as text),
// JSON escaping of what users write, and the reading of success and error answers (§1.4–1.5).
#include "adapters/whatsapp/cloud_api_wire.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <simdjson.h>

#include <set>
#include <string>

namespace disparo::whatsapp {
namespace {

using dispatch::MediaContent;
using dispatch::OutboundMessage;
using dispatch::OutcomeClass;
using dispatch::TemplateContent;
using dispatch::TextContent;

OutboundMessage message_with(dispatch::MessageContent content, std::string recipient = "+5511987654321",
                             std::int64_t id = 4242) {
  OutboundMessage message;
  message.id = id;
  message.recipient = std::move(recipient);
  message.content = std::move(content);
  return message;
}

// Parses a built body; the parser must outlive the returned element.
simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  return root;
}

std::set<std::string> keys_of(simdjson::dom::element element) {
  std::set<std::string> keys;
  simdjson::dom::object object;
  if (element.get(object) != simdjson::SUCCESS) return keys;
  for (auto field : object) keys.emplace(field.key);
  return keys;
}

std::string string_at(simdjson::dom::element root, const char* pointer) {
  std::string_view value;
  if (root.at_pointer(pointer).get(value) != simdjson::SUCCESS) return "<missing " + std::string(pointer) + ">";
  return std::string(value);
}

void expect_envelope(simdjson::dom::element root, const std::string& type) {
  EXPECT_EQ(string_at(root, "/messaging_product"), "whatsapp");
  EXPECT_EQ(string_at(root, "/recipient_type"), "individual");
  EXPECT_EQ(string_at(root, "/to"), "+5511987654321");
  EXPECT_EQ(string_at(root, "/type"), type);
  EXPECT_EQ(string_at(root, "/biz_opaque_callback_data"), "4242");
  EXPECT_EQ(keys_of(root), (std::set<std::string>{"messaging_product", "recipient_type", "to", "type",
                                                  "biz_opaque_callback_data", type}));
}

TEST(CloudApiBody, Text) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(TextContent{"Sua fatura vence amanhã", true})));
  expect_envelope(root, "text");
  EXPECT_EQ(keys_of(root["text"]), (std::set<std::string>{"preview_url", "body"}));
  EXPECT_EQ(string_at(root, "/text/body"), "Sua fatura vence amanhã");
  bool preview = false;
  ASSERT_EQ(root.at_pointer("/text/preview_url").get(preview), simdjson::SUCCESS);
  EXPECT_TRUE(preview);

  const auto plain = parse(parser, build_cloud_api_body(message_with(TextContent{"x", false})));
  ASSERT_EQ(plain.at_pointer("/text/preview_url").get(preview), simdjson::SUCCESS);
  EXPECT_FALSE(preview);
}

TEST(CloudApiBody, RecipientAlwaysCarriesAPlus) {
  simdjson::dom::parser parser;
  for (const char* recipient : {"+5511987654321", "5511987654321"}) {
    const auto root = parse(parser, build_cloud_api_body(message_with(TextContent{"x", false}, recipient)));
    EXPECT_EQ(string_at(root, "/to"), "+5511987654321") << recipient;
  }
}

TEST(CloudApiBody, CallbackDataIsOurIdAsAString) {
  simdjson::dom::parser parser;
  const auto root =
      parse(parser, build_cloud_api_body(message_with(TextContent{"x", false}, "+5511987654321", 9007199254740993)));
  EXPECT_EQ(string_at(root, "/biz_opaque_callback_data"), "9007199254740993");
}

TEST(CloudApiBody, TemplateWithBodyParametersInOrder) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(
                                      TemplateContent{"lembrete_fatura", "pt_BR", {"Maria", "R$ 89,90", "10/09"}})));
  expect_envelope(root, "template");
  EXPECT_EQ(keys_of(root["template"]), (std::set<std::string>{"name", "language", "components"}));
  EXPECT_EQ(string_at(root, "/template/name"), "lembrete_fatura");
  EXPECT_EQ(string_at(root, "/template/language/code"), "pt_BR");
  simdjson::dom::array components;
  ASSERT_EQ(root.at_pointer("/template/components").get(components), simdjson::SUCCESS);
  ASSERT_EQ(components.size(), 1u);
  EXPECT_EQ(string_at(root, "/template/components/0/type"), "body");
  simdjson::dom::array parameters;
  ASSERT_EQ(root.at_pointer("/template/components/0/parameters").get(parameters), simdjson::SUCCESS);
  ASSERT_EQ(parameters.size(), 3u);
  const char* expected[] = {"Maria", "R$ 89,90", "10/09"};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string base = "/template/components/0/parameters/" + std::to_string(i);
    EXPECT_EQ(string_at(root, (base + "/type").c_str()), "text");
    EXPECT_EQ(string_at(root, (base + "/text").c_str()), expected[i]);
    EXPECT_EQ(keys_of(root.at_pointer(base).value()), (std::set<std::string>{"type", "text"}));
  }
}

TEST(CloudApiBody, TemplateWithoutParametersHasNoComponents) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(TemplateContent{"boas_vindas", "en_US", {}})));
  EXPECT_EQ(keys_of(root["template"]), (std::set<std::string>{"name", "language"}));
  EXPECT_EQ(string_at(root, "/template/language/code"), "en_US");
}

TEST(CloudApiBody, ImageWithCaption) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(
                                      MediaContent{"image", "https://host/x.png", "Seu QR code", "ignored.png"})));
  expect_envelope(root, "image");
  EXPECT_EQ(keys_of(root["image"]), (std::set<std::string>{"link", "caption"}));  // no filename on images
  EXPECT_EQ(string_at(root, "/image/link"), "https://host/x.png");
  EXPECT_EQ(string_at(root, "/image/caption"), "Seu QR code");
}

TEST(CloudApiBody, DocumentWithFilename) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(
                                      MediaContent{"document", "https://host/boleto.pdf", "Boleto", "boleto.pdf"})));
  expect_envelope(root, "document");
  EXPECT_EQ(keys_of(root["document"]), (std::set<std::string>{"link", "caption", "filename"}));
  EXPECT_EQ(string_at(root, "/document/link"), "https://host/boleto.pdf");
  EXPECT_EQ(string_at(root, "/document/caption"), "Boleto");
  EXPECT_EQ(string_at(root, "/document/filename"), "boleto.pdf");
}

TEST(CloudApiBody, AudioNeverHasACaption) {
  simdjson::dom::parser parser;
  const auto root =
      parse(parser, build_cloud_api_body(message_with(MediaContent{"audio", "https://host/a.ogg", "caption", ""})));
  expect_envelope(root, "audio");
  EXPECT_EQ(keys_of(root["audio"]), (std::set<std::string>{"link"}));
}

TEST(CloudApiBody, VideoWithoutCaption) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(MediaContent{"video", "https://host/v.mp4", "", ""})));
  expect_envelope(root, "video");
  EXPECT_EQ(keys_of(root["video"]), (std::set<std::string>{"link"}));
}

TEST(CloudApiBody, ContactCard) {
  simdjson::dom::parser parser;
  const auto root = parse(parser, build_cloud_api_body(message_with(
                                      dispatch::ContactContent{"Suporte Acme", {"+5511987654321", "+551133334444"}})));
  EXPECT_EQ(string_at(root, "/messaging_product"), "whatsapp");
  EXPECT_EQ(string_at(root, "/to"), "+5511987654321");
  EXPECT_EQ(string_at(root, "/type"), "contacts");
  EXPECT_EQ(string_at(root, "/biz_opaque_callback_data"), "4242");
  simdjson::dom::array contacts;
  ASSERT_EQ(root["contacts"].get(contacts), simdjson::SUCCESS);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(string_at(root, "/contacts/0/name/formatted_name"), "Suporte Acme");  // required by Meta
  simdjson::dom::array phones;
  ASSERT_EQ(root.at_pointer("/contacts/0/phones").get(phones), simdjson::SUCCESS);
  ASSERT_EQ(phones.size(), 2u);
  EXPECT_EQ(string_at(root, "/contacts/0/phones/0/phone"), "+5511987654321");
  EXPECT_EQ(string_at(root, "/contacts/0/phones/0/wa_id"), "5511987654321");
  EXPECT_EQ(string_at(root, "/contacts/0/phones/1/phone"), "+551133334444");
}

TEST(CloudApiBody, EscapesWhatUsersWrite) {
  const std::string text = "Olá \"Maria\"\nvalor: R$ 10\\20\t😀 {ok}, </script>\x01";
  const auto body = build_cloud_api_body(message_with(TextContent{text, false}));
  EXPECT_EQ(body.find('\n'), std::string::npos);  // a raw newline would break the JSON string
  simdjson::dom::parser parser;
  const auto root = parse(parser, body);
  EXPECT_EQ(string_at(root, "/text/body"), text);

  const auto tpl = build_cloud_api_body(message_with(TemplateContent{"t\"x", "pt_BR", {"a\"b", "c\nd", "🎉"}}));
  const auto tpl_root = parse(parser, tpl);
  EXPECT_EQ(string_at(tpl_root, "/template/name"), "t\"x");
  EXPECT_EQ(string_at(tpl_root, "/template/components/0/parameters/1/text"), "c\nd");
  EXPECT_EQ(string_at(tpl_root, "/template/components/0/parameters/2/text"), "🎉");
}

TEST(CloudApiBody, InvalidUtf8BecomesReplacementCharacters) {
  const auto body = build_cloud_api_body(message_with(TextContent{"a\xff" "b\xc3", false}));
  simdjson::dom::parser parser;
  const auto root = parse(parser, body);
  EXPECT_EQ(string_at(root, "/text/body"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

RC_GTEST_PROP(CloudApiBodyProperty, AnyTextGivesValidJson, (const std::string& text, std::int64_t id)) {
  const auto body = build_cloud_api_body(message_with(TextContent{text, false}, "+5511987654321", id));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  RC_ASSERT(parser.parse(body).get(root) == simdjson::SUCCESS);
  std::string_view got;
  RC_ASSERT(root.at_pointer("/text/body").get(got) == simdjson::SUCCESS);
  RC_ASSERT(root.at_pointer("/biz_opaque_callback_data").get(got) == simdjson::SUCCESS);
  RC_ASSERT(got == std::to_string(id));
}

// --- answers -------------------------------------------------------------------------------

TEST(CloudApiResponse, SuccessCarriesWamidAndWaId) {
  const auto outcome = read_cloud_api_response(200, R"({"messaging_product":"whatsapp",
      "contacts":[{"input":"+5511987654321","wa_id":"551187654321"}],
      "messages":[{"id":"wamid.HBgLNTUxMTg3NjU0MzIxFQIAERgSRjU=","message_status":"accepted"}]})");
  EXPECT_EQ(outcome.outcome, OutcomeClass::accepted);
  EXPECT_EQ(outcome.provider_message_id, "wamid.HBgLNTUxMTg3NjU0MzIxFQIAERgSRjU=");
  EXPECT_EQ(outcome.wa_id, "551187654321");
  EXPECT_EQ(outcome.http_status, 200);
  EXPECT_EQ(outcome.error_code, "");
}

TEST(CloudApiResponse, SuccessWithoutContactsStillAccepted) {
  const auto outcome = read_cloud_api_response(201, R"({"messages":[{"id":"wamid.1"}]})");
  EXPECT_EQ(outcome.outcome, OutcomeClass::accepted);
  EXPECT_EQ(outcome.provider_message_id, "wamid.1");
  EXPECT_EQ(outcome.wa_id, "");
}

TEST(CloudApiResponse, TwoHundredWithoutIdIsUnknown) {
  for (const char* body : {"", "{}", R"({"messages":[]})", R"({"messages":[{"id":""}]})",
                           R"({"messages":[{"id":7}]})", "<html>ok</html>"}) {
    const auto outcome = read_cloud_api_response(200, body);
    EXPECT_EQ(outcome.outcome, OutcomeClass::unknown) << body;
    EXPECT_EQ(outcome.http_status, 200);
  }
}

TEST(CloudApiResponse, ErrorEnvelopeIsClassifiedByCodeNotStatus) {
  // 130429 arrives as HTTP 400 today (older docs: 429); both mean slow down.
  for (int status : {400, 429}) {
    const auto outcome = read_cloud_api_response(status, R"({"error":{"message":"(#130429) Rate limit hit",
        "type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp",
        "details":"Cloud API message throughput has been reached."},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}})");
    EXPECT_EQ(outcome.outcome, OutcomeClass::slow_down) << status;
    EXPECT_EQ(outcome.error_code, "130429");
    EXPECT_EQ(outcome.detail, "Cloud API message throughput has been reached.");
    EXPECT_EQ(outcome.http_status, status);
  }
  // A 400 is not "permanent" by itself: 131000 asks for a retry even at 400.
  EXPECT_EQ(read_cloud_api_response(400, R"({"error":{"code":131000,"message":"(#131000) Something went wrong"}})")
                .outcome,
            OutcomeClass::transient);
  // And a 500 is not "transient" by itself: 131045 is a registration problem.
  EXPECT_EQ(read_cloud_api_response(500, R"({"error":{"code":131045}})").outcome, OutcomeClass::pause_session);
}

TEST(CloudApiResponse, DetailFallsBackToMessage) {
  const auto outcome = read_cloud_api_response(404, R"({"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001}})");
  EXPECT_EQ(outcome.outcome, OutcomeClass::config_error);
  EXPECT_EQ(outcome.error_code, "132001");
  EXPECT_EQ(outcome.detail, "(#132001) Template name does not exist in the translation");
}

TEST(CloudApiResponse, NoEnvelope) {
  EXPECT_EQ(read_cloud_api_response(502, "<html>Bad Gateway</html>").outcome, OutcomeClass::transient);
  EXPECT_EQ(read_cloud_api_response(503, "").outcome, OutcomeClass::transient);
  EXPECT_EQ(read_cloud_api_response(500, R"({"error":"internal"})").outcome, OutcomeClass::transient);
  EXPECT_EQ(read_cloud_api_response(429, "slow down").outcome, OutcomeClass::transient);
  EXPECT_EQ(read_cloud_api_response(404, "Not Found").outcome, OutcomeClass::permanent);
  EXPECT_EQ(read_cloud_api_response(400, R"({"error":{"code":"100"}})").outcome, OutcomeClass::permanent);
  const auto gateway = read_cloud_api_response(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(gateway.http_status, 502);
  EXPECT_EQ(gateway.error_code, "");
  EXPECT_FALSE(gateway.detail.empty());
}

RC_GTEST_PROP(CloudApiResponseProperty, ArbitraryAnswersNeverCrash, (int status, const std::string& body)) {
  const auto outcome = read_cloud_api_response(status, body);
  if (outcome.outcome == OutcomeClass::accepted) {
    RC_ASSERT(status >= 200 && status < 300);
    RC_ASSERT(!outcome.provider_message_id.empty());
  }
  RC_ASSERT(outcome.http_status == status);
}

}  // namespace
}  // namespace disparo::whatsapp
