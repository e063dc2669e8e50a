// End to end through the sandbox, both providers (issue 4): a template with components and media
// sent through a Cloud API session; the 24-hour window refusal and its opening by an inbound
// message; opt-out suppression (SAIR) and opt-in (VOLTAR); a template paused by a status webhook
// refused at acceptance; a number whose wa_id lacks the ninth digit; signature and secret
// rejection; an Evolution session sending text and media, paused by connection.update close,
// resumed by open, and its QR code served.
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/e2e/e2e_environment.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::test {
namespace {

using namespace std::chrono_literals;

// The demo session speaks the Cloud API wire format to the sandbox; as provider "cloud_api"
// the acceptance rules of Cloud API sessions apply (window, templates of WABA 100000000000000).
constexpr const char* kCloudSession =
    "UPDATE whatsapp_sessions SET provider = 'cloud_api', waba_id = '100000000000000', min_interval_ms = 0, "
    "jitter_ms = 0, burst = 10, daily_cap = 1000 WHERE name = 'principal';";

http::Response post(E2eEnvironment& env, const std::string& body) {
  return http_post_json(env.dispatcher_port(), "/v1/messages", body, env.api_key());
}

http::Response sandbox_post(E2eEnvironment& env, const std::string& target, const std::string& body) {
  auto response = http_post_json(env.sandbox_port(), target, body);
  if (response.status >= 300) throw std::runtime_error(target + ": " + std::to_string(response.status) + " " + response.body);
  return response;
}

std::string field(const std::string& json, const char* pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
  std::string_view value;
  if (root.at_pointer(pointer).get(value) != simdjson::SUCCESS) return "<missing " + std::string(pointer) + ">";
  return std::string(value);
}

std::string status_of(E2eEnvironment& env, const std::string& id) {
  return field(http_get(env.dispatcher_port(), "/v1/messages/" + id, env.api_key()).body, "/status");
}

bool reaches(E2eEnvironment& env, const std::string& id, std::initializer_list<const char*> statuses,
             std::chrono::milliseconds timeout = 15s) {
  return eventually([&] {
    const auto status = status_of(env, id);
    for (const char* s : statuses) if (status == s) return true;
    return false;
  }, timeout);
}

bool sandbox_saw(E2eEnvironment& env, const std::string& needle) {
  const auto response = http_get(env.sandbox_port(), "/_sandbox/requests");
  return response.body.find(needle) != std::string::npos;
}

void set_behaviour(E2eEnvironment& env, const std::string& document) {
  http::Request request;
  request.method = "PUT";
  request.target = "/_sandbox/behaviour";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = document;
  const auto response = http_call(env.sandbox_port(), std::move(request));
  if (response.status != 200) throw std::runtime_error("behaviour: " + response.body);
}

TEST(ProvidersE2e, CloudApiTemplateWindowOptOutAndTemplateStatus) {
  E2eEnvironment env(kCloudSession);

  // A template with a document header, positional body and URL-button suffix goes out whole.
  auto sent = post(env, R"({"to":"+5511987650010","priority":"transactional","template":{"name":"lembrete_fatura",
      "language":"pt_BR","params":["Maria","R$ 89,90"],"header":{"type":"document","url":"https://example.com/b.pdf",
      "filename":"boleto.pdf"},"buttons":[{"type":"url","index":0,"text":"abc123"}]}})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const auto template_id = field(sent.body, "/id");
  EXPECT_TRUE(reaches(env, template_id, {"delivered", "read"})) << status_of(env, template_id) << env.logs();
  EXPECT_TRUE(sandbox_saw(env, "boleto.pdf"));
  EXPECT_TRUE(sandbox_saw(env, "abc123"));

  // Free-form outside the window: refused at acceptance, nothing sent.
  auto outside = post(env, R"({"to":"+5511987650011","text":"Olá"})");
  ASSERT_EQ(outside.status, 422) << outside.body;
  EXPECT_EQ(field(outside.body, "/errors/0/field"), "to");
  EXPECT_NE(outside.body.find("24-hour"), std::string::npos);

  // The person writes to us: the window opens (the webhook is applied after the 200).
  sandbox_post(env, "/_sandbox/inbound", R"({"phone_number_id":")" + env.phone_number_id() +
                                            R"(","from":"+5511987650011","text":"oi, quero a fatura"})");
  std::string inside_id;
  ASSERT_TRUE(eventually([&] {
    auto inside = post(env, R"({"to":"+5511987650011","text":"Aqui está","priority":"transactional"})");
    if (inside.status == 202) inside_id = field(inside.body, "/id");
    return inside.status == 202;
  }, 10s)) << env.logs();
  EXPECT_TRUE(reaches(env, inside_id, {"delivered", "read"})) << env.logs();

  // Media inside the window: an image by link with its caption, as the Cloud API body wants it.
  auto image = post(env, R"({"to":"+5511987650011","priority":"transactional",)"
                         R"("media":{"type":"image","url":"https://example.com/qr-pix.png","caption":"QR do Pix"}})");
  ASSERT_EQ(image.status, 202) << image.body;
  EXPECT_TRUE(reaches(env, field(image.body, "/id"), {"delivered", "read"})) << env.logs();
  EXPECT_TRUE(sandbox_saw(env, "qr-pix.png"));
  EXPECT_TRUE(sandbox_saw(env, "QR do Pix"));

  // SAIR: marketing to that person is suppressed (accepted and cancelled), transactional is not.
  sandbox_post(env, "/_sandbox/inbound", R"({"phone_number_id":")" + env.phone_number_id() +
                                            R"(","from":"+5511987650011","text":"Sair!"})");
  ASSERT_TRUE(eventually([&] {
    auto promo = post(env, R"({"to":"+5511987650011","text":"Promoção!","priority":"marketing"})");
    return promo.status == 202 && field(promo.body, "/status") == "cancelled";
  }, 10s)) << env.logs();
  auto transactional = post(env, R"({"to":"+5511987650011","text":"Pagamento confirmado","priority":"transactional"})");
  ASSERT_EQ(transactional.status, 202);
  EXPECT_EQ(field(transactional.body, "/status"), "queued");
  // VOLTAR opts back in.
  sandbox_post(env, "/_sandbox/inbound", R"({"phone_number_id":")" + env.phone_number_id() +
                                            R"(","from":"+5511987650011","text":"voltar"})");
  EXPECT_TRUE(eventually([&] {
    auto promo = post(env, R"({"to":"+5511987650011","text":"Promoção!","priority":"marketing"})");
    return promo.status == 202 && field(promo.body, "/status") == "queued";
  }, 10s)) << env.logs();

  // Meta pauses the template: sends of it are refused at acceptance.
  sandbox_post(env, "/_sandbox/cloud_api/template_status", R"({"name":"lembrete_fatura","language":"pt_BR","status":"PAUSED"})");
  EXPECT_TRUE(eventually([&] {
    auto paused = post(env, R"({"to":"+5511987650010","template":{"name":"lembrete_fatura","language":"pt_BR","params":["a","b"]}})");
    return paused.status == 422 && field(paused.body, "/errors/0/field") == "template.name";
  }, 10s)) << env.logs();

  // Quality and tier land on the session.
  sandbox_post(env, "/_sandbox/cloud_api/quality", R"({"phone_number_id":")" + env.phone_number_id() +
                                                      R"(","quality":"YELLOW","tier":"TIER_1K"})");
  EXPECT_TRUE(eventually([&] {
    auto conn = env.database().connect();
    auto rows = conn.exec("SELECT COALESCE(quality_rating, '') || ' ' || COALESCE(messaging_tier, '') FROM whatsapp_sessions WHERE name = 'principal'");
    return rows && rows->size() == 1 && rows->text(0, 0) == "YELLOW TIER_1K";
  }, 10s)) << env.logs();
}

