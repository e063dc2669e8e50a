// Template validation and rendering into message content (pure).
#include "campaigns/message_template.hpp"

#include <algorithm>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "dispatcher/model/message_content.hpp"

namespace disparo::campaigns {
namespace {

using namespace date::literals;

RenderContext context() {
  RenderContext c;
  c.nome = "João";
  c.valor_cents = 3000;
  c.vencimento = date::sys_days(2026_y / 3 / 5);
  c.today = date::local_days(2026_y / 3 / 2);
  return c;
}

MessageTemplate text_template(std::string body) {
  MessageTemplate t;
  t.id = 7;
  t.name = "lembrete";
  t.kind = "text";
  t.body = std::move(body);
  return t;
}

bool has_error(const std::vector<FieldError>& errors, std::string_view field) {
  return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == field; });
}

TEST(ValidateTemplate, AcceptsEachKind) {
  EXPECT_TRUE(validate_template(text_template("Olá {nome}")).empty());

  MessageTemplate media = text_template("Boleto de {valor}");
  media.kind = "media";
  media.media_type = "document";
  media.media_url = "https://cdn.example.com/boleto.pdf";
  media.filename = "boleto.pdf";
  EXPECT_TRUE(validate_template(media).empty());

  MessageTemplate audio = text_template("");
  audio.kind = "audio";
  audio.media_url = "https://cdn.example.com/oi.ogg";
  EXPECT_TRUE(validate_template(audio).empty());

  MessageTemplate contact = text_template("");
  contact.kind = "contact";
  contact.contact_name = "Suporte";
  contact.contact_phone = "+5511987654321";
  EXPECT_TRUE(validate_template(contact).empty());
}

TEST(ValidateTemplate, RejectsUnknownPlaceholdersInBodyAndParams) {
  auto t = text_template("Olá {name}");
  t.provider_template = "lembrete_v1";
  t.provider_language = "pt_BR";
  t.provider_params = {"{nome}", "{amount}"};
  auto errors = validate_template(t);
  EXPECT_TRUE(has_error(errors, "body"));
  EXPECT_TRUE(has_error(errors, "provider_params[1]"));
  EXPECT_FALSE(has_error(errors, "provider_params[0]"));
}

TEST(ValidateTemplate, ChecksKindsFieldsAndLimits) {
  EXPECT_TRUE(has_error(validate_template(text_template("")), "body"));
  auto bad_kind = text_template("x");
  bad_kind.kind = "sticker";
  EXPECT_TRUE(has_error(validate_template(bad_kind), "kind"));

  auto media = text_template("x");
  media.kind = "media";
  auto errors = validate_template(media);
  EXPECT_TRUE(has_error(errors, "media_type"));
  EXPECT_TRUE(has_error(errors, "media_url"));
  media.media_type = "image";
  media.media_url = "ftp://x/y.png";
  EXPECT_TRUE(has_error(validate_template(media), "media_url"));
  media.media_url = "https://x/a b.png";
  EXPECT_TRUE(has_error(validate_template(media), "media_url"));
  media.media_url = "https://x/y.png";
  media.filename = "y.png";
  EXPECT_TRUE(has_error(validate_template(media), "filename"));  // documents only
  media.filename.reset();
  media.body = std::string(1025, 'a');
  EXPECT_TRUE(has_error(validate_template(media), "body"));  // caption limit

  auto contact = text_template("");
  contact.kind = "contact";
  contact.contact_name = "Suporte";
  contact.contact_phone = "(11) 98765-4321";  // not E.164
  EXPECT_TRUE(has_error(validate_template(contact), "contact_phone"));

  auto text = text_template("x");
  text.media_url = "https://x/y.png";
  EXPECT_TRUE(has_error(validate_template(text), "media_url"));
  auto long_body = text_template(std::string(4097, 'a'));
  EXPECT_TRUE(has_error(validate_template(long_body), "body"));
  auto long_name = text_template("x");
  long_name.name = std::string(201, 'n');
  EXPECT_TRUE(has_error(validate_template(long_name), "name"));
}

TEST(ValidateTemplate, ProviderMappingNeedsNameAndLanguage) {
  auto t = text_template("x");
  t.provider_template = "lembrete";
  EXPECT_TRUE(has_error(validate_template(t), "provider_language"));
  t.provider_language = "pt-BR";
  EXPECT_TRUE(has_error(validate_template(t), "provider_language"));
  t.provider_language = "pt_BR";
  t.provider_template = "Lembrete Bonito";
  EXPECT_TRUE(has_error(validate_template(t), "provider_template"));
  auto params_alone = text_template("x");
  params_alone.provider_params = {"{nome}"};
  EXPECT_TRUE(has_error(validate_template(params_alone), "provider_params"));
}

