// /v1/templates over HTTP: CRUD with validation of kinds and placeholders (problem+json field
// errors), archive-instead-of-delete, preview for a client (password masking, Cloud API mapping,
// why a client cannot get it) and send-now through the normal pipeline (a queued message row).
#include <set>

#include "tests/templates/templates_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class TemplatesHttp : public TemplatesPg {};

TEST_F(TemplatesHttp, CreateReadUpdateListAndDelete) {
  auto t = make_tenant();
  auto created = call(verb::post, "/v1/templates", t.owner(),
                      R"j({"name":"lembrete","kind":"text","body":"Olá {nome}, vence {vencimento} ({valor})"})j");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto doc = json(created).as_object();
  const auto id = doc.at("id").as_int64();
  EXPECT_EQ(doc.at("kind").as_string(), "text");
  EXPECT_EQ(doc.at("placeholders"), boost::json::parse(R"(["nome","vencimento","valor"])"));
  EXPECT_FALSE(doc.at("archived").as_bool());
  const auto item = "/v1/templates/" + std::to_string(id);

  auto read = call(verb::get, item, t.keys.at("support"));
  ASSERT_EQ(read.status, 200u);
  EXPECT_EQ(json(read).at("body").as_string(), "Olá {nome}, vence {vencimento} ({valor})");

  auto patched = call(verb::patch, item, t.keys.at("manager"), R"({"body":"Oi {nome}!"})");
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(json(patched).at("body").as_string(), "Oi {nome}!");
  EXPECT_EQ(json(patched).at("name").as_string(), "lembrete");

  auto duplicate = call(verb::post, "/v1/templates", t.owner(), R"({"name":"lembrete","kind":"text","body":"x"})");
  EXPECT_EQ(duplicate.status, 409u);
  EXPECT_EQ(duplicate.header("content-type"), "application/problem+json");

  auto list = call(verb::get, "/v1/templates", t.owner());
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(json(list).at("items").as_array().size(), 1u);

  auto deleted = call(verb::delete_, item, t.owner());
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_EQ(call(verb::get, item, t.owner()).status, 404u);
}

TEST_F(TemplatesHttp, UnknownPlaceholdersAreRejectedWhenSaved) {
  auto t = make_tenant();
  auto bad = call(verb::post, "/v1/templates", t.owner(), R"({"name":"x","kind":"text","body":"Olá {name}"})");
  ASSERT_EQ(bad.status, 422u) << bad.body;
  EXPECT_EQ(bad.header("content-type"), "application/problem+json");
  const auto errors = json(bad).at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at("field").as_string(), "body");
  EXPECT_EQ(errors[0].at("message").as_string(), "unknown placeholder {name} at offset 5");

  auto params = call(verb::post, "/v1/templates", t.owner(),
                     R"({"name":"y","kind":"text","body":"ok","provider_template":"lembrete","provider_language":"pt_BR",
                         "provider_params":["{nome}","{amount}"]})");
  ASSERT_EQ(params.status, 422u);
  EXPECT_EQ(field_of_first_error(params), "provider_params[1]");

  // PATCH validates the merged template: a valid one cannot be broken by a partial update.
  const auto id = text_template(t, "ok", "Oi {nome}");
  auto broken = call(verb::patch, "/v1/templates/" + std::to_string(id), t.owner(), R"({"body":"{oops"})");
  ASSERT_EQ(broken.status, 422u);
  EXPECT_EQ(field_of_first_error(broken), "body");
  EXPECT_EQ(json(call(verb::get, "/v1/templates/" + std::to_string(id), t.owner())).at("body").as_string(), "Oi {nome}");
}

