// parse_cloud_api_webhook on Meta-shaped status notifications (reference/whatsapp-providers.md
// §1.12): every status kind, several entries and changes, large batches, unknown fields,
// changes that are not statuses, invalid bodies, and arbitrary bytes.
#include "dispatcher/cloud_api_webhook.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <simdjson.h>

#include <string>

#include "common/json_writer.hpp"

namespace disparo::dispatch {
namespace {

// One status object as Meta writes it; `extra` is spliced in before the closing brace.
std::string status_json(const std::string& wamid, const std::string& status, const std::string& timestamp,
                        const std::string& callback = "", const std::string& extra = "") {
  std::string out = R"({"id":")" + wamid + R"(","status":")" + status + R"(","timestamp":")" + timestamp +
                    R"(","recipient_id":"5511987654321")";
  if (!callback.empty()) out += R"(,"biz_opaque_callback_data":")" + callback + "\"";
  out += extra + "}";
  return out;
}

std::string change_json(const std::string& phone_number_id, const std::string& statuses) {
  return R"({"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5511999990000","phone_number_id":")" +
         phone_number_id + R"("},"statuses":[)" + statuses + "]}}";
}

std::string envelope(const std::string& entries) {
  return R"({"object":"whatsapp_business_account","entry":[)" + entries + "]}";
}

std::string entry_json(const std::string& changes) {
  return R"({"id":"102290129340398","changes":[)" + changes + "]}";
}

CloudApiWebhook parse_ok(const std::string& body) {
  auto parsed = parse_cloud_api_webhook(body);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? std::move(*parsed) : CloudApiWebhook{};
}

