// Cloud API request bodies for the kinds of issue 4, checked field by field against
// reference/whatsapp-providers.md §1.3 (parsed back with simdjson): template components
// (positional and named parameters, header media, URL-button suffix, quick-reply payload),
// voice notes, contacts with organization and e-mail, interactive reply buttons.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "adapters/whatsapp/cloud_api_wire.hpp"

namespace disparo::whatsapp {
namespace {

using namespace dispatch;

OutboundMessage message_with(MessageContent content) {
  OutboundMessage message;
  message.id = 77;
  message.recipient = "+5511987654321";
  message.content = std::move(content);
  return message;
}

std::string at(simdjson::dom::element root, const char* pointer) {
  std::string_view value;
  if (root.at_pointer(pointer).get(value) != simdjson::SUCCESS) return "<missing " + std::string(pointer) + ">";
  return std::string(value);
}

bool has(simdjson::dom::element root, const char* pointer) {
  simdjson::dom::element value;
  return root.at_pointer(pointer).get(value) == simdjson::SUCCESS;
}

TEST(CloudApiTemplate, HeaderMediaPositionalBodyAndUrlButton) {
  TemplateContent tpl{"lembrete_fatura", "pt_BR", {"Maria", "R$ 89,90", "10/09"}};
  tpl.header_media = TemplateHeaderMedia{"document", "https://x/boleto.pdf", "boleto.pdf"};
  tpl.buttons = {TemplateButton{"url", 0, "abc123"}};
  const std::string body = build_cloud_api_body(message_with(tpl));
  simdjson::dom::parser parser;
  auto root = parser.parse(body).value();
  EXPECT_EQ(at(root, "/to"), "+5511987654321");
  EXPECT_EQ(at(root, "/biz_opaque_callback_data"), "77");
  EXPECT_EQ(at(root, "/type"), "template");
  EXPECT_EQ(at(root, "/template/name"), "lembrete_fatura");
  EXPECT_EQ(at(root, "/template/language/code"), "pt_BR");
  EXPECT_EQ(at(root, "/template/components/0/type"), "header");
  EXPECT_EQ(at(root, "/template/components/0/parameters/0/type"), "document");
  EXPECT_EQ(at(root, "/template/components/0/parameters/0/document/link"), "https://x/boleto.pdf");
  EXPECT_EQ(at(root, "/template/components/0/parameters/0/document/filename"), "boleto.pdf");
  EXPECT_EQ(at(root, "/template/components/1/type"), "body");
  EXPECT_EQ(at(root, "/template/components/1/parameters/0/type"), "text");
  EXPECT_EQ(at(root, "/template/components/1/parameters/0/text"), "Maria");
  EXPECT_EQ(at(root, "/template/components/1/parameters/2/text"), "10/09");
  EXPECT_FALSE(has(root, "/template/components/1/parameters/0/parameter_name"));
  EXPECT_EQ(at(root, "/template/components/2/type"), "button");
  EXPECT_EQ(at(root, "/template/components/2/sub_type"), "url");
  EXPECT_EQ(at(root, "/template/components/2/index"), "0");  // a string in Meta's format
  EXPECT_EQ(at(root, "/template/components/2/parameters/0/type"), "text");
  EXPECT_EQ(at(root, "/template/components/2/parameters/0/text"), "abc123");
}

TEST(CloudApiTemplate, NamedParametersAndQuickReplyPayload) {
  TemplateContent tpl{"boas_vindas", "pt_BR", {}};
  tpl.named_params = {{"first_name", "Ana"}, {"due_date", "10/09"}};
  tpl.buttons = {TemplateButton{"quick_reply", 1, "PAGAR"}};
  const std::string body = build_cloud_api_body(message_with(tpl));
  simdjson::dom::parser parser;
  auto root = parser.parse(body).value();
  EXPECT_EQ(at(root, "/template/components/0/type"), "body");
  EXPECT_EQ(at(root, "/template/components/0/parameters/0/parameter_name"), "first_name");
  EXPECT_EQ(at(root, "/template/components/0/parameters/0/text"), "Ana");
  EXPECT_EQ(at(root, "/template/components/0/parameters/1/parameter_name"), "due_date");
  EXPECT_EQ(at(root, "/template/components/1/sub_type"), "quick_reply");
  EXPECT_EQ(at(root, "/template/components/1/index"), "1");
  EXPECT_EQ(at(root, "/template/components/1/parameters/0/type"), "payload");
  EXPECT_EQ(at(root, "/template/components/1/parameters/0/payload"), "PAGAR");
}

TEST(CloudApiTemplate, NoParametersMeansNoComponents) {
  const std::string body = build_cloud_api_body(message_with(TemplateContent{"hello_world", "en_US", {}}));
  simdjson::dom::parser parser;
  auto root = parser.parse(body).value();
  EXPECT_FALSE(has(root, "/template/components"));
}

TEST(CloudApiMedia, VoiceNoteAndMediaKinds) {
  simdjson::dom::parser parser;
  MediaContent voice{"audio", "https://x/a.ogg", "", ""};
  voice.voice = true;
  auto root = parser.parse(build_cloud_api_body(message_with(voice))).value();
  EXPECT_EQ(at(root, "/type"), "audio");
  EXPECT_EQ(at(root, "/audio/link"), "https://x/a.ogg");
  bool flag = false;
  ASSERT_EQ(root.at_pointer("/audio/voice").get(flag), simdjson::SUCCESS);
  EXPECT_TRUE(flag);
  EXPECT_FALSE(has(root, "/audio/caption"));

  auto video = parser.parse(build_cloud_api_body(message_with(MediaContent{"video", "https://x/v.mp4", "Veja", ""}))).value();
  EXPECT_EQ(at(video, "/video/caption"), "Veja");
  EXPECT_FALSE(has(video, "/video/voice"));
  auto doc = parser.parse(build_cloud_api_body(message_with(MediaContent{"document", "https://x/b.pdf", "Boleto", "b.pdf"}))).value();
  EXPECT_EQ(at(doc, "/document/filename"), "b.pdf");
  EXPECT_EQ(at(doc, "/document/caption"), "Boleto");
}

TEST(CloudApiContacts, OrganizationAndEmail) {
  ContactContent contact{"Suporte Disparo", {"+5511987654321"}};
  contact.organization = "Disparo";
  contact.email = "suporte@disparo.dev";
  simdjson::dom::parser parser;
  auto root = parser.parse(build_cloud_api_body(message_with(contact))).value();
  EXPECT_EQ(at(root, "/type"), "contacts");
  EXPECT_EQ(at(root, "/contacts/0/name/formatted_name"), "Suporte Disparo");
  EXPECT_EQ(at(root, "/contacts/0/phones/0/wa_id"), "5511987654321");
  EXPECT_EQ(at(root, "/contacts/0/org/company"), "Disparo");
  EXPECT_EQ(at(root, "/contacts/0/emails/0/email"), "suporte@disparo.dev");
}

TEST(CloudApiInteractive, ReplyButtons) {
  ButtonsContent buttons{"Sua fatura vence amanhã", "Disparo", "Fatura", {{"pay", "Pagar"}, {"later", "Depois"}}};
  simdjson::dom::parser parser;
  auto root = parser.parse(build_cloud_api_body(message_with(buttons))).value();
  EXPECT_EQ(at(root, "/type"), "interactive");
  EXPECT_EQ(at(root, "/interactive/type"), "button");
  EXPECT_EQ(at(root, "/interactive/header/type"), "text");
  EXPECT_EQ(at(root, "/interactive/header/text"), "Fatura");
  EXPECT_EQ(at(root, "/interactive/body/text"), "Sua fatura vence amanhã");
  EXPECT_EQ(at(root, "/interactive/footer/text"), "Disparo");
  EXPECT_EQ(at(root, "/interactive/action/buttons/0/type"), "reply");
  EXPECT_EQ(at(root, "/interactive/action/buttons/0/reply/id"), "pay");
  EXPECT_EQ(at(root, "/interactive/action/buttons/1/reply/title"), "Depois");
  EXPECT_FALSE(has(root, "/interactive/action/buttons/2"));
}

}  // namespace
}  // namespace disparo::whatsapp