TEST(ProvidersE2e, NinthDigitAndSignatures) {
  E2eEnvironment env(kCloudSession);
  set_behaviour(env, R"({"wa_id_without_ninth_digit":["+5511987650020"]})");
  // The inbound message comes from "551187650020" (no 9): it still opens the window of +55 11 98765-0020.
  sandbox_post(env, "/_sandbox/inbound", R"({"phone_number_id":")" + env.phone_number_id() +
                                            R"(","from":"+5511987650020","text":"oi"})");
  std::string id;
  ASSERT_TRUE(eventually([&] {
    auto accepted = post(env, R"({"to":"(11) 98765-0020","text":"Olá","priority":"transactional"})");
    if (accepted.status == 202) id = field(accepted.body, "/id");
    return accepted.status == 202;
  }, 10s)) << env.logs();
  EXPECT_TRUE(reaches(env, id, {"delivered", "read"})) << env.logs();
  auto conn = env.database().connect();
  auto rows = conn.exec("SELECT recipient, COALESCE(wa_id, '') FROM messages WHERE id = $1", {id});
  ASSERT_TRUE(rows && rows->size() == 1);
  EXPECT_EQ(rows->text(0, 0), "+5511987650020");  // canonical, with the ninth digit
  EXPECT_EQ(rows->text(0, 1), "551187650020");    // the provider's, kept as returned

  // Signatures: a wrong X-Hub-Signature-256 and a wrong Evolution secret are refused.
  http::Request bad;
  bad.method = "POST";
  bad.target = "/webhooks/cloud_api";
  bad.headers = {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", "sha256=00"}};
  bad.body = R"({"object":"whatsapp_business_account","entry":[]})";
  EXPECT_EQ(http_call(env.dispatcher_port(), bad).status, 401);
  http::Request bad_evolution;
  bad_evolution.method = "POST";
  bad_evolution.target = "/webhooks/evolution/1";
  bad_evolution.headers = {{"Content-Type", "application/json"}, {"X-Disparo-Webhook-Secret", "nope"}};
  bad_evolution.body = R"({"event":"connection.update","data":{"state":"close"}})";
  EXPECT_EQ(http_call(env.dispatcher_port(), bad_evolution).status, 401);
  const auto metrics = http_get(env.dispatcher_port(), "/metrics").body;
  EXPECT_NE(metrics.find(R"(disparo_webhook_signature_failures_total{provider="cloud_api"} 1)"), std::string::npos);
  EXPECT_NE(metrics.find(R"(disparo_webhook_signature_failures_total{provider="evolution"} 1)"), std::string::npos);
}

