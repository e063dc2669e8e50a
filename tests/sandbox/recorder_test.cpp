// Pure tests of the Recorder: masking of credentials, JSON reports, bounded memory.
#include <gtest/gtest.h>

#include "loadtest/sandbox/recorder.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox {
namespace {

using test::JsonProbe;

const std::string kToken = "EAAGm0PX4ZCpsBAKZCsecretsecretsecret1234";

TEST(MaskHeaders, HidesTheBearerTokenOnly) {
  const http::Headers masked =
      mask_headers({{"authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}});
  ASSERT_EQ(masked.size(), 2u);
  EXPECT_TRUE(masked[0].second.starts_with("Bearer ")) << masked[0].second;
  EXPECT_EQ(masked[0].second.find("secretsecret"), std::string::npos) << masked[0].second;
  EXPECT_EQ(masked[1].second, "application/json");
}

RecordedRequest sample(int n) {
  RecordedRequest r;
  r.method = "POST";
  r.target = "/v24.0/123/messages?x=" + std::to_string(n);
  r.headers =
      mask_headers({{"Authorization", "Bearer " + kToken}, {"X-Twice", "a"}, {"x-twice", "b"}});
  r.body = "{\"raw\":\"\x01\xff\"}";  // a control character and invalid UTF-8
  r.received_at_us = 1'700'000'000'000'000 + n;
  r.status = 200;
  r.wamid = "wamid." + std::to_string(n);
  return r;
}

TEST(Recorder, RequestsReportIsValidJsonWithEveryField) {
  Recorder recorder;
  recorder.add_request(sample(1));
  RecordedRequest failed = sample(2);
  failed.status = 401;
  failed.wamid.reset();
  failed.error_code = 190;
  recorder.add_request(failed);

  const JsonProbe j(recorder.requests_json());
  ASSERT_TRUE(j.ok()) << recorder.requests_json();
  ASSERT_EQ(j.size("/requests"), 2u);
  EXPECT_EQ(j.str("/requests/0/method"), "POST");
  EXPECT_EQ(j.str("/requests/0/path"), "/v24.0/123/messages");
  EXPECT_EQ(j.str("/requests/0/target"), "/v24.0/123/messages?x=1");
  EXPECT_EQ(j.str("/requests/0/headers/x-twice"), "a, b");
  EXPECT_EQ(j.str("/requests/0/headers/authorization")->find("secretsecret"), std::string::npos);
  EXPECT_EQ(j.str("/requests/0/body"), "{\"raw\":\"\x01\xEF\xBF\xBD\"}");
  EXPECT_EQ(j.num("/requests/0/received_at_us"), 1'700'000'000'000'001);
  EXPECT_EQ(j.num("/requests/0/status"), 200);
  EXPECT_EQ(j.str("/requests/0/wamid"), "wamid.1");
  EXPECT_TRUE(j.is_null("/requests/0/error_code"));
  EXPECT_EQ(j.num("/requests/1/status"), 401);
  EXPECT_TRUE(j.is_null("/requests/1/wamid"));
  EXPECT_EQ(j.num("/requests/1/error_code"), 190);
  EXPECT_EQ(j.num("/dropped"), 0);
}

TEST(Recorder, WebhooksReportIsValidJson) {
  Recorder recorder;
  WebhookAttempt a;
  a.wamid = "wamid.1";
  a.status = "sent";
  a.url = "http://127.0.0.1:1/w";
  a.body = "{\"x\":1}";
  a.signature = "sha256=ab";
  a.outcome = "unavailable";
  a.error = "connection refused";
  a.final = false;
  recorder.add_webhook(a);
  a.attempt = 2;
  a.http_status = 200;
  a.outcome = "delivered";
  a.error.clear();
  a.final = true;
  recorder.add_webhook(a);

  const JsonProbe j(recorder.webhooks_json());
  ASSERT_TRUE(j.ok());
  ASSERT_EQ(j.size("/webhooks"), 2u);
  EXPECT_EQ(j.str("/webhooks/0/wamid"), "wamid.1");
  EXPECT_EQ(j.str("/webhooks/0/status"), "sent");
  EXPECT_EQ(j.str("/webhooks/0/body"), "{\"x\":1}");
  EXPECT_EQ(j.str("/webhooks/0/signature"), "sha256=ab");
  EXPECT_TRUE(j.is_null("/webhooks/0/http_status"));
  EXPECT_EQ(j.boolean("/webhooks/0/final"), false);
  EXPECT_EQ(j.num("/webhooks/1/attempt"), 2);
  EXPECT_EQ(j.num("/webhooks/1/http_status"), 200);
  EXPECT_EQ(j.str("/webhooks/1/outcome"), "delivered");
}

TEST(Recorder, LeanRecordsKeepNoHeadersBodiesOrSignaturesButEverythingElse) {
  Recorder recorder(100, RecordDetail::lean);
  EXPECT_FALSE(recorder.keeps_payloads());
  RecordedRequest request = sample(1);
  request.biz_opaque_callback_data = "4711";
  recorder.add_request(request);
  WebhookAttempt attempt;
  attempt.wamid = "wamid.1,wamid.2";
  attempt.status = "sent,read";
  attempt.headers = {{"X-Custom", "1"}};
  attempt.body = std::string(40'000, 'x');
  attempt.signature = "sha256=ab";
  attempt.http_status = 200;
  attempt.outcome = "delivered";
  recorder.add_webhook(attempt);

  ASSERT_EQ(recorder.requests().size(), 1u);
  EXPECT_TRUE(recorder.requests().front().headers.empty());
  EXPECT_EQ(recorder.requests().front().body.capacity(), std::string().capacity());  // memory given back
  const JsonProbe requests(recorder.requests_json());
  ASSERT_TRUE(requests.ok());
  EXPECT_EQ(requests.str("/requests/0/body"), "");
  EXPECT_EQ(requests.str("/requests/0/wamid"), "wamid.1");
  EXPECT_EQ(requests.str("/requests/0/biz_opaque_callback_data"), "4711");
  EXPECT_EQ(requests.num("/requests/0/received_at_us"), 1'700'000'000'000'001);
  EXPECT_EQ(requests.num("/requests/0/status"), 200);

  ASSERT_EQ(recorder.webhooks().size(), 1u);
  EXPECT_EQ(recorder.webhooks().front().body.capacity(), std::string().capacity());
  const JsonProbe webhooks(recorder.webhooks_json());
  ASSERT_TRUE(webhooks.ok());
  EXPECT_EQ(webhooks.str("/webhooks/0/body"), "");
  EXPECT_EQ(webhooks.str("/webhooks/0/signature"), "");
  EXPECT_EQ(webhooks.str("/webhooks/0/wamid"), "wamid.1,wamid.2");
  EXPECT_EQ(webhooks.str("/webhooks/0/status"), "sent,read");
  EXPECT_EQ(webhooks.num("/webhooks/0/http_status"), 200);
  // The metrics count the attempt as in full mode.
  EXPECT_NE(recorder.metrics().exposition().find("delivered"), std::string::npos);
}

TEST(Recorder, FullRecordsReportTheCallbackDataToo) {
  Recorder recorder;
  EXPECT_TRUE(recorder.keeps_payloads());
  RecordedRequest request = sample(1);
  request.biz_opaque_callback_data = "4711";
  recorder.add_request(request);
  recorder.add_request(sample(2));
  const JsonProbe j(recorder.requests_json());
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.str("/requests/0/biz_opaque_callback_data"), "4711");
  EXPECT_TRUE(j.is_null("/requests/1/biz_opaque_callback_data"));
  EXPECT_EQ(j.str("/requests/1/body"), "{\"raw\":\"\x01\xEF\xBF\xBD\"}");
}

TEST(Recorder, DropsOldestPastCapacityAndCounts) {
  Recorder recorder(3);
  for (int i = 0; i < 5; ++i) recorder.add_request(sample(i));
  ASSERT_EQ(recorder.requests().size(), 3u);
  EXPECT_EQ(recorder.requests().front().wamid, "wamid.2");
  const JsonProbe j(recorder.requests_json());
  EXPECT_EQ(j.num("/dropped"), 2);
}

TEST(Recorder, ClearEmptiesRequestsAndWebhooksButKeepsSubscriptions) {
  Recorder recorder;
  recorder.add_request(sample(1));
  recorder.add_webhook(WebhookAttempt{});
  recorder.add_subscription(SubscriptionAttempt{});
  recorder.clear();
  EXPECT_TRUE(recorder.requests().empty());
  EXPECT_TRUE(recorder.webhooks().empty());
  EXPECT_EQ(recorder.subscriptions().size(), 1u);
  EXPECT_EQ(JsonProbe(recorder.requests_json()).size("/requests"), 0u);
}

}  // namespace
}  // namespace disparo::sandbox
