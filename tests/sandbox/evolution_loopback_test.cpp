// The Evolution API side of the simulator over real loopback HTTP: send routes with `apikey`,
// the stored message answered with 201, exists:false, the `delay` timer, /webhook/set with custom
// headers, the webhook envelope, send.message then messages.update SERVER_ACK -> DELIVERY_ACK ->
// READ, connection.update / qrcode.updated, and sends failing while an instance is closed.
#include "tests/sandbox/sandbox_fixture.hpp"

#include <asio/detached.hpp>

namespace disparo::sandbox::test {
namespace {

using EvolutionLoopback = SandboxFixture;

constexpr const char* kInstance = "loja-centro";

std::string text_body(std::string_view number = "5511987654321", std::string_view extra = "") {
  return R"({"number":")" + std::string(number) + R"(","text":"Sua fatura vence amanhã")" +
         std::string(extra) + "}";
}

// The Evolution envelope around `data`, for an event posted for kInstance.
void expect_envelope(const JsonProbe& j, std::string_view event, std::string_view destination) {
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.str("/event"), event);
  EXPECT_EQ(j.str("/instance"), kInstance);
  EXPECT_TRUE(j.has("/data"));
  EXPECT_EQ(j.str("/destination"), destination);
  const std::string when = j.str("/date_time").value_or("");
  EXPECT_EQ(when.size(), 24u) << when;  // 2026-11-22T21:00:00.123Z
  EXPECT_TRUE(when.ends_with("Z")) << when;
  EXPECT_EQ(j.str("/sender"), "5511900000000@s.whatsapp.net");
  EXPECT_EQ(j.str("/server_url"), "http://sandbox.test");
  EXPECT_EQ(j.str("/apikey"), kEvolutionKey);
}

TEST_F(EvolutionLoopback, SendTextAnswers201WithTheStoredMessageAndPostsItsStatuses) {
  start();
  std::string key_id;
  const std::string hook = "/hooks/evolution/session-1";
  run([&]() -> asio::awaitable<void> {
    const std::string set_body = R"({"webhook":{"enabled":true,"url":")" + receiver_base() + hook +
                                 R"(","headers":{"X-Disparo-Webhook-Secret":"s3cr3t"},"byEvents":false,"base64":false,"events":["SEND_MESSAGE","MESSAGES_UPDATE"]}})";
    const http::Response set =
        co_await evolution_call("POST", std::string("/webhook/set/") + kInstance, set_body);
    EXPECT_EQ(set.status, 201) << set.body;
    const JsonProbe s(set.body);
    EXPECT_EQ(s.str("/url"), receiver_base() + hook);
    EXPECT_EQ(s.str("/headers/X-Disparo-Webhook-Secret"), "s3cr3t");
    EXPECT_EQ(s.boolean("/enabled"), true);
    const http::Response found =
        co_await evolution_call("GET", std::string("/webhook/find/") + kInstance);
    EXPECT_EQ(found.status, 200);
    EXPECT_EQ(JsonProbe(found.body).str("/url"), receiver_base() + hook);

    const http::Response r = co_await evolution("sendText", kInstance, text_body());
    EXPECT_EQ(r.status, 201) << r.body;
    const JsonProbe j(r.body);
    key_id = j.str("/key/id").value_or("");
    EXPECT_EQ(j.str("/key/remoteJid"), "5511987654321@s.whatsapp.net");
    EXPECT_EQ(j.boolean("/key/fromMe"), true);
    EXPECT_EQ(j.str("/status"), "PENDING");
    EXPECT_EQ(j.str("/message/conversation"), "Sua fatura vence amanhã");
    EXPECT_EQ(j.str("/messageType"), "conversation");
    EXPECT_TRUE(j.num("/messageTimestamp").has_value()) << "a number in v2";
    EXPECT_EQ(j.str("/instanceId").value_or("").size(), 36u);
    EXPECT_TRUE(j.has("/pushName"));
    EXPECT_TRUE(j.has("/contextInfo"));
    EXPECT_TRUE(j.str("/source").has_value());
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.at(hook).size() >= 4; }));
    co_await settle();
    const JsonProbe requests((co_await call("GET", "/_sandbox/requests")).body);
    const std::string last = "/requests/" + std::to_string(requests.size("/requests") - 1);
    EXPECT_EQ(requests.str(last + "/provider"), "evolution");
    EXPECT_EQ(requests.str(last + "/path"), std::string("/message/sendText/") + kInstance);
    EXPECT_EQ(requests.num(last + "/status"), 201);
    EXPECT_EQ(requests.str(last + "/wamid"), key_id);
    const JsonProbe hooks((co_await call("GET", "/_sandbox/webhooks")).body);
    EXPECT_EQ(hooks.size("/webhooks"), 4u);
    std::size_t send_message = 0;
    for (std::size_t i = 0; i < hooks.size("/webhooks"); ++i) {
      const std::string h = "/webhooks/" + std::to_string(i);
      EXPECT_EQ(hooks.str(h + "/provider"), "evolution");
      EXPECT_EQ(hooks.str(h + "/headers/x-disparo-webhook-secret"), "s3cr3t");
      if (hooks.str(h + "/event") == "send.message") ++send_message;
    }
    EXPECT_EQ(send_message, 1u);
  });
  EXPECT_TRUE(key_id.starts_with("3EB0")) << key_id;
  EXPECT_EQ(key_id.size(), 22u);
  const auto posts = receiver_.at(hook);
  ASSERT_EQ(posts.size(), 4u);
  const char* expected[] = {"SERVER_ACK", "DELIVERY_ACK", "READ"};
  for (std::size_t i = 0; i < posts.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(posts[i].header("X-Disparo-Webhook-Secret"), "s3cr3t") << "custom headers are sent";
    EXPECT_EQ(posts[i].header("Content-Type"), "application/json");
    EXPECT_FALSE(posts[i].header("X-Hub-Signature-256").has_value()) << "Evolution signs nothing";
    const JsonProbe j(posts[i].body);
    if (i == 0) {
      expect_envelope(j, "send.message", receiver_base() + hook);
      EXPECT_EQ(j.str("/data/key/id"), key_id);
      EXPECT_EQ(j.str("/data/status"), "PENDING");
      continue;
    }
    expect_envelope(j, "messages.update", receiver_base() + hook);
    EXPECT_EQ(j.str("/data/keyId"), key_id);
    EXPECT_EQ(j.str("/data/remoteJid"), "5511987654321@s.whatsapp.net");
    EXPECT_EQ(j.boolean("/data/fromMe"), true);
    EXPECT_EQ(j.str("/data/status"), expected[i - 1]);
    EXPECT_EQ(j.str("/data/instanceId").value_or("").size(), 36u);
  }
  // Recorded with the provider named.
  ASSERT_FALSE(recorder_.requests().empty());
  EXPECT_EQ(recorder_.requests().back().provider, "evolution");
  EXPECT_EQ(recorder_.requests().back().wamid, key_id);
  EXPECT_EQ(recorder_.webhooks().back().provider, "evolution");
  EXPECT_EQ(recorder_.webhooks().back().event, "messages.update");
}