TEST(ProvidersE2e, EvolutionSendsPausesOnCloseResumesOnOpenAndServesTheQrCode) {
  E2eEnvironment env(kCloudSession);
  const std::string sandbox_root = "http://127.0.0.1:" + std::to_string(env.sandbox_port());
  std::string session;
  {
    auto conn = env.database().connect();
    auto rows = conn.exec(
        "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, instance_name, access_token, webhook_secret, "
        "min_interval_ms, jitter_ms, burst, daily_cap) "
        "SELECT tenant_id, 'evolution', 'evolution', $1, 'loja', $2, 'evo-secret', 0, 0, 10, 1000 FROM whatsapp_sessions "
        "WHERE name = 'principal' RETURNING id",
        {sandbox_root, env.evolution_api_key()});
    ASSERT_TRUE(rows && rows->size() == 1) << (rows ? "" : rows.error().message);
    session = std::string(rows->text(0, 0));
  }
  // Evolution's own route points the instance's webhooks at the dispatcher, with the secret header.
  http::Request set;
  set.method = "POST";
  set.target = "/webhook/set/loja";
  set.headers = {{"Content-Type", "application/json"}, {"apikey", env.evolution_api_key()}};
  set.body = R"({"webhook":{"enabled":true,"url":"http://127.0.0.1:)" + std::to_string(env.dispatcher_port()) +
             "/webhooks/evolution/" + session + R"(","headers":{"X-Disparo-Webhook-Secret":"evo-secret"}}})";
  const auto configured = http_call(env.sandbox_port(), std::move(set));
  ASSERT_LT(configured.status, 300) << configured.body;

  auto text = post(env, R"({"to":"+5511987650030","session":")" + session + R"(","text":"Olá pelo Evolution"})");
  ASSERT_EQ(text.status, 202) << text.body;
  const auto text_id = field(text.body, "/id");
  EXPECT_TRUE(reaches(env, text_id, {"delivered", "read"})) << status_of(env, text_id) << env.logs();
  auto media = post(env, R"({"to":"+5511987650031","session":")" + session +
                             R"(","media":{"type":"document","url":"https://example.com/b.pdf","caption":"Boleto","filename":"b.pdf"}})");
  ASSERT_EQ(media.status, 202) << media.body;
  EXPECT_TRUE(reaches(env, field(media.body, "/id"), {"sent", "delivered", "read"})) << env.logs();
  EXPECT_TRUE(sandbox_saw(env, "/message/sendMedia/loja"));

  const auto state = [&] {
    return field(http_get(env.dispatcher_port(), "/v1/sessions/" + session + "/state", env.api_key()).body, "/state");
  };
  sandbox_post(env, "/_sandbox/evolution/connection", R"({"instance":"loja","state":"close","status_reason":401})");
  EXPECT_TRUE(eventually([&] { return state() == "paused"; }, 10s)) << env.logs();
  EXPECT_NE(http_get(env.dispatcher_port(), "/v1/sessions/" + session + "/state", env.api_key()).body.find("evolution: connection close"),
            std::string::npos);
  sandbox_post(env, "/_sandbox/evolution/connection", R"({"instance":"loja","state":"open"})");
  EXPECT_TRUE(eventually([&] { return state() == "active"; }, 10s)) << env.logs();

  sandbox_post(env, "/_sandbox/evolution/qrcode", R"({"instance":"loja"})");
  EXPECT_TRUE(eventually([&] {
    auto qr = http_get(env.dispatcher_port(), "/v1/sessions/" + session + "/qrcode", env.api_key());
    return qr.status == 200 && field(qr.body, "/pairing_code").size() > 0 && field(qr.body, "/pairing_code")[0] != '<';
  }, 10s)) << env.logs();
  // A template through an Evolution session is refused at acceptance.
  auto evo_template = post(env, R"({"to":"+5511987650030","session":")" + session + R"(","template":{"name":"t","language":"pt_BR"}})");
  EXPECT_EQ(evo_template.status, 422);
}

}  // namespace
}  // namespace disparo::test
