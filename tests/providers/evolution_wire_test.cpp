// Evolution API (v2) request bodies and answers against reference/whatsapp-providers.md §2.2–2.4:
// one action per kind with its flat body, no `delay` (our engine paces), templates refused,
// 201 read into key.id / key.remoteJid, `exists:false` a permanent "not on WhatsApp" failure.
#include "adapters/whatsapp/evolution_wire.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

namespace disparo::whatsapp {
namespace {

using namespace dispatch;

OutboundMessage message_with(MessageContent content) {
  OutboundMessage message;
  message.id = 9;
  message.recipient = "+5511987654321";
  message.content = std::move(content);
  return message;
}

EvolutionCall call_for(MessageContent content) {
  auto call = build_evolution_call(message_with(std::move(content)));
  EXPECT_TRUE(std::holds_alternative<EvolutionCall>(call));
  return std::holds_alternative<EvolutionCall>(call) ? std::get<EvolutionCall>(call) : EvolutionCall{};
}

std::set<std::string> keys(simdjson::dom::element root) {
  std::set<std::string> out;
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) return out;
  for (auto field : object) out.emplace(field.key);
  return out;
}

std::string at(simdjson::dom::element root, const char* pointer) {
  std::string_view value;
  if (root.at_pointer(pointer).get(value) != simdjson::SUCCESS) return "<missing>";
  return std::string(value);
}

TEST(EvolutionCall, TextIsSendTextWithDigitsAndNoDelay) {
  const auto call = call_for(TextContent{"Olá", true});
  EXPECT_EQ(call.action, "sendText");
  simdjson::dom::parser parser;
  auto root = parser.parse(call.body).value();
  EXPECT_EQ(keys(root), (std::set<std::string>{"number", "text", "linkPreview"}));
  EXPECT_EQ(at(root, "/number"), "5511987654321");
  EXPECT_EQ(at(root, "/text"), "Olá");
}

TEST(EvolutionCall, MediaVoiceContactButtons) {
  simdjson::dom::parser parser;
  auto media = call_for(MediaContent{"document", "https://x/b.pdf", "Boleto", "b.pdf"});
  EXPECT_EQ(media.action, "sendMedia");
  auto root = parser.parse(media.body).value();
  EXPECT_EQ(at(root, "/mediatype"), "document");
  EXPECT_EQ(at(root, "/media"), "https://x/b.pdf");
  EXPECT_EQ(at(root, "/caption"), "Boleto");
  EXPECT_EQ(at(root, "/fileName"), "b.pdf");

  MediaContent voice{"audio", "https://x/a.ogg", "", ""};
  voice.voice = true;
  auto ptt = call_for(voice);
  EXPECT_EQ(ptt.action, "sendWhatsAppAudio");
  root = parser.parse(ptt.body).value();
  EXPECT_EQ(keys(root), (std::set<std::string>{"number", "audio"}));

  auto plain_audio = call_for(MediaContent{"audio", "https://x/a.mp3", "", ""});
  EXPECT_EQ(plain_audio.action, "sendMedia");

  auto contact = call_for(ContactContent{"Suporte", {"+551133334444"}});
  EXPECT_EQ(contact.action, "sendContact");
  root = parser.parse(contact.body).value();
  EXPECT_EQ(at(root, "/contact/0/fullName"), "Suporte");
  EXPECT_EQ(at(root, "/contact/0/phoneNumber"), "+551133334444");
  EXPECT_EQ(at(root, "/contact/0/wuid"), "551133334444");

  auto buttons = call_for(ButtonsContent{"Pagar agora?", "", "Fatura", {{"y", "Sim"}, {"n", "Não"}}});
  EXPECT_EQ(buttons.action, "sendButtons");
  root = parser.parse(buttons.body).value();
  EXPECT_EQ(at(root, "/title"), "Fatura");
  EXPECT_EQ(at(root, "/description"), "Pagar agora?");
  EXPECT_EQ(at(root, "/buttons/0/type"), "reply");
  EXPECT_EQ(at(root, "/buttons/0/displayText"), "Sim");
  EXPECT_EQ(at(root, "/buttons/1/id"), "n");
}

TEST(EvolutionCall, TemplatesAreAConfigError) {
  auto call = build_evolution_call(message_with(TemplateContent{"t", "pt_BR", {}}));
  ASSERT_TRUE(std::holds_alternative<SendOutcome>(call));
  EXPECT_EQ(std::get<SendOutcome>(call).outcome, OutcomeClass::config_error);
}

TEST(EvolutionAnswer, CreatedKeepsKeyIdAndResolvedJid) {
  const auto outcome = read_evolution_response(
      201, R"({"key":{"remoteJid":"551187654321@s.whatsapp.net","fromMe":true,"id":"BAE5F1"},"status":"PENDING",
               "message":{"conversation":"x"},"messageTimestamp":1751142888})");
  EXPECT_EQ(outcome.outcome, OutcomeClass::accepted);
  EXPECT_EQ(outcome.provider_message_id, "BAE5F1");
  EXPECT_EQ(outcome.wa_id, "551187654321@s.whatsapp.net");
  EXPECT_EQ(read_evolution_response(201, "{}").outcome, OutcomeClass::unknown);
}

TEST(EvolutionAnswer, ErrorsAreClassified) {
  const auto missing = read_evolution_response(
      400, R"({"status":400,"error":"Bad Request","response":{"message":[{"jid":"5511999990001@s.whatsapp.net","exists":false,"number":"5511999990001"}]}})");
  EXPECT_EQ(missing.outcome, OutcomeClass::permanent);
  EXPECT_EQ(missing.error_code, kEvolutionNotOnWhatsApp);
  EXPECT_EQ(read_evolution_response(401, R"({"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}})").outcome,
            OutcomeClass::pause_session);
  EXPECT_EQ(read_evolution_response(404, R"({"status":404,"error":"Not Found","response":{"message":["The \"x\" instance does not exist"]}})").outcome,
            OutcomeClass::pause_session);
  EXPECT_EQ(read_evolution_response(500, R"({"status":500,"error":"Internal Server Error","response":{"message":["boom"]}})").outcome,
            OutcomeClass::transient);
  EXPECT_EQ(read_evolution_response(500, R"({"status":500,"error":"Internal Server Error","response":{"message":["Connection Closed"]}})").outcome,
            OutcomeClass::pause_session);
  EXPECT_EQ(read_evolution_response(429, "").outcome, OutcomeClass::slow_down);
  const auto bad = read_evolution_response(400, R"({"status":400,"error":"Bad Request","response":{"message":["number is required"]}})");
  EXPECT_EQ(bad.outcome, OutcomeClass::permanent);
  EXPECT_EQ(bad.detail, "number is required");
  EXPECT_EQ(bad.error_code, "http_400");
}

}  // namespace
}  // namespace disparo::whatsapp
