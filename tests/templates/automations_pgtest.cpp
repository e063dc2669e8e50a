// Automatic messages through the settings route: the welcome message queued in the transaction
// that creates a client (not for blocked/archived clients, not without a session, once per
// client), and the payment confirmation rendered from its template when one is set.
#include "tests/templates/templates_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class Automations : public TemplatesPg {
 protected:
  HttpReply new_client(const MoneyTenant& t, const std::string& extra = {}) {
    return call(verb::post, "/v1/clients", t.owner(),
                R"({"name":"Ana","phone":"(11) 98765-4321","username":"ana1","password":"pw9")" + extra + "}");
  }
};

TEST_F(Automations, SettingsExposeAndValidateTheAutomations) {
  auto t = make_tenant();
  auto other = make_tenant();
  auto initial = call(verb::get, "/v1/settings", t.owner());
  ASSERT_EQ(initial.status, 200u);
  EXPECT_FALSE(json(initial).at("welcome_enabled").as_bool());
  EXPECT_TRUE(json(initial).at("welcome_template_id").is_null());
  EXPECT_TRUE(json(initial).at("payment_confirmation_template_id").is_null());
  // The default confirmation text speaks the template placeholder language (0007 migrated it).
  EXPECT_NE(json(initial).at("payment_confirmation_text").as_string().find("{nome}"), std::string::npos);

  auto without = call(verb::patch, "/v1/settings", t.owner(), R"({"welcome_enabled":true})");
  ASSERT_EQ(without.status, 422u) << without.body;
  EXPECT_EQ(field_of_first_error(without), "welcome_enabled");
  EXPECT_FALSE(json(call(verb::get, "/v1/settings", t.owner())).at("welcome_enabled").as_bool());

  const auto foreign = text_template(other, "alheio", "Oi");
  auto cross = call(verb::patch, "/v1/settings", t.owner(), R"({"welcome_template_id":)" + std::to_string(foreign) + "}");
  EXPECT_EQ(cross.status, 422u);
  EXPECT_EQ(field_of_first_error(cross), "welcome_template_id");
  auto bad_text = call(verb::patch, "/v1/settings", t.owner(), R"({"payment_confirmation_text":"Oi {name}"})");
  EXPECT_EQ(bad_text.status, 422u);
  EXPECT_EQ(field_of_first_error(bad_text), "payment_confirmation_text");
  auto wrong_type = call(verb::patch, "/v1/settings", t.owner(), R"({"payment_confirmation_template_id":"x"})");
  EXPECT_EQ(wrong_type.status, 422u);

  const auto welcome = text_template(t, "boas-vindas", "Oi {nome}");
  auto on = call(verb::patch, "/v1/settings", t.owner(),
                 R"({"welcome_enabled":true,"welcome_template_id":)" + std::to_string(welcome) + "}");
  ASSERT_EQ(on.status, 200u) << on.body;
  EXPECT_TRUE(json(on).at("welcome_enabled").as_bool());
  EXPECT_EQ(json(on).at("welcome_template_id").as_int64(), welcome);
  EXPECT_EQ(call(verb::patch, "/v1/settings", t.keys.at("manager"), R"({"welcome_enabled":false})").status, 403u);
  // A template an automation uses is archived, not deleted.
  auto deleted = call(verb::delete_, "/v1/templates/" + std::to_string(welcome), t.owner());
  EXPECT_EQ(deleted.status, 200u);
  EXPECT_TRUE(json(deleted).at("archived").as_bool());
}

