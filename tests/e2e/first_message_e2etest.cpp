// End to end through real processes: the API accepts a message, the dispatcher sends it to the
// sandbox (Cloud API wire format), the sandbox's signed status webhooks bring it to "read".
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/crypto.hpp"
#include "common/prometheus_text.hpp"
#include "tests/e2e/e2e_environment.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"

namespace disparo::test {
namespace {

struct MessageView {
  std::string status;
  std::vector<std::string> event_statuses;
  std::string provider_message_id;
};

MessageView fetch_message(E2eEnvironment& env, const std::string& id) {
  const auto response = http_get(env.dispatcher_port(), "/v1/messages/" + id, env.api_key());
  if (response.status != 200) throw std::runtime_error("GET message: " + response.body);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body);
  MessageView view;
  view.status = std::string(std::string_view(root["status"]));
  if (!root["provider_message_id"].is_null()) {
    view.provider_message_id = std::string(std::string_view(root["provider_message_id"]));
  }
  for (auto event : simdjson::dom::array(root["events"])) {
    view.event_statuses.emplace_back(std::string_view(event["status"]));
  }
  return view;
}

std::string accept_text(E2eEnvironment& env, const std::string& to, const std::string& text) {
  const auto response = http_post_json(env.dispatcher_port(), "/v1/messages",
                                       R"({"to":")" + to + R"(","text":")" + text + R"("})", env.api_key());
  if (response.status != 202) throw std::runtime_error("POST /v1/messages: " + std::to_string(response.status) + " " + response.body);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body);
  return std::string(std::string_view(root["id"]));
}

http::Response post_webhook(E2eEnvironment& env, const std::string& body, const std::string& signature) {
  http::Request request;
  request.method = "POST";
  request.target = "/webhooks/cloud_api";
  request.headers = {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", signature}};
  request.body = body;
  return http_call(env.dispatcher_port(), std::move(request));
}

std::string status_webhook(const std::string& phone_number_id, const std::string& wamid,
                           const std::string& status) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5511900000000","phone_number_id":")" +
         phone_number_id + R"("},"statuses":[{"id":")" + wamid + R"(","status":")" + status +
         R"(","timestamp":"1764000000","recipient_id":"5511987654321","errors":[{"code":131026,"title":"Message undeliverable"}]}]}}]}]})";
}

TEST(FirstMessage, ReachesReadThroughSignedWebhooksWithEveryStatusInItsHistory) {
  E2eEnvironment env;
  EXPECT_EQ(http_get(env.dispatcher_port(), "/readyz").status, 200) << env.logs();

  const std::string id = accept_text(env, "(11) 98765-4321", "Olá! Sua fatura vence amanhã.");
  MessageView view;
  const bool read = eventually([&] {
    view = fetch_message(env, id);
    return view.status == "read";
  }, std::chrono::seconds(20), std::chrono::milliseconds(50));
  ASSERT_TRUE(read) << "last status " << view.status << "\n" << env.logs();
  EXPECT_EQ(view.event_statuses,
            (std::vector<std::string>{"accepted", "queued", "sending", "sent", "delivered", "read"}));
  EXPECT_TRUE(view.provider_message_id.starts_with("wamid.")) << view.provider_message_id;

  // The sandbox saw exactly one Cloud API request for it, in the real wire format.
  const auto recorded = http_get(env.sandbox_port(), "/_sandbox/requests");
  ASSERT_EQ(recorded.status, 200);
  EXPECT_NE(recorded.body.find("\\\"to\\\":\\\"+5511987654321\\\""), std::string::npos) << recorded.body;
  EXPECT_NE(recorded.body.find("biz_opaque_callback_data"), std::string::npos) << recorded.body;

  // Clean shutdown on SIGTERM.
  EXPECT_EQ(env.dispatcher().terminate(), 0) << env.logs();
}

