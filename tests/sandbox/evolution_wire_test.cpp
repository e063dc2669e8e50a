// Evolution API wire format (pure): send-body validation per action, the stored message, the
// error envelope and the webhook envelope.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "loadtest/sandbox/evolution_api.hpp"
#include "loadtest/sandbox/evolution_wire.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox {
namespace {

using test::JsonProbe;

std::vector<std::string> invalid(std::string_view action, std::string_view body) {
  EvolutionSendParser parser;
  auto result = parser.parse(action, body);
  if (auto* i = std::get_if<EvolutionInvalid>(&result)) return i->messages;
  return {};
}

TEST(EvolutionWire, SendTextNeedsNumberAndText) {
  EvolutionSendParser parser;
  auto ok = parser.parse("sendText", R"({"number":"5511987654321@s.whatsapp.net","text":"Oi","delay":1200})");
  ASSERT_TRUE(std::holds_alternative<EvolutionSend>(ok));
  const auto& send = std::get<EvolutionSend>(ok);
  EXPECT_EQ(send.number, "5511987654321");
  EXPECT_EQ(send.delay_ms, 1200);
  EXPECT_EQ(send.message_type, "conversation");
  EXPECT_EQ(JsonProbe(send.message_json).str("/conversation"), "Oi");

  EXPECT_EQ(invalid("sendText", R"({"text":"Oi"})"),
            std::vector<std::string>{"instance requires property \"number\""});
  EXPECT_EQ(invalid("sendText", R"({"number":"5511987654321","text":5})"),
            std::vector<std::string>{"instance.text is not of a type(s) string"});
  EXPECT_EQ(invalid("sendText", R"({"number":"5511987654321","text":"x","delay":"soon"})"),
            std::vector<std::string>{"instance.delay is not of a type(s) integer"});
  EXPECT_FALSE(invalid("sendText", "[]").empty());
}

TEST(EvolutionWire, OtherActionsCheckTheirRequiredFields) {
  EXPECT_EQ(invalid("sendMedia", R"({"number":"5511987654321","mediatype":"gif","media":"https://x"})"),
            std::vector<std::string>{"instance.mediatype is not one of enum values: image,document,video,audio"});
  EXPECT_EQ(invalid("sendWhatsAppAudio", R"({"number":"5511987654321"})"),
            std::vector<std::string>{"instance requires property \"audio\""});
  EXPECT_EQ(invalid("sendContact", R"({"number":"5511987654321","contact":[{"fullName":"A","phoneNumber":"123"}]})"),
            std::vector<std::string>{"instance.contact[0].phoneNumber does not meet minimum length of 10"});
  EXPECT_EQ(invalid("sendButtons",
                    R"({"number":"5511987654321","title":"t","description":"d","buttons":[{"type":"reply","displayText":"a"},{"type":"url","displayText":"b","url":"https://x"}]})"),
            std::vector<std::string>{"Reply buttons cannot be mixed with other types"});
  EXPECT_TRUE(is_evolution_send_action("sendButtons"));
  EXPECT_FALSE(is_evolution_send_action("sendList"));
}

TEST(EvolutionWire, StoredMessageAndErrorEnvelope) {
  StoredMessage m;
  m.key_id = "3EB0ABCDEF0123456789AB";
  m.remote_jid = "5511987654321@s.whatsapp.net";
  m.message_type = "conversation";
  m.message_json = R"({"conversation":"Oi"})";
  m.timestamp = 1750000000;
  m.instance_id = instance_id_for("x");
  const JsonProbe j(render_stored_message(m));
  EXPECT_EQ(j.str("/key/id"), m.key_id);
  EXPECT_EQ(j.boolean("/key/fromMe"), true);
  EXPECT_EQ(j.str("/status"), "PENDING");
  EXPECT_EQ(j.num("/messageTimestamp"), 1750000000);
  EXPECT_EQ(j.str("/instanceId"), instance_id_for("x"));
  EXPECT_NE(instance_id_for("x"), instance_id_for("y"));

  const JsonProbe e(render_evolution_error(400, std::vector<std::string>{"a \"quoted\" message"}));
  EXPECT_EQ(e.num("/status"), 400);
  EXPECT_EQ(e.str("/error"), "Bad Request");
  EXPECT_EQ(e.str("/response/message/0"), "a \"quoted\" message");
}

TEST(EvolutionWire, EnvelopeCarriesEveryField) {
  EvolutionTarget t;
  t.instance = "loja";
  t.url = "http://127.0.0.1:9/hook";
  t.apikey = "key";
  t.server_url = "http://sandbox";
  t.sender = "5511900000000@s.whatsapp.net";
  const JsonProbe j(render_evolution_envelope(t, "messages.update", R"({"status":"READ"})",
                                              1'750'000'000'123'456));
  EXPECT_EQ(j.keys(""), 8u);
  EXPECT_EQ(j.str("/event"), "messages.update");
  EXPECT_EQ(j.str("/instance"), "loja");
  EXPECT_EQ(j.str("/data/status"), "READ");
  EXPECT_EQ(j.str("/destination"), "http://127.0.0.1:9/hook");
  EXPECT_EQ(j.str("/date_time"), "2025-06-15T15:06:40.123Z");
  EXPECT_EQ(j.str("/sender"), "5511900000000@s.whatsapp.net");
  EXPECT_EQ(j.str("/server_url"), "http://sandbox");
  EXPECT_EQ(j.str("/apikey"), "key");
  EXPECT_EQ(evolution_status_for("sent"), "SERVER_ACK");
  EXPECT_EQ(evolution_status_for("delivered"), "DELIVERY_ACK");
  EXPECT_EQ(evolution_status_for("read"), "READ");
}

RC_GTEST_PROP(EvolutionWireProperties, AnyBodyIsAcceptedOrRejectedWithMessages, ()) {
  const std::string body = *rc::gen::arbitrary<std::string>();
  const std::string action =
      *rc::gen::element<std::string>("sendText", "sendMedia", "sendWhatsAppAudio", "sendContact", "sendButtons");
  EvolutionSendParser parser;
  auto result = parser.parse(action, body);
  if (auto* i = std::get_if<EvolutionInvalid>(&result)) RC_ASSERT(!i->messages.empty());
}

}  // namespace
}  // namespace disparo::sandbox
