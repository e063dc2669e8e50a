// POST /v1/messages bodies for the kinds of issue 4 (template components, voice notes,
// contacts with organization, interactive reply buttons): accepted shapes, and all-or-nothing
// field errors for the wrong ones; the stored JSON of each round-trips.
#include <gtest/gtest.h>

#include "dispatcher/send_request.hpp"

namespace disparo::dispatch {
namespace {

const SysTime kNow = SysTime{} + std::chrono::hours(24 * 20000);

ParsedSendBody parse(const std::string& body) { return parse_send_body(body, kNow); }

std::vector<std::string> fields(const ParsedSendBody& parsed) {
  std::vector<std::string> out;
  for (const auto& e : parsed.errors) out.push_back(e.field);
  return out;
}

MessageContent round_trip(const MessageContent& content) {
  auto back = content_from_json(kind_of(content), content_to_json(content));
  EXPECT_TRUE(back) << (back ? "" : back.error().message);
  return back ? *back : MessageContent{};
}

TEST(SendKinds, TemplateWithComponents) {
  auto parsed = parse(R"({"to":"+5511987654321","template":{"name":"lembrete_fatura","language":"pt_BR",
      "params":["Maria","R$ 89,90"],"header":{"type":"document","url":"https://x/b.pdf","filename":"b.pdf"},
      "buttons":[{"type":"url","index":0,"text":"abc123"},{"type":"quick_reply","index":1,"payload":"PAGAR"}]}})");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors[0].field;
  const auto& tpl = std::get<TemplateContent>(parsed.messages[0].content);
  EXPECT_EQ(tpl.body_params.size(), 2u);
  ASSERT_TRUE(tpl.header_media);
  EXPECT_EQ(tpl.header_media->filename, "b.pdf");
  ASSERT_EQ(tpl.buttons.size(), 2u);
  EXPECT_EQ(tpl.buttons[1].sub_type, "quick_reply");
  EXPECT_EQ(tpl.buttons[1].text, "PAGAR");
  const auto back = std::get<TemplateContent>(round_trip(tpl));
  EXPECT_EQ(back.header_media, tpl.header_media);
  EXPECT_EQ(back.buttons, tpl.buttons);
}

TEST(SendKinds, NamedParameters) {
  auto parsed = parse(R"({"to":"+5511987654321","template":{"name":"t","params":{"first_name":"Ana","due_date":"10/09"}}})");
  ASSERT_TRUE(parsed.errors.empty());
  const auto& tpl = std::get<TemplateContent>(parsed.messages[0].content);
  ASSERT_EQ(tpl.named_params.size(), 2u);
  EXPECT_EQ(tpl.named_params[0], (NamedParam{"first_name", "Ana"}));
  EXPECT_EQ(std::get<TemplateContent>(round_trip(tpl)).named_params, tpl.named_params);
  auto bad = parse(R"({"to":"+5511987654321","template":{"name":"t","params":{"First Name":"Ana","x":1}}})");
  EXPECT_EQ(fields(bad), (std::vector<std::string>{"template.params.First Name", "template.params.x"}));
}

TEST(SendKinds, VoiceNoteAndContactExtras) {
  auto voice = parse(R"({"to":"+5511987654321","media":{"type":"audio","url":"https://x/a.ogg","voice":true}})");
  ASSERT_TRUE(voice.errors.empty());
  EXPECT_TRUE(std::get<MediaContent>(voice.messages[0].content).voice);
  EXPECT_TRUE(std::get<MediaContent>(round_trip(voice.messages[0].content)).voice);
  auto not_audio = parse(R"({"to":"+5511987654321","media":{"type":"image","url":"https://x/a.png","voice":true}})");
  EXPECT_EQ(fields(not_audio), (std::vector<std::string>{"media.voice"}));
  auto contact = parse(R"({"to":"+5511987654321","contact":{"name":"Suporte","phone":"(11) 3333-4444","organization":"Disparo","email":"s@d.dev"}})");
  ASSERT_TRUE(contact.errors.empty());
  const auto back = std::get<ContactContent>(round_trip(contact.messages[0].content));
  EXPECT_EQ(back.organization, "Disparo");
  EXPECT_EQ(back.email, "s@d.dev");
}

TEST(SendKinds, InteractiveReplyButtons) {
  auto ok = parse(R"({"to":"+5511987654321","interactive":{"body":"Pagar agora?","footer":"Disparo",
      "buttons":[{"id":"y","title":"Sim"},{"id":"n","title":"Não, obrigado"}]}})");
  ASSERT_TRUE(ok.errors.empty()) << ok.errors[0].field;
  EXPECT_EQ(kind_of(ok.messages[0].content), "buttons");
  const auto back = std::get<ButtonsContent>(round_trip(ok.messages[0].content));
  EXPECT_EQ(back.buttons.size(), 2u);
  EXPECT_EQ(back.footer, "Disparo");

  auto four = parse(R"({"to":"+5511987654321","interactive":{"body":"x","buttons":[{"id":"1","title":"a"},{"id":"2","title":"b"},{"id":"3","title":"c"},{"id":"4","title":"d"}]}})");
  EXPECT_EQ(fields(four), (std::vector<std::string>{"interactive.buttons"}));
  auto long_title = parse(R"({"to":"+5511987654321","interactive":{"body":"x","buttons":[{"id":"1","title":"ááááááááááááááááááááá"},{"id":"1","title":"b"}]}})");
  EXPECT_EQ(fields(long_title), (std::vector<std::string>{"interactive.buttons[0].title", "interactive.buttons[1].id"}));
  // Batches stay all-or-nothing.
  auto batch = parse(R"({"messages":[{"to":"+5511987654321","text":"ok"},{"to":"+5511987654321","interactive":{"buttons":[]}}]})");
  EXPECT_TRUE(batch.messages.empty());
  EXPECT_EQ(fields(batch), (std::vector<std::string>{"messages[1].interactive.body", "messages[1].interactive.buttons"}));
}

}  // namespace
}  // namespace disparo::dispatch