TEST_F(TemplatesHttp, KindsNeedTheirFields) {
  auto t = make_tenant();
  auto media = call(verb::post, "/v1/templates", t.owner(), R"({"name":"m","kind":"media","body":"cap"})");
  ASSERT_EQ(media.status, 422u);
  std::set<std::string> fields;
  const auto media_doc = json(media);
  for (const auto& e : media_doc.at("errors").as_array()) fields.insert(std::string(e.at("field").as_string()));
  EXPECT_TRUE(fields.count("media_type"));
  EXPECT_TRUE(fields.count("media_url"));

  auto unknown = call(verb::post, "/v1/templates", t.owner(), R"({"name":"m","kind":"sticker","colour":1})");
  ASSERT_EQ(unknown.status, 422u);
  EXPECT_EQ(json(unknown).at("errors").as_array().size(), 2u);  // kind, colour

  // A contact phone as people type it is stored in E.164.
  auto contact = call(verb::post, "/v1/templates", t.owner(),
                      R"({"name":"suporte","kind":"contact","contact_name":"Suporte","contact_phone":"(11) 98765-4321"})");
  ASSERT_EQ(contact.status, 201u) << contact.body;
  EXPECT_EQ(json(contact).at("contact_phone").as_string(), "+5511987654321");

  auto audio = call(verb::post, "/v1/templates", t.owner(),
                    R"({"name":"voz","kind":"audio","media_url":"https://cdn.example.com/oi.ogg"})");
  EXPECT_EQ(audio.status, 201u) << audio.body;
  EXPECT_EQ(call(verb::post, "/v1/templates", t.owner(), "not json").status, 400u);
}

TEST_F(TemplatesHttp, DeleteArchivesATemplateACampaignUses) {
  auto t = make_tenant();
  const auto id = text_template(t, "usado", "Oi {nome}");
  sql("INSERT INTO campaigns (tenant_id, name, kind, template_id) VALUES ($1, 'c', 'custom', $2)",
      {std::to_string(t.id), std::to_string(id)});
  const auto item = "/v1/templates/" + std::to_string(id);
  EXPECT_EQ(json(call(verb::get, item, t.owner())).at("used_by_campaigns").as_int64(), 1);
  auto archived = call(verb::delete_, item, t.owner());
  ASSERT_EQ(archived.status, 200u) << archived.body;
  EXPECT_TRUE(json(archived).at("archived").as_bool());
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_templates WHERE id = $1", {std::to_string(id)}), 1);
  EXPECT_EQ(json(call(verb::get, "/v1/templates", t.owner())).at("items").as_array().size(), 0u);
  EXPECT_EQ(json(call(verb::get, "/v1/templates?include_archived=true", t.owner())).at("items").as_array().size(), 1u);
  EXPECT_EQ(call(verb::get, "/v1/templates?include_archived=maybe", t.owner()).status, 422u);
  // Unarchive by PATCH.
  auto back = call(verb::patch, item, t.owner(), R"({"archived":false})");
  ASSERT_EQ(back.status, 200u);
  EXPECT_FALSE(json(back).at("archived").as_bool());
}

TEST_F(TemplatesHttp, PreviewRendersForAClientAndMasksThePasswordForFinance) {
  auto t = make_tenant();
  session(t, "padrao");
  const auto c = client(t);
  const auto id = text_template(t, "acesso", "Usuário {usuario}, senha {senha}, {valor}, vence {vencimento}");
  const auto target = "/v1/templates/" + std::to_string(id) + "/preview";
  const auto body = R"({"client_id":)" + std::to_string(c) + "}";
  auto owner = call(verb::post, target, t.owner(), body);
  ASSERT_EQ(owner.status, 200u) << owner.body;
  EXPECT_EQ(json(owner).at("text").as_string(), "Usuário maria01, senha s3nha, R$ 35,00, vence 10/03/2026");
  EXPECT_TRUE(json(owner).at("sendable").as_bool());
  EXPECT_EQ(json(owner).at("kind").as_string(), "text");
  EXPECT_EQ(json(owner).at("content").at("body").as_string(), json(owner).at("text").as_string());

  auto finance = call(verb::post, target, t.keys.at("finance"), body);
  ASSERT_EQ(finance.status, 200u) << finance.body;
  EXPECT_EQ(finance.body.find("s3nha"), std::string::npos);
  EXPECT_NE(json(finance).at("text").as_string().find("******"), std::string::npos);

  sql("UPDATE clients SET blocked = true WHERE id = $1", {std::to_string(c)});
  auto blocked = call(verb::post, target, t.owner(), body);
  EXPECT_FALSE(json(blocked).at("sendable").as_bool());
  EXPECT_EQ(json(blocked).at("reason").as_string(), "blocked");

  auto missing = call(verb::post, target, t.owner(), R"({"client_id":999999999})");
  EXPECT_EQ(missing.status, 422u);
  EXPECT_EQ(field_of_first_error(missing), "client_id");
  EXPECT_EQ(call(verb::post, target, t.owner(), "{}").status, 422u);
}

TEST_F(TemplatesHttp, CloudApiSessionsUseTheApprovedTemplate) {
  auto t = make_tenant();
  session(t, "oficial", "cloud_api");
  const auto c = client(t);
  const auto id = text_template(t, "livre", "Oi {nome}");
  const auto body = R"({"client_id":)" + std::to_string(c) + "}";
  auto unmapped = call(verb::post, "/v1/templates/" + std::to_string(id) + "/preview", t.owner(), body);
  ASSERT_EQ(unmapped.status, 200u);
  EXPECT_FALSE(json(unmapped).at("sendable").as_bool());
  EXPECT_EQ(json(unmapped).at("reason").as_string(), "no_provider_template");
  auto refused = call(verb::post, "/v1/templates/" + std::to_string(id) + "/send", t.owner(), body);
  EXPECT_EQ(refused.status, 409u) << refused.body;

  auto mapped = call(verb::patch, "/v1/templates/" + std::to_string(id), t.owner(),
                     R"({"provider_template":"lembrete_v1","provider_language":"pt_BR","provider_params":["{nome}","{valor}"]})");
  ASSERT_EQ(mapped.status, 200u) << mapped.body;
  auto preview = call(verb::post, "/v1/templates/" + std::to_string(id) + "/preview", t.owner(), body);
  ASSERT_EQ(preview.status, 200u);
  EXPECT_EQ(json(preview).at("kind").as_string(), "template");
  EXPECT_EQ(json(preview).at("content").at("name").as_string(), "lembrete_v1");
  EXPECT_EQ(json(preview).at("content").at("params"), boost::json::parse(R"(["Maria","R$ 35,00"])"));
  auto sent = call(verb::post, "/v1/templates/" + std::to_string(id) + "/send", t.owner(), body);
  ASSERT_EQ(sent.status, 202u) << sent.body;
  EXPECT_EQ(sql("SELECT kind FROM messages WHERE id = $1", {std::to_string(json(sent).at("message_id").as_int64())}),
            "template");
}

TEST_F(TemplatesHttp, SendNowQueuesATransactionalMessageOnce) {
  auto t = make_tenant();
  session(t, "padrao");
  const auto own = session(t, "painel", "sandbox", false);
  const auto srv = server(t, "Servidor A", own);
  const auto c = client(t);
  sql("UPDATE clients SET server_id = $2 WHERE id = $1", {std::to_string(c), std::to_string(srv)});
  const auto id = text_template(t, "oi", "Oi {nome} do {servidor}");
  const auto target = "/v1/templates/" + std::to_string(id) + "/send";
  const auto body = R"({"client_id":)" + std::to_string(c) + R"(,"idempotency_key":"click-1"})";
  auto sent = call(verb::post, target, t.keys.at("sales"), body);
  ASSERT_EQ(sent.status, 202u) << sent.body;
  const auto mid = std::to_string(json(sent).at("message_id").as_int64());
  EXPECT_EQ(sql("SELECT status || ' ' || origin || ' ' || priority || ' ' || recipient || ' ' || session_id || ' ' || "
                "client_id || ' ' || (content->>'body') FROM messages WHERE id = $1",
                {mid}),
            "queued manual 0 +5511987654321 " + std::to_string(own) + " " + std::to_string(c) + " Oi Maria do Servidor A");
  EXPECT_EQ(sql("SELECT string_agg(status, ',' ORDER BY id) FROM message_events WHERE message_id = $1", {mid}),
            "accepted,queued");
  auto again = call(verb::post, target, t.keys.at("sales"), body);
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_TRUE(json(again).at("duplicate").as_bool());
  EXPECT_EQ(std::to_string(json(again).at("message_id").as_int64()), mid);

  sql("UPDATE clients SET archived_at = now(), archive_reason = 'churn' WHERE id = $1", {std::to_string(c)});
  auto archived = call(verb::post, target, t.owner(), R"({"client_id":)" + std::to_string(c) + "}");
  EXPECT_EQ(archived.status, 409u);
  EXPECT_EQ(archived.header("content-type"), "application/problem+json");
}

TEST_F(TemplatesHttp, SendNowWithoutASessionIsAConflict) {
  auto t = make_tenant();
  const auto c = client(t);
  const auto id = text_template(t, "oi", "Oi {nome}");
  auto reply = call(verb::post, "/v1/templates/" + std::to_string(id) + "/send", t.owner(),
                    R"({"client_id":)" + std::to_string(c) + "}");
  EXPECT_EQ(reply.status, 409u) << reply.body;
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE tenant_id = $1", {std::to_string(t.id)}), 0);
}

}  // namespace
}  // namespace disparo::admin::test