TEST_F(EvolutionLoopback, DefaultWebhookUrlNamesTheInstanceAndEventsFilter) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await evolution("sendText", "loja-sul", text_body())).status, 201);
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.at("/evolution/loja-sul").size() >= 4; }));
    // Only MESSAGES_UPDATE, and byEvents adds the event to the path.
    const std::string set_body = R"({"webhook":{"enabled":true,"url":")" + receiver_base() +
                                 R"(/by","byEvents":true,"events":["MESSAGES_UPDATE"]}})";
    EXPECT_EQ((co_await evolution_call("POST", "/webhook/set/loja-norte", set_body)).status, 201);
    EXPECT_EQ((co_await evolution("sendText", "loja-norte", text_body())).status, 201);
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.at("/by/messages-update").size() >= 3; }));
    co_await settle();
  });
  EXPECT_EQ(receiver_.at("/evolution/loja-sul").size(), 4u);
  EXPECT_EQ(receiver_.at("/by/messages-update").size(), 3u);
  EXPECT_TRUE(receiver_.at("/by/send-message").empty());
}

TEST_F(EvolutionLoopback, ApikeyIsRequired) {
  start();
  run([&]() -> asio::awaitable<void> {
    for (const char* key : {"", "wrong-key"}) {
      const http::Response r = co_await evolution_with_key("sendText", kInstance, text_body(), key);
      EXPECT_EQ(r.status, 401);
      const JsonProbe j(r.body);
      EXPECT_EQ(j.num("/status"), 401);
      EXPECT_EQ(j.str("/error"), "Unauthorized");
      EXPECT_EQ(j.str("/response/message"), "Unauthorized");
    }
    const http::Response unknown = co_await evolution("sendTelegram", kInstance, text_body());
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(JsonProbe(unknown.body).str("/response/message/0"),
              std::string("Cannot POST /message/sendTelegram/") + kInstance);
    co_await settle();
  });
  EXPECT_TRUE(receiver_.posts.empty());
}