TEST(CloudApiWebhook, SentWithPricingAndConversation) {
  const auto body = envelope(entry_json(change_json(
      "106540352242922",
      status_json("wamid.HBgLNTUxMTk4NzY1NDMyMRUCABEYEjQ2", "sent", "1751142888", "42",
                  R"(,"conversation":{"id":"c1","expiration_timestamp":"1751229288","origin":{"type":"utility"}},"pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"utility"})"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  const auto& r = hook.statuses[0];
  EXPECT_EQ(r.phone_number_id, "106540352242922");
  EXPECT_EQ(r.provider_message_id, "wamid.HBgLNTUxMTk4NzY1NDMyMRUCABEYEjQ2");
  EXPECT_EQ(r.status, "sent");
  EXPECT_EQ(r.timestamp, 1751142888);
  EXPECT_EQ(r.recipient_id, "5511987654321");
  EXPECT_EQ(r.callback_data, "42");
  EXPECT_EQ(r.error_code, "");
  EXPECT_EQ(r.error_detail, "");
  EXPECT_EQ(hook.other_changes, 0u);
}

TEST(CloudApiWebhook, DeliveredReadAndPlayed) {
  const auto body = envelope(entry_json(change_json(
      "PNID", status_json("wamid.1", "delivered", "1751142890") + "," + status_json("wamid.1", "read", "1751142999") +
                  "," + status_json("wamid.2", "played", "1751143000"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 3u);
  EXPECT_EQ(hook.statuses[0].status, "delivered");
  EXPECT_EQ(hook.statuses[0].timestamp, 1751142890);
  EXPECT_EQ(hook.statuses[0].callback_data, "");  // only present when we sent it
  EXPECT_EQ(hook.statuses[1].status, "read");
  EXPECT_EQ(hook.statuses[1].timestamp, 1751142999);
  EXPECT_EQ(hook.statuses[2].status, "played");  // kept as is; the store ignores it
}

TEST(CloudApiWebhook, FailedCarriesTheFirstErrorCodeAndDetails) {
  const auto body = envelope(entry_json(change_json(
      "PNID", status_json("wamid.F", "failed", "1751142888", "77",
                          R"(,"errors":[{"code":131049,"title":"This message was not delivered to maintain healthy ecosystem engagement.","message":"This message was not delivered to maintain healthy ecosystem engagement.","error_data":{"details":"In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"},{"code":1,"title":"second"}])"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  EXPECT_EQ(hook.statuses[0].status, "failed");
  EXPECT_EQ(hook.statuses[0].error_code, "131049");
  EXPECT_EQ(hook.statuses[0].error_detail,
            "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.");
  EXPECT_EQ(hook.statuses[0].callback_data, "77");
}

TEST(CloudApiWebhook, FailedWithoutDetailsUsesTheTitle) {
  const auto body = envelope(entry_json(change_json(
      "PNID", status_json("wamid.F", "failed", "1", "", R"(,"errors":[{"code":131026,"title":"Message undeliverable"}])"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  EXPECT_EQ(hook.statuses[0].error_code, "131026");
  EXPECT_EQ(hook.statuses[0].error_detail, "Message undeliverable");
}

TEST(CloudApiWebhook, LongErrorDetailIsBounded) {
  const auto body = envelope(entry_json(change_json(
      "PNID", status_json("wamid.F", "failed", "1", "",
                          R"(,"errors":[{"code":131000,"error_data":{"details":")" + std::string(5000, 'd') + "\"}}]"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  EXPECT_EQ(hook.statuses[0].error_detail, std::string(500, 'd'));
}

TEST(CloudApiWebhook, LongDetailIsCutOnACharacterBoundary) {
  // Byte 500 falls inside "ç": cutting there would leave invalid UTF-8, which PostgreSQL
  // refuses, failing the whole webhook transaction (and Meta would retry it for days).
  const std::string detail = std::string(499, 'a') + "ção " + std::string(100, 'b');
  const auto body = envelope(entry_json(change_json(
      "PNID", status_json("wamid.F", "failed", "1", "",
                          R"(,"errors":[{"code":131000,"error_data":{"details":")" + detail + "\"}}]"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  const auto& got = hook.statuses[0].error_detail;
  EXPECT_LE(got.size(), 500u);
  EXPECT_TRUE(simdjson::validate_utf8(got.data(), got.size()));
  EXPECT_EQ(got, std::string(499, 'a'));
  // Every cut point of multibyte text stays valid.
  for (std::size_t pad = 490; pad < 500; ++pad) {
    const std::string text = std::string(pad, 'x') + "😀😀😀😀";
    const auto parsed = parse_ok(envelope(entry_json(change_json(
        "PNID", status_json("wamid.F", "failed", "1", "",
                            R"(,"errors":[{"code":1,"title":")" + text + "\"}]")))));
    ASSERT_EQ(parsed.statuses.size(), 1u);
    const auto& cut = parsed.statuses[0].error_detail;
    EXPECT_TRUE(simdjson::validate_utf8(cut.data(), cut.size())) << pad;
    EXPECT_LE(cut.size(), 500u);
    EXPECT_GT(cut.size(), 496u);
    EXPECT_EQ(cut, text.substr(0, cut.size()));
  }
}

TEST(CloudApiWebhook, SeveralEntriesAndChangesKeepTheirPhoneNumberIds) {
  const auto body = envelope(
      entry_json(change_json("PN-A", status_json("wamid.a1", "sent", "10") + "," + status_json("wamid.a2", "sent", "11")) +
                 "," + change_json("PN-B", status_json("wamid.b1", "delivered", "12"))) +
      "," + entry_json(change_json("PN-C", status_json("wamid.c1", "read", "13"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 4u);
  EXPECT_EQ(hook.statuses[0].phone_number_id, "PN-A");
  EXPECT_EQ(hook.statuses[0].provider_message_id, "wamid.a1");
  EXPECT_EQ(hook.statuses[1].phone_number_id, "PN-A");
  EXPECT_EQ(hook.statuses[1].provider_message_id, "wamid.a2");
  EXPECT_EQ(hook.statuses[2].phone_number_id, "PN-B");
  EXPECT_EQ(hook.statuses[2].status, "delivered");
  EXPECT_EQ(hook.statuses[3].phone_number_id, "PN-C");
  EXPECT_EQ(hook.statuses[3].timestamp, 13);
}

TEST(CloudApiWebhook, BatchOfAThousand) {
  std::string statuses;
  for (int i = 0; i < 1000; ++i) {
    if (i) statuses += ",";
    statuses += status_json("wamid." + std::to_string(i), i % 3 == 0 ? "sent" : i % 3 == 1 ? "delivered" : "read",
                            std::to_string(1751140000 + i), std::to_string(i + 1));
  }
  const auto hook = parse_ok(envelope(entry_json(change_json("PNID", statuses))));
  ASSERT_EQ(hook.statuses.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(hook.statuses[i].provider_message_id, "wamid." + std::to_string(i));
    ASSERT_EQ(hook.statuses[i].callback_data, std::to_string(i + 1));
    ASSERT_EQ(hook.statuses[i].timestamp, 1751140000 + i);
  }
}

TEST(CloudApiWebhook, ToleratesUnknownFieldsAndContactsInAStatusChange) {
  // Third parties report status changes with a "contacts" array without "profile"
  // (evolution-api#2704) and business-scoped user ids; none of it may break parsing.
  const std::string body = R"({"object":"whatsapp_business_account","future":{"x":[1,2]},"entry":[{"id":"1",
    "time":1751142888,"changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
    "metadata":{"display_phone_number":"5511999990000","phone_number_id":"PNID","extra":null},
    "contacts":[{"wa_id":"551187654321","user_id":"BR.123456"}],
    "statuses":[{"id":"wamid.X","status":"delivered","timestamp":"1751142888","recipient_id":"551187654321",
      "recipient_user_id":"BR.123456","recipient_identity_key_hash":"abc","new_field":{"deep":[{"a":1}]},
      "pricing":{"billable":false,"pricing_model":"PMP","type":"free_customer_service","category":"service"}}]}}]}]})";
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  EXPECT_EQ(hook.statuses[0].provider_message_id, "wamid.X");
  EXPECT_EQ(hook.statuses[0].recipient_id, "551187654321");
  EXPECT_EQ(hook.statuses[0].phone_number_id, "PNID");
  EXPECT_EQ(hook.other_changes, 0u);
}

TEST(CloudApiWebhook, ChangesThatAreNotStatusesAreReadOrCounted) {
  const std::string inbound = R"({"field":"messages","value":{"messaging_product":"whatsapp",
      "metadata":{"phone_number_id":"PNID"},"contacts":[{"profile":{"name":"Maria"},"wa_id":"5511987654321"}],
      "messages":[{"from":"5511987654321","id":"wamid.IN","timestamp":"1751142888","type":"text","text":{"body":"oi"}}]}})";
  const std::string template_update = R"({"field":"message_template_status_update","value":{"event":"PAUSED",
      "message_template_id":1,"message_template_name":"lembrete_fatura"}})";
  const std::string quality = R"({"field":"phone_number_quality_update","value":{"event":"FLAGGED"}})";
  const std::string no_value = R"({"field":"messages"})";
  const auto body = envelope(entry_json(inbound + "," + template_update + "," +
                                        change_json("PNID", status_json("wamid.S", "sent", "5")) + "," + quality +
                                        "," + no_value + ",17"));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  EXPECT_EQ(hook.statuses[0].provider_message_id, "wamid.S");
  // The inbound message and the quality update are read (tests/providers covers them); the
  // template update without a language, the change without value and the number are not.
  EXPECT_EQ(hook.inbound.size(), 1u);
  EXPECT_EQ(hook.quality.size(), 1u);
  EXPECT_EQ(hook.templates.size(), 0u);
  EXPECT_EQ(hook.other_changes, 3u);
}

TEST(CloudApiWebhook, StatusesMissingWhatWeNeedAreSkipped) {
  const auto body = envelope(entry_json(change_json(
      "PNID", R"({"status":"sent","timestamp":"1"},{"id":"wamid.NOSTATUS","timestamp":"1"},{"id":"","status":"sent"},)"
              R"({"id":7,"status":"sent"},"text",null,)" +
                  status_json("wamid.OK", "sent", "not-a-number"))));
  const auto hook = parse_ok(body);
  ASSERT_EQ(hook.statuses.size(), 1u);
  EXPECT_EQ(hook.statuses[0].provider_message_id, "wamid.OK");
  EXPECT_EQ(hook.statuses[0].timestamp, 0);  // unreadable: the store uses its own clock
}

TEST(CloudApiWebhook, EmptyNotificationsAreFine) {
  EXPECT_TRUE(parse_ok(envelope("")).statuses.empty());
  EXPECT_TRUE(parse_ok(envelope(entry_json(""))).statuses.empty());
  EXPECT_TRUE(parse_ok(envelope(R"({"id":"1"},7,null)")).statuses.empty());
}

TEST(CloudApiWebhook, InvalidBodiesAreRefused) {
  const std::string cases[] = {
      "",
      "not json",
      R"({"object":"whatsapp_business_account","entry":[)",
      R"([{"object":"whatsapp_business_account"}])",
      R"({"object":"page","entry":[]})",
      R"({"entry":[]})",
      R"({"object":7,"entry":[]})",
      R"({"object":"whatsapp_business_account"})",
      R"({"object":"whatsapp_business_account","entry":{}})",
      R"({"object":"whatsapp_business_account","entry":[]} {})",
  };
  for (const auto& body : cases) {
    const auto parsed = parse_cloud_api_webhook(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_argument) << body;
  }
}

RC_GTEST_PROP(CloudApiWebhookProperty, ArbitraryBytesNeverCrash, (const std::string& bytes)) {
  const auto parsed = parse_cloud_api_webhook(bytes);
  if (parsed) RC_ASSERT(bytes.find("whatsapp_business_account") != std::string::npos);
}

// Every status object in a valid notification with random fields comes out, in order; cut or
// corrupted anywhere, the same body never crashes the parser.
RC_GTEST_PROP(CloudApiWebhookProperty, GeneratedNotificationsParse, ()) {
  const auto count = *rc::gen::inRange(0, 30);
  std::string statuses;
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const auto id = "wamid." + *rc::gen::container<std::string>(rc::gen::element('A', 'b', '0', '=', '"', '\\', 'z'));
    ids.push_back(id);
    JsonWriter json;
    json.begin_object().field("id", id).field("status", *rc::gen::element<std::string>("sent", "delivered", "read", "failed"));
    json.field("timestamp", std::to_string(*rc::gen::inRange<std::int64_t>(0, 4'000'000'000)));
    if (*rc::gen::arbitrary<bool>()) json.field("biz_opaque_callback_data", std::to_string(i));
    if (*rc::gen::arbitrary<bool>()) json.key("unknown").begin_array().value(i).null().end_array();
    json.end_object();
    statuses += (i ? "," : "") + json.str();
  }
  const auto body = envelope(entry_json(change_json("PNID", statuses)));
  const auto hook = parse_cloud_api_webhook(body);
  RC_ASSERT(bool(hook));
  RC_ASSERT(hook->statuses.size() == ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) RC_ASSERT(hook->statuses[i].provider_message_id == ids[i]);

  std::string broken = body.substr(0, *rc::gen::inRange<std::size_t>(0, body.size() + 1));
  if (!broken.empty() && *rc::gen::arbitrary<bool>()) {
    broken[*rc::gen::inRange<std::size_t>(0, broken.size())] = *rc::gen::arbitrary<char>();
  }
  (void)parse_cloud_api_webhook(broken);
}

}  // namespace
}  // namespace disparo::dispatch