TEST(RenderMessage, TextRendersPlaceholders) {
  auto rendered = render_message(text_template("Olá {nome}, {valor} em {dias} dias"), context(), false);
  ASSERT_TRUE(rendered) << rendered.error().message;
  EXPECT_EQ(rendered->kind, "text");
  EXPECT_EQ(rendered->text, "Olá João, R$ 30,00 em 3 dias");
  auto back = dispatch::content_from_json("text", rendered->content_json);
  ASSERT_TRUE(back);
  EXPECT_EQ(std::get<dispatch::TextContent>(*back).body, rendered->text);
}

TEST(RenderMessage, MediaAudioAndContact) {
  auto media = text_template("Seu boleto, {nome}");
  media.kind = "media";
  media.media_type = "document";
  media.media_url = "https://cdn.example.com/b.pdf";
  media.filename = "b.pdf";
  auto m = render_message(media, context(), false);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, "media");
  auto mc = dispatch::content_from_json("media", m->content_json);
  ASSERT_TRUE(mc) << m->content_json;
  const auto& doc = std::get<dispatch::MediaContent>(*mc);
  EXPECT_EQ(doc.type, "document");
  EXPECT_EQ(doc.caption, "Seu boleto, João");
  EXPECT_EQ(doc.filename, "b.pdf");

  auto audio = text_template("");
  audio.kind = "audio";
  audio.media_url = "https://cdn.example.com/v.ogg";
  auto a = render_message(audio, context(), false);
  ASSERT_TRUE(a);
  auto ac = dispatch::content_from_json("media", a->content_json);
  ASSERT_TRUE(ac) << a->content_json;
  EXPECT_EQ(std::get<dispatch::MediaContent>(*ac).type, "audio");
  EXPECT_TRUE(std::get<dispatch::MediaContent>(*ac).voice);

  auto contact = text_template("");
  contact.kind = "contact";
  contact.contact_name = "Suporte";
  contact.contact_phone = "+5511987654321";
  auto k = render_message(contact, context(), false);
  ASSERT_TRUE(k);
  auto kc = dispatch::content_from_json("contact", k->content_json);
  ASSERT_TRUE(kc) << k->content_json;
  EXPECT_EQ(std::get<dispatch::ContactContent>(*kc).phones, (std::vector<std::string>{"+5511987654321"}));
}

TEST(RenderMessage, CloudApiUsesTheProviderTemplate) {
  auto t = text_template("Olá {nome}");
  auto none = render_message(t, context(), true);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, kNoProviderTemplate);

  t.provider_template = "lembrete_v1";
  t.provider_language = "pt_BR";
  t.provider_params = {"{nome}", "{valor}", "{vencimento}"};
  auto r = render_message(t, context(), true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, "template");
  auto back = dispatch::content_from_json("template", r->content_json);
  ASSERT_TRUE(back) << r->content_json;
  const auto& tpl = std::get<dispatch::TemplateContent>(*back);
  EXPECT_EQ(tpl.name, "lembrete_v1");
  EXPECT_EQ(tpl.language, "pt_BR");
  EXPECT_EQ(tpl.body_params, (std::vector<std::string>{"João", "R$ 30,00", "05/03/2026"}));
  // Other providers still get the plain text.
  auto plain = render_message(t, context(), false);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->kind, "text");
}

TEST(RenderMessage, LongValuesAreCutToTheProviderLimitOnACodePointBoundary) {
  auto c = context();
  c.nome = std::string(300, 'a') + "é";
  auto media = text_template(std::string(1000, 'x') + "{nome}");
  media.kind = "media";
  media.media_type = "image";
  media.media_url = "https://x/y.png";
  auto r = render_message(media, c, false);
  ASSERT_TRUE(r);
  std::size_t points = 0;
  for (unsigned char ch : r->text) points += (ch & 0xC0) != 0x80;
  EXPECT_EQ(points, dispatch::kMaxCaption);
}

RC_GTEST_PROP(TemplateProps, ValidTextTemplatesAlwaysRender, ()) {
  const auto body = *rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::oneOf(
      rc::gen::inRange(' ', 'z'), rc::gen::just('\n'))));
  auto t = text_template(body);
  RC_PRE(validate_template(t).empty());
  auto r = render_message(t, context(), false);
  RC_ASSERT(r.has_value());
  RC_ASSERT(dispatch::content_from_json("text", r->content_json).has_value());
}

}  // namespace
}  // namespace disparo::campaigns