TEST_F(EvolutionLoopback, UnknownNumberIs400ExistsFalse) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"unknown_numbers": ["+5511999990002"]})")).status, 200);
    const http::Response r = co_await evolution("sendText", kInstance, text_body("5511999990002"));
    EXPECT_EQ(r.status, 400);
    const JsonProbe j(r.body);
    EXPECT_EQ(j.num("/status"), 400);
    EXPECT_EQ(j.str("/error"), "Bad Request");
    EXPECT_EQ(j.str("/response/message/0/jid"), "5511999990002@s.whatsapp.net");
    EXPECT_EQ(j.boolean("/response/message/0/exists"), false);
    EXPECT_EQ(j.str("/response/message/0/number"), "5511999990002");
    co_await settle();
  });
  EXPECT_TRUE(receiver_.posts.empty());
}

TEST_F(EvolutionLoopback, InvalidBodiesAre400InEvolutionsEnvelope) {
  start();
  run([&]() -> asio::awaitable<void> {
    const http::Response r = co_await evolution("sendText", kInstance, R"({"number":"5511987654321"})");
    EXPECT_EQ(r.status, 400);
    const JsonProbe j(r.body);
    EXPECT_EQ(j.str("/error"), "Bad Request");
    EXPECT_EQ(j.str("/response/message/0"), "instance requires property \"text\"");
    const http::Response buttons = co_await evolution(
        "sendButtons", kInstance,
        R"({"number":"5511987654321","title":"t","description":"d","buttons":[{"type":"reply","displayText":"a","id":"1"},{"type":"reply","displayText":"b","id":"2"},{"type":"reply","displayText":"c","id":"3"},{"type":"reply","displayText":"d","id":"4"}]})");
    EXPECT_EQ(buttons.status, 400);
    EXPECT_EQ(JsonProbe(buttons.body).str("/response/message/0"), "Maximum of 3 reply buttons allowed");
  });
}

TEST_F(EvolutionLoopback, DelayHoldsTheAnswerOnATimer) {
  start();
  run([&]() -> asio::awaitable<void> {
    const auto started = std::chrono::steady_clock::now();
    bool slow_done = false;
    auto slow = [&]() -> asio::awaitable<void> {
      const http::Response r =
          co_await evolution("sendText", kInstance, text_body("5511987654321", R"(,"delay":500)"));
      EXPECT_EQ(r.status, 201);
      EXPECT_GE(std::chrono::steady_clock::now() - started, 500ms);
      slow_done = true;
    };
    auto slow_task = slow();
    asio::co_spawn(io_, std::move(slow_task), asio::detached);
    const http::Response fast = co_await evolution("sendText", kInstance, text_body("5511987654322"));
    EXPECT_EQ(fast.status, 201);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 400ms) << "the delay blocked another send";
    EXPECT_FALSE(slow_done);
    EXPECT_TRUE(co_await wait_until([&] { return slow_done; }));
  });
}