TEST(FirstMessage, WebhookWithWrongSignatureIsRejectedAndChangesNothing) {
  E2eEnvironment env;
  const std::string id = accept_text(env, "+5511987654321", "Oi");
  MessageView view;
  ASSERT_TRUE(eventually([&] {
    view = fetch_message(env, id);
    return view.status == "read";
  }, std::chrono::seconds(20), std::chrono::milliseconds(50))) << env.logs();
  const auto before = view;

  // A forged "failed" for the same wamid, signed with the wrong secret: 401, nothing changes.
  const std::string forged = status_webhook(env.phone_number_id(), before.provider_message_id, "failed");
  const auto rejected = post_webhook(env, forged, crypto::hub_signature_256("not-the-secret", forged));
  EXPECT_EQ(rejected.status, 401);
  EXPECT_EQ(rejected.header("Content-Type").value_or(""), "application/problem+json");
  const auto missing = post_webhook(env, forged, "");
  EXPECT_EQ(missing.status, 401);
  const auto after = fetch_message(env, id);
  EXPECT_EQ(after.status, before.status);
  EXPECT_EQ(after.event_statuses, before.event_statuses);

  // The same body with the right signature is accepted but cannot regress a read message.
  const auto signed_ok = post_webhook(env, forged, crypto::hub_signature_256(env.app_secret(), forged));
  EXPECT_EQ(signed_ok.status, 200) << signed_ok.body;
  EXPECT_EQ(fetch_message(env, id).event_statuses, before.event_statuses);

  const auto metrics = http_get(env.dispatcher_port(), "/metrics");
  EXPECT_NE(metrics.body.find(R"(disparo_webhook_signature_failures_total{provider="cloud_api"} 2)"), std::string::npos);
}

// Webhooks that arrive together are applied together, in one transaction; one that cannot be
// applied (here a trigger makes closing it fail) must not hold the others back, and stays
// stored until the sweeper applies it.
TEST(FirstMessage, AWebhookThatCannotBeAppliedDoesNotHoldBackTheOthersArrivingWithIt) {
  E2eEnvironment env;
  auto conn = env.database().connect();
  ASSERT_TRUE(conn.exec_script(R"SQL(
CREATE FUNCTION e2e_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'e2e: this webhook cannot be closed'; END $$;
CREATE TRIGGER e2e_refuse_poison BEFORE UPDATE ON provider_webhook_inbox FOR EACH ROW
  WHEN (NEW.processed_at IS NOT NULL AND NEW.body LIKE '%wamid.poison%') EXECUTE FUNCTION e2e_refuse_poison();)SQL"));

  constexpr int kGood = 24;
  std::vector<std::string> bodies;
  for (int i = 0; i < kGood; ++i) bodies.push_back(status_webhook(env.phone_number_id(), "wamid.good-" + std::to_string(i), "delivered"));
  bodies.insert(bodies.begin() + kGood / 2, status_webhook(env.phone_number_id(), "wamid.poison", "delivered"));
  std::vector<int> answers(bodies.size(), 0);
  {
    std::vector<std::thread> posters;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      posters.emplace_back([&, i] {
        answers[i] = post_webhook(env, bodies[i], crypto::hub_signature_256(env.app_secret(), bodies[i])).status;
      });
    }
    for (auto& poster : posters) poster.join();
  }
  for (const int status : answers) EXPECT_EQ(status, 200);  // stored: the provider is done

  auto count = [&conn](const char* where) {
    auto rows = conn.exec(std::string("SELECT count(*) FROM provider_webhook_inbox WHERE ") + where);
    return rows && rows->size() == 1 ? rows->int64(0, 0) : -1;
  };
  auto failures = [&env] {
    return metric_sum(http_get(env.dispatcher_port(), "/metrics").body, "disparo_webhook_inbox_failures_total");
  };
  EXPECT_TRUE(eventually([&] {
    return count("processed_at IS NOT NULL AND body LIKE '%wamid.good-%'") == kGood && failures() >= 1.0;
    // Well before the sweeper retries anything (10 s): applied on arrival, not on a retry.
  }, std::chrono::seconds(6))) << count("processed_at IS NOT NULL") << " processed, failures " << failures();
  EXPECT_EQ(count("processed_at IS NULL AND body LIKE '%wamid.poison%'"), 1);

  // Once it can be applied, the sweeper does (a stored webhook is retried after 10 s).
  ASSERT_TRUE(conn.exec_script("DROP TRIGGER e2e_refuse_poison ON provider_webhook_inbox;"));
  EXPECT_TRUE(eventually([&] { return count("processed_at IS NOT NULL AND body LIKE '%wamid.poison%'") == 1; },
                         std::chrono::seconds(30))) << env.logs();
}