TEST_F(Automations, WelcomeIsQueuedWithTheNewClientOnce) {
  auto t = make_tenant();
  const auto s = session(t, "padrao");
  const auto welcome = text_template(t, "boas-vindas", "Bem-vinda {nome}! Usuário {usuario}, senha {senha}. {empresa}");
  ASSERT_EQ(call(verb::patch, "/v1/settings", t.owner(),
                 R"({"welcome_enabled":true,"welcome_template_id":)" + std::to_string(welcome) + "}")
                .status,
            200u);
  auto created = new_client(t);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto client_id = json(created).at("id").as_int64();
  ASSERT_TRUE(json(created).as_object().contains("welcome_message_id")) << created.body;
  const auto mid = std::to_string(json(created).at("welcome_message_id").as_int64());
  EXPECT_EQ(sql("SELECT content->>'body' FROM messages WHERE id = $1", {mid}),
            "Bem-vinda Ana! Usuário ana1, senha pw9. Tenant " + t.slug);
  EXPECT_EQ(sql("SELECT status || ' ' || origin || ' ' || priority || ' ' || idempotency_key || ' ' || session_id || ' ' "
                "|| client_id FROM messages WHERE id = $1",
                {mid}),
            "queued automation 0 welcome:" + std::to_string(client_id) + " " + std::to_string(s) + " " +
                std::to_string(client_id));
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE message_id = $1", {mid}), 2);

  // Blocked or archived at creation: no welcome. Switched off: none either.
  auto blocked = new_client(t, R"(,"blocked":true)");
  ASSERT_EQ(blocked.status, 201u) << blocked.body;
  EXPECT_FALSE(json(blocked).as_object().contains("welcome_message_id"));
  auto archived = new_client(t, R"(,"archived":true,"archive_reason":"lost")");
  ASSERT_EQ(archived.status, 201u) << archived.body;
  EXPECT_FALSE(json(archived).as_object().contains("welcome_message_id"));
  ASSERT_EQ(call(verb::patch, "/v1/settings", t.owner(), R"({"welcome_enabled":false})").status, 200u);
  EXPECT_FALSE(json(new_client(t)).as_object().contains("welcome_message_id"));
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE tenant_id = $1", {std::to_string(t.id)}), 1);
}

TEST_F(Automations, NoWelcomeWithoutASessionAndTheClientIsStillCreated) {
  auto t = make_tenant();
  const auto welcome = text_template(t, "boas-vindas", "Oi {nome}");
  ASSERT_EQ(call(verb::patch, "/v1/settings", t.owner(),
                 R"({"welcome_enabled":true,"welcome_template_id":)" + std::to_string(welcome) + "}")
                .status,
            200u);
  auto created = new_client(t);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_FALSE(json(created).as_object().contains("welcome_message_id"));
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE tenant_id = $1", {std::to_string(t.id)}), 0);
}

TEST_F(Automations, PaymentConfirmationUsesItsTemplateWhenSet) {
  auto t = make_tenant();
  session(t, "padrao");
  const auto c = client(t);
  const auto tmpl = text_template(t, "recibo", "Recebemos {valor} via {metodo}, {nome}. Próximo vencimento {vencimento}.");
  auto on = call(verb::patch, "/v1/settings", t.owner(),
                 R"({"payment_confirmation_enabled":true,"payment_confirmation_template_id":)" + std::to_string(tmpl) + "}");
  ASSERT_EQ(on.status, 200u) << on.body;
  auto paid = call(verb::post, "/v1/clients/" + std::to_string(c) + "/payments", t.owner(),
                   R"({"amount_cents":4990,"method":"card","paid_at":"2026-03-09T12:00:00Z"})");
  ASSERT_EQ(paid.status, 201u) << paid.body;
  const auto doc = json(paid).as_object();
  ASSERT_TRUE(doc.contains("confirmation_message_id")) << paid.body;
  const auto mid = std::to_string(doc.at("confirmation_message_id").as_int64());
  const auto due = std::string(doc.at("new_due_date").as_string());
  const std::string br = due.substr(8, 2) + "/" + due.substr(5, 2) + "/" + due.substr(0, 4);
  EXPECT_EQ(sql("SELECT content->>'body' FROM messages WHERE id = $1", {mid}),
            "Recebemos R$ 49,90 via cartão, Maria. Próximo vencimento " + br + ".");
  EXPECT_EQ(sql("SELECT origin || ' ' || priority || ' ' || idempotency_key FROM messages WHERE id = $1", {mid}),
            "automation 0 payment:" + std::to_string(doc.at("id").as_int64()));

  // Cleared: back to the settings text (new placeholder language).
  ASSERT_EQ(call(verb::patch, "/v1/settings", t.owner(),
                 R"({"payment_confirmation_template_id":null,"payment_confirmation_text":"Valeu {nome}: {valor}"})")
                .status,
            200u);
  auto again = call(verb::post, "/v1/clients/" + std::to_string(c) + "/payments", t.owner(),
                    R"({"amount_cents":100,"method":"pix"})");
  ASSERT_EQ(again.status, 201u) << again.body;
  EXPECT_EQ(sql("SELECT content->>'body' FROM messages WHERE id = $1",
                {std::to_string(json(again).at("confirmation_message_id").as_int64())}),
            "Valeu Maria: R$ 1,00");
}

}  // namespace
}  // namespace disparo::admin::test
