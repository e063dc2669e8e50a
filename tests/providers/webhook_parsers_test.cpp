// Webhook parsers of issue 4 on the reference's payload shapes: Cloud API inbound messages,
// message_template_status_update and phone_number_quality_update (§1.8–1.12); Evolution
// messages.update / messages.upsert / connection.update / qrcode.updated (§2.4–2.5). Properties:
// arbitrary bytes never crash and invalid input is an error with nothing returned.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "dispatcher/cloud_api_webhook.hpp"
#include "dispatcher/inbound/evolution_webhook.hpp"

namespace disparo::dispatch {
namespace {

std::string cloud(const std::string& changes) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"100000000000000","changes":[)" + changes + "]}]}";
}

TEST(CloudApiInbound, TextButtonAndInteractiveReplies) {
  const auto body = cloud(R"({"field":"messages","value":{"messaging_product":"whatsapp",
    "metadata":{"display_phone_number":"5511999990000","phone_number_id":"PNID"},
    "contacts":[{"profile":{"name":"Maria"},"wa_id":"551187654321"}],
    "messages":[
      {"from":"551187654321","id":"wamid.A","timestamp":"1751142888","type":"text","text":{"body":"SAIR"}},
      {"from":"5511987654321","id":"wamid.B","timestamp":"1751142889","type":"button","button":{"payload":"PAGAR","text":"Pagar"}},
      {"from":"5511987654321","id":"wamid.C","timestamp":"1751142890","type":"interactive",
       "interactive":{"type":"button_reply","button_reply":{"id":"pay","title":"Pagar"}}},
      {"from":"5511987654321","id":"wamid.D","timestamp":"1751142891","type":"image","image":{"id":"m1"}},
      {"id":"wamid.NOFROM","type":"text","text":{"body":"x"}}]}})");
  auto hook = parse_cloud_api_webhook(body);
  ASSERT_TRUE(hook);
  ASSERT_EQ(hook->inbound.size(), 4u);
  EXPECT_EQ(hook->inbound[0].phone_number_id, "PNID");
  EXPECT_EQ(hook->inbound[0].from, "551187654321");  // kept as sent: without the ninth digit
  EXPECT_EQ(hook->inbound[0].text, "SAIR");
  EXPECT_EQ(hook->inbound[0].timestamp, 1751142888);
  EXPECT_EQ(hook->inbound[1].text, "Pagar");
  EXPECT_EQ(hook->inbound[2].text, "Pagar");
  EXPECT_EQ(hook->inbound[3].type, "image");
  EXPECT_EQ(hook->inbound[3].text, "");
  EXPECT_TRUE(hook->statuses.empty());
}

TEST(CloudApiAccount, TemplateStatusAndQuality) {
  const auto body = cloud(R"({"field":"message_template_status_update","value":{"event":"PAUSED",
      "message_template_id":594425479261596,"message_template_name":"lembrete_fatura",
      "message_template_language":"pt_BR","reason":"NONE","other_info":{"title":"FIRST_PAUSE"}}},
    {"field":"phone_number_quality_update","value":{"display_phone_number":"5511999990000",
      "event":"DOWNGRADE","current_limit":"TIER_250","quality_rating":"YELLOW"}},
    {"field":"phone_number_quality_update","value":{"phone_number_id":"PNID","quality":"RED","max_daily_conversations_per_business":2000}})");
  auto hook = parse_cloud_api_webhook(body);
  ASSERT_TRUE(hook);
  ASSERT_EQ(hook->templates.size(), 1u);
  EXPECT_EQ(hook->templates[0].waba_id, "100000000000000");
  EXPECT_EQ(hook->templates[0].event, "PAUSED");
  EXPECT_EQ(hook->templates[0].name, "lembrete_fatura");
  EXPECT_EQ(hook->templates[0].language, "pt_BR");
  EXPECT_EQ(hook->templates[0].template_id, "594425479261596");
  ASSERT_EQ(hook->quality.size(), 2u);
  EXPECT_EQ(hook->quality[0].quality, "YELLOW");
  EXPECT_EQ(hook->quality[0].tier, "TIER_250");
  EXPECT_EQ(hook->quality[0].event, "DOWNGRADE");
  EXPECT_EQ(hook->quality[1].phone_number_id, "PNID");
  EXPECT_EQ(hook->quality[1].quality, "RED");
  EXPECT_EQ(hook->quality[1].tier, "2000");
  EXPECT_EQ(hook->other_changes, 0u);
}

std::string evolution(const std::string& event, const std::string& data) {
  return R"({"event":")" + event + R"(","instance":"loja1","data":)" + data +
         R"(,"destination":"http://x","date_time":"2026-11-22T21:00:00.000Z","sender":"5511999990000@s.whatsapp.net","server_url":"http://evo","apikey":"k"})";
}