// After an outage the inbox holds a backlog of stored webhooks. The sweeper hands it to the
// applier a page at a time, and pages follow each other at once: 1,500 webhooks are applied
// within one sweep interval (5 s) or two, not at 100 per interval (75 s).
TEST(FirstMessage, TheSweeperAppliesABacklogOfStoredWebhooksInBatches) {
  E2eEnvironment env;
  auto conn = env.database().connect();
  constexpr int kBacklog = 1'500;
  const std::string body = status_webhook(env.phone_number_id(), "wamid.backlog-NUMBER", "delivered");
  auto stored = conn.exec(R"SQL(
INSERT INTO provider_webhook_inbox (provider, body, received_at)
SELECT 'cloud_api', replace($1, 'NUMBER', g::text), now() - interval '1 minute'
FROM generate_series(1, $2::int) g)SQL",
                         {body, std::to_string(kBacklog)});
  ASSERT_TRUE(stored) << stored.error().message;

  auto pending = [&conn] {
    auto rows = conn.exec("SELECT count(*) FROM provider_webhook_inbox WHERE processed_at IS NULL");
    return rows && rows->size() == 1 ? rows->int64(0, 0) : -1;
  };
  EXPECT_TRUE(eventually([&] { return pending() == 0; }, std::chrono::seconds(12)))
      << pending() << " of " << kBacklog << " still pending\n" << env.logs();
  auto errors = conn.exec("SELECT count(*) FROM provider_webhook_inbox WHERE error IS NOT NULL");
  ASSERT_TRUE(errors);
  EXPECT_EQ(errors->int64(0, 0), 0);
  const auto metrics = http_get(env.dispatcher_port(), "/metrics").body;
  EXPECT_EQ(metric_sum(metrics, "disparo_webhook_reports_unmatched_total"), static_cast<double>(kBacklog));
}

TEST(FirstMessage, VerificationHandshakeEchoesTheChallengeOnlyForTheRightToken) {
  E2eEnvironment env;
  const auto ok = http_get(env.dispatcher_port(), "/webhooks/cloud_api?hub.mode=subscribe&hub.verify_token=" +
                                                      env.verify_token() + "&hub.challenge=1158201444");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  const auto wrong = http_get(env.dispatcher_port(),
                              "/webhooks/cloud_api?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1");
  EXPECT_EQ(wrong.status, 403);
}

TEST(FirstMessage, ApiRefusesBadKeysAndBadBodiesWithProblemJson) {
  E2eEnvironment env;
  const auto no_key = http_post_json(env.dispatcher_port(), "/v1/messages", R"({"to":"+5511987654321","text":"x"})");
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(no_key.header("Content-Type").value_or(""), "application/problem+json");
  const auto bad_body = http_post_json(env.dispatcher_port(), "/v1/messages", R"({"to":"12","text":""})", env.api_key());
  EXPECT_EQ(bad_body.status, 422);
  EXPECT_NE(bad_body.body.find(R"("field":"to")"), std::string::npos) << bad_body.body;
  const auto not_json = http_post_json(env.dispatcher_port(), "/v1/messages", "{", env.api_key());
  EXPECT_EQ(not_json.status, 422);
  const auto unknown = http_get(env.dispatcher_port(), "/v1/messages/999999", env.api_key());
  EXPECT_EQ(unknown.status, 404);
}

}  // namespace
}  // namespace disparo::test