TEST_F(EvolutionLoopback, OtherSendRoutesStoreTheirMessageTypes) {
  start();
  run([&]() -> asio::awaitable<void> {
    const http::Response media = co_await evolution(
        "sendMedia", kInstance,
        R"({"number":"5511987654321","mediatype":"document","media":"https://x.test/boleto.pdf","fileName":"boleto.pdf","caption":"Seu boleto"})");
    EXPECT_EQ(media.status, 201) << media.body;
    EXPECT_EQ(JsonProbe(media.body).str("/messageType"), "documentMessage");
    EXPECT_EQ(JsonProbe(media.body).str("/message/documentMessage/fileName"), "boleto.pdf");
    const http::Response audio = co_await evolution(
        "sendWhatsAppAudio", kInstance, R"({"number":"5511987654321","audio":"https://x.test/a.ogg"})");
    EXPECT_EQ(audio.status, 201);
    EXPECT_EQ(JsonProbe(audio.body).boolean("/message/audioMessage/ptt"), true);
    const http::Response contact = co_await evolution(
        "sendContact", kInstance,
        R"({"number":"5511987654321","contact":[{"fullName":"Loja Centro","phoneNumber":"5511955554444"}]})");
    EXPECT_EQ(contact.status, 201);
    EXPECT_EQ(JsonProbe(contact.body).str("/messageType"), "contactMessage");
    const http::Response buttons = co_await evolution(
        "sendButtons", kInstance,
        R"({"number":"5511987654321","title":"Fatura","description":"Pagar agora?","footer":"Loja","buttons":[{"type":"reply","displayText":"Sim","id":"sim"}]})");
    EXPECT_EQ(buttons.status, 201) << buttons.body;
  });
}

TEST_F(EvolutionLoopback, ClosedInstanceFailsSendsUntilItOpensAgain) {
  start();
  const std::string hook = std::string("/evolution/") + kInstance;
  run([&]() -> asio::awaitable<void> {
    const http::Response closed = co_await call(
        "POST", "/_sandbox/evolution/connection",
        std::string(R"({"instance":")") + kInstance + R"(","state":"close","status_reason":401})");
    EXPECT_EQ(closed.status, 200) << closed.body;
    const http::Response refused = co_await evolution("sendText", kInstance, text_body());
    EXPECT_EQ(refused.status, 500);
    const JsonProbe j(refused.body);
    EXPECT_EQ(j.num("/status"), 500);
    EXPECT_EQ(j.str("/error"), "Internal Server Error");
    EXPECT_EQ(j.str("/response/message/0"), "Error: Connection Closed");
    const http::Response state =
        co_await evolution_call("GET", std::string("/instance/connectionState/") + kInstance);
    EXPECT_EQ(JsonProbe(state.body).str("/instance/state"), "close");
    EXPECT_EQ((co_await evolution("sendText", "other-instance", text_body())).status, 201);

    const http::Response qr = co_await call("POST", "/_sandbox/evolution/qrcode",
                                            std::string(R"({"instance":")") + kInstance + R"("})");
    EXPECT_EQ(qr.status, 200);
    EXPECT_EQ((co_await call("POST", "/_sandbox/evolution/connection",
                             std::string(R"({"instance":")") + kInstance + R"(","state":"open"})"))
                  .status,
              200);
    EXPECT_EQ((co_await evolution("sendText", kInstance, text_body())).status, 201);
    const http::Response bad = co_await call("POST", "/_sandbox/evolution/connection",
                                             R"({"instance":"x","state":"sleepy"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(JsonProbe(bad.body).str("/errors/0/field"), "state");
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.at(hook).size() >= 7; }));
    co_await settle();
  });
  const auto posts = receiver_.at(hook);
  ASSERT_GE(posts.size(), 3u);
  const JsonProbe close(posts[0].body);
  expect_envelope(close, "connection.update", receiver_base() + hook);
  EXPECT_EQ(close.str("/data/instance"), kInstance);
  EXPECT_EQ(close.str("/data/state"), "close");
  EXPECT_EQ(close.num("/data/statusReason"), 401);
  const JsonProbe qr(posts[1].body);
  expect_envelope(qr, "qrcode.updated", receiver_base() + hook);
  EXPECT_EQ(qr.str("/data/qrcode/instance"), kInstance);
  EXPECT_EQ(qr.str("/data/qrcode/pairingCode").value_or("").size(), 8u);
  EXPECT_TRUE(qr.str("/data/qrcode/code").value_or("").starts_with("2@"));
  EXPECT_TRUE(qr.str("/data/qrcode/base64").value_or("").starts_with("data:image/png;base64,"));
  const JsonProbe open(posts[2].body);
  EXPECT_EQ(open.str("/event"), "connection.update");
  EXPECT_EQ(open.str("/data/state"), "open");
  EXPECT_EQ(open.num("/data/statusReason"), 200);
  EXPECT_EQ(open.str("/data/wuid"), "5511900000000@s.whatsapp.net");
}

TEST_F(EvolutionLoopback, InboundIsMessagesUpsertAndNinthDigitDropsFromTheJid) {
  start();
  const std::string hook = std::string("/evolution/") + kInstance;
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"wa_id_without_ninth_digit": ["+5531987654321"]})")).status,
              200);
    const http::Response r = co_await evolution("sendText", kInstance, text_body("5531987654321"));
    EXPECT_EQ(JsonProbe(r.body).str("/key/remoteJid"), "553187654321@s.whatsapp.net");
    const http::Response in = co_await call(
        "POST", "/_sandbox/inbound",
        std::string(R"({"instance":")") + kInstance + R"(","from":"+5531987654321","text":"SAIR"})");
    EXPECT_EQ(in.status, 200) << in.body;
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.at(hook).size() >= 5; }));
    co_await settle();
  });
  const auto posts = receiver_.at(hook);
  auto it = std::find_if(posts.begin(), posts.end(), [](const http::Request& p) {
    return JsonProbe(p.body).str("/event") == "messages.upsert";
  });
  ASSERT_NE(it, posts.end());
  const JsonProbe j(it->body);
  expect_envelope(j, "messages.upsert", receiver_base() + hook);
  EXPECT_EQ(j.str("/data/key/remoteJid"), "553187654321@s.whatsapp.net");
  EXPECT_EQ(j.boolean("/data/key/fromMe"), false);
  EXPECT_EQ(j.str("/data/message/conversation"), "SAIR");
  EXPECT_EQ(j.str("/data/messageType"), "conversation");
  for (const auto& p : posts) {
    const JsonProbe u(p.body);
    if (u.str("/event") == "messages.update") {
      EXPECT_EQ(u.str("/data/remoteJid"), "553187654321@s.whatsapp.net");
    }
  }
}

TEST_F(EvolutionLoopback, FaultsApplyToEvolutionSends) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"http_5xx_ratio": 1})")).status, 200);
    const http::Response r = co_await evolution("sendText", kInstance, text_body());
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(JsonProbe(r.body).str("/error"), "Internal Server Error");
    EXPECT_EQ((co_await put_behaviour(R"({"throughput_per_second": 1})")).status, 200);
    EXPECT_EQ((co_await evolution("sendText", kInstance, text_body())).status, 201);
    const http::Response over = co_await evolution("sendText", kInstance, text_body());
    EXPECT_EQ(over.status, 500);
    EXPECT_EQ(JsonProbe(over.body).str("/response/message/0"), "Error: rate-overlimit");
  });
}

}  // namespace
}  // namespace disparo::sandbox::test