TEST(EvolutionWebhook, StatusUpdatesMapOntoOurLifecycle) {
  EXPECT_EQ(lifecycle_of_evolution_status("PENDING"), "");
  EXPECT_EQ(lifecycle_of_evolution_status("SERVER_ACK"), "sent");
  EXPECT_EQ(lifecycle_of_evolution_status("DELIVERY_ACK"), "delivered");
  EXPECT_EQ(lifecycle_of_evolution_status("READ"), "read");
  EXPECT_EQ(lifecycle_of_evolution_status("PLAYED"), "read");
  EXPECT_EQ(lifecycle_of_evolution_status("ERROR"), "failed");
  EXPECT_EQ(lifecycle_of_evolution_status("DELETED"), "");

  auto hook = parse_evolution_webhook(evolution("messages.update", R"({"keyId":"BAE5F1","remoteJid":"551187654321@s.whatsapp.net",
      "fromMe":true,"participant":null,"status":"DELIVERY_ACK","instanceId":"i1","messageId":"m1"})"));
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->instance, "loja1");
  ASSERT_EQ(hook->statuses.size(), 1u);
  EXPECT_EQ(hook->statuses[0].key_id, "BAE5F1");
  EXPECT_EQ(hook->statuses[0].remote_jid, "551187654321@s.whatsapp.net");
  EXPECT_EQ(hook->statuses[0].status, "delivered");

  auto batch = parse_evolution_webhook(evolution("MESSAGES_UPDATE", R"([{"keyId":"A","fromMe":true,"status":"SERVER_ACK"},
      {"keyId":"B","fromMe":true,"status":"PENDING"},{"keyId":"C","fromMe":false,"status":"READ"},{"keyId":"D","fromMe":true,"status":"READ"}])"));
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->statuses.size(), 2u);  // PENDING records nothing; C is their message
  EXPECT_EQ(batch->statuses[1].key_id, "D");
}

TEST(EvolutionWebhook, InboundConnectionAndQrCode) {
  auto upsert = parse_evolution_webhook(evolution("messages.upsert", R"({"key":{"remoteJid":"551187654321@s.whatsapp.net","fromMe":false,"id":"3EB0"},
      "pushName":"Maria","status":"DELIVERY_ACK","message":{"conversation":"Parar"},"messageType":"conversation","messageTimestamp":1751142888})"));
  ASSERT_TRUE(upsert);
  ASSERT_EQ(upsert->inbound.size(), 1u);
  EXPECT_EQ(upsert->inbound[0].from, "551187654321@s.whatsapp.net");
  EXPECT_EQ(upsert->inbound[0].text, "Parar");
  EXPECT_EQ(upsert->inbound[0].timestamp, 1751142888);

  auto mine = parse_evolution_webhook(evolution("messages.upsert", R"({"key":{"remoteJid":"5511@s.whatsapp.net","fromMe":true,"id":"x"},"message":{"conversation":"a"}})"));
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->inbound.empty());
  auto group = parse_evolution_webhook(evolution("messages.upsert", R"({"key":{"remoteJid":"1203@g.us","fromMe":false,"id":"x"},"message":{"conversation":"SAIR"}})"));
  ASSERT_TRUE(group);
  EXPECT_TRUE(group->inbound.empty());

  auto closed = parse_evolution_webhook(evolution("connection.update", R"({"instance":"loja1","state":"close","statusReason":401})"));
  ASSERT_TRUE(closed && closed->connection);
  EXPECT_EQ(closed->connection->state, "close");
  EXPECT_EQ(closed->connection->status_reason, 401);

  auto qr = parse_evolution_webhook(evolution("qrcode.updated", R"({"qrcode":{"instance":"loja1","pairingCode":"WZYEH1YY","code":"2@abc,def","base64":"data:image/png;base64,AAA"}})"));
  ASSERT_TRUE(qr && qr->qrcode);
  EXPECT_EQ(qr->qrcode->code, "2@abc,def");
  EXPECT_EQ(qr->qrcode->pairing_code, "WZYEH1YY");
}

TEST(EvolutionWebhook, InvalidEnvelopesAreErrors) {
  for (const char* body : {"", "[]", "{", R"({"instance":"x"})", R"({"event":""})", R"({"event":7})"}) {
    auto hook = parse_evolution_webhook(body);
    ASSERT_FALSE(hook) << body;
    EXPECT_EQ(hook.error().kind, ErrorKind::invalid_argument);
  }
  auto unknown = parse_evolution_webhook(R"({"event":"presence.update","data":{"id":"x"}})");
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->statuses.empty() && unknown->inbound.empty() && !unknown->connection && !unknown->qrcode);
}

RC_GTEST_PROP(EvolutionWebhook, ArbitraryBytesNeverCrashAndErrorsCarryNothing, (const std::string& body)) {
  auto hook = parse_evolution_webhook(body);
  if (!hook) RC_ASSERT(hook.error().kind == ErrorKind::invalid_argument);
  auto cloud_hook = parse_cloud_api_webhook(body);
  if (!cloud_hook) RC_ASSERT(cloud_hook.error().kind == ErrorKind::invalid_argument);
}

RC_GTEST_PROP(EvolutionWebhook, StatusesSurviveAnyOrderOfFields, (bool delivered)) {
  const std::string hex = "0123456789ABCDEF";
  const auto key_id = *rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::elementOf(hex)));
  const std::string status = delivered ? "DELIVERY_ACK" : "READ";
  auto hook = parse_evolution_webhook(R"({"data":{"status":")" + status + R"(","fromMe":true,"keyId":")" + key_id +
                                      R"("},"event":"messages.update"})");
  RC_ASSERT(bool(hook));
  RC_ASSERT(hook->statuses.size() == 1u);
  RC_ASSERT(hook->statuses[0].key_id == key_id);
  RC_ASSERT(hook->statuses[0].status == std::string(delivered ? "delivered" : "read"));
}

}  // namespace
}  // namespace disparo::dispatch
