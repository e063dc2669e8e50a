// MessageContent's stored JSON (messages.content): every kind round-trips through
// content_to_json / content_from_json, and stored JSON that does not match its kind is refused.
#include "dispatcher/model/message_content.hpp"

#include <gtest/gtest.h>

#include <string>

namespace disparo::dispatch {
namespace {

MessageContent round_trip(const MessageContent& content) {
  auto back = content_from_json(kind_of(content), content_to_json(content));
  EXPECT_TRUE(back) << (back ? "" : back.error().message);
  return back ? *back : MessageContent{};
}

TEST(MessageContent, KindsNameTheColumnValues) {
  EXPECT_EQ(kind_of(TextContent{"x", false}), "text");
  EXPECT_EQ(kind_of(TemplateContent{"t", "pt_BR", {}}), "template");
  EXPECT_EQ(kind_of(MediaContent{"image", "https://a/b", "", ""}), "media");
  EXPECT_EQ(kind_of(ContactContent{"A", {"+5511987654321"}}), "contact");
}

TEST(MessageContent, EveryKindRoundTrips) {
  const auto text = std::get<TextContent>(round_trip(TextContent{"Olá \"Maria\"\n😀", true}));
  EXPECT_EQ(text.body, "Olá \"Maria\"\n😀");
  EXPECT_TRUE(text.preview_url);

  const auto tpl = std::get<TemplateContent>(round_trip(TemplateContent{"lembrete", "pt_BR", {"a", "", "c,d"}}));
  EXPECT_EQ(tpl.name, "lembrete");
  EXPECT_EQ(tpl.language, "pt_BR");
  EXPECT_EQ(tpl.body_params, (std::vector<std::string>{"a", "", "c,d"}));

  const auto media = std::get<MediaContent>(round_trip(MediaContent{"document", "https://a/b.pdf", "Boleto", "b.pdf"}));
  EXPECT_EQ(media.type, "document");
  EXPECT_EQ(media.url, "https://a/b.pdf");
  EXPECT_EQ(media.caption, "Boleto");
  EXPECT_EQ(media.filename, "b.pdf");

  const auto contact = std::get<ContactContent>(round_trip(ContactContent{"Suporte", {"+5511987654321", "+551133334444"}}));
  EXPECT_EQ(contact.name, "Suporte");
  EXPECT_EQ(contact.phones, (std::vector<std::string>{"+5511987654321", "+551133334444"}));
}

TEST(MessageContent, StoredJsonThatDoesNotMatchItsKindIsRefused) {
  EXPECT_FALSE(content_from_json("text", R"({"name":"t","language":"pt_BR"})"));
  EXPECT_FALSE(content_from_json("template", R"({"body":"x"})"));
  EXPECT_FALSE(content_from_json("template", R"({"name":"t","language":"pt_BR","params":[1]})"));
  EXPECT_FALSE(content_from_json("media", R"({"type":"image"})"));
  EXPECT_FALSE(content_from_json("contact", R"({"name":"A","phones":[]})"));
  EXPECT_FALSE(content_from_json("sticker", R"({"body":"x"})"));
  EXPECT_FALSE(content_from_json("text", "[]"));
  EXPECT_FALSE(content_from_json("text", "{"));
  const auto wrong = content_from_json("text", "{}");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::invalid_argument);
}

}  // namespace
}  // namespace disparo::dispatch
