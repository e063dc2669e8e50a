// The behaviour document over real loopback HTTP: PUT/GET /_sandbox/behaviour and every Cloud API
// behaviour, asserting the exact wire shape (status codes, Meta's error envelope, signed webhook
// bodies).
#include "tests/sandbox/sandbox_fixture.hpp"

#include <asio/detached.hpp>

namespace disparo::sandbox::test {
namespace {

using BehaviourLoopback = SandboxFixture;

// Meta's synchronous error envelope for `code` with `http_status`.
void expect_meta_error(const http::Response& r, int http_status, int code) {
  EXPECT_EQ(r.status, http_status) << r.body;
  const JsonProbe j(r.body);
  ASSERT_TRUE(j.ok()) << r.body;
  EXPECT_EQ(j.num("/error/code"), code);
  EXPECT_TRUE(j.str("/error/message").value_or("").starts_with("(#" + std::to_string(code) + ") "))
      << r.body;
  EXPECT_EQ(j.str("/error/type"), "OAuthException");
  EXPECT_EQ(j.str("/error/error_data/messaging_product"), "whatsapp");
  EXPECT_FALSE(j.str("/error/error_data/details").value_or("").empty());
  EXPECT_EQ(j.str("/error/fbtrace_id").value_or("").size(), 23u);
}

TEST_F(BehaviourLoopback, PutReplacesGetReadsBackAndABadDocumentChangesNothing) {
  start();
  run([&]() -> asio::awaitable<void> {
    const http::Response initial = co_await call("GET", "/_sandbox/behaviour");
    EXPECT_EQ(initial.status, 200);
    const JsonProbe d(initial.body);
    EXPECT_EQ(d.num("/webhooks/delay_ms/min"), 10);  // --status-delay-ms of this sandbox
    EXPECT_TRUE(d.is_null("/templates"));
    EXPECT_EQ(d.size("/webhooks/statuses"), 3u);

    const http::Response put = co_await put_behaviour(
        R"({"throughput_per_second": 5, "templates": [{"name": "lembrete", "language": "pt_BR"}]})");
    EXPECT_EQ(put.status, 200) << put.body;
    const http::Response after = co_await call("GET", "/_sandbox/behaviour");
    const JsonProbe a(after.body);
    EXPECT_EQ(a.num("/throughput_per_second"), 5);
    EXPECT_EQ(a.str("/templates/0/name"), "lembrete");
    EXPECT_EQ(a.num("/pair_limit_seconds"), 0) << "missing fields take the defaults";

    const http::Response bad = co_await put_behaviour(
        R"({"http_5xx_ratio": 2, "webhooks": {"batch_max": 0}, "scripted_errors": [{"to": "+5511999990001", "code": 424242}], "typo": 1})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.header("Content-Type"), "application/problem+json");
    const JsonProbe p(bad.body);
    EXPECT_EQ(p.num("/status"), 400);
    EXPECT_EQ(p.str("/type"), "https://disparo.dev/problems/validation");
    std::vector<std::string> fields;
    for (std::size_t i = 0; i < p.size("/errors"); ++i) {
      fields.push_back(p.str("/errors/" + std::to_string(i) + "/field").value_or(""));
    }
    for (const char* f : {"http_5xx_ratio", "webhooks.batch_max", "scripted_errors[0].code", "typo"}) {
      EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f << " in " << bad.body;
    }
    EXPECT_EQ((co_await call("GET", "/_sandbox/behaviour")).body, after.body);

    const http::Response not_json = co_await put_behaviour("{nope");
    EXPECT_EQ(not_json.status, 400);
    EXPECT_EQ((co_await call("DELETE", "/_sandbox/behaviour")).status, 405);
  });
}

TEST_F(BehaviourLoopback, LatencyHoldsTheAnswerOnATimerWithoutBlockingOthers) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"latency_ms": {"min": 400, "max": 400}})")).status, 200);
    const auto started = std::chrono::steady_clock::now();
    bool slow_done = false;
    std::chrono::steady_clock::duration slow_took{};
    auto slow = [&]() -> asio::awaitable<void> {
      const http::Response r = co_await cloud_send(cloud_text());
      EXPECT_EQ(r.status, 200);
      slow_took = std::chrono::steady_clock::now() - started;
      slow_done = true;
    };
    auto slow_task = slow();
    asio::co_spawn(io_, std::move(slow_task), asio::detached);
    const http::Response health = co_await call("GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 300ms) << "another request waited";
    EXPECT_FALSE(slow_done);
    EXPECT_TRUE(co_await wait_until([&] { return slow_done; }));
    EXPECT_GE(slow_took, 400ms);
  });
}

TEST_F(BehaviourLoopback, ServerErrorsAnswer500WithCode2AndSendNothing) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"http_5xx_ratio": 1})")).status, 200);
    const http::Response r = co_await cloud_send(cloud_text());
    expect_meta_error(r, 500, 2);
    co_await settle();
  });
  EXPECT_TRUE(receiver_.posts.empty());
  ASSERT_EQ(recorder_.requests().size(), 1u);
  EXPECT_EQ(recorder_.requests()[0].fault, "http_5xx");
  EXPECT_EQ(recorder_.requests()[0].error_code, 2);
}

TEST_F(BehaviourLoopback, ResetsCloseTheConnectionWithoutAnAnswer) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"reset_ratio": 1})")).status, 200);
    const http::Response r = co_await cloud_send(cloud_text());
    EXPECT_EQ(r.status, 0) << "no HTTP answer at all";
    co_await settle();
  });
  EXPECT_TRUE(receiver_.posts.empty());
  ASSERT_GE(recorder_.requests().size(), 1u);
  for (const auto& rec : recorder_.requests()) {
    EXPECT_EQ(rec.fault, "reset");
    EXPECT_EQ(rec.status, 0);
    EXPECT_FALSE(rec.wamid.has_value());
  }
}

TEST_F(BehaviourLoopback, ThroughputPerSenderAnswers130429) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"throughput_per_second": 2})")).status, 200);
    EXPECT_EQ((co_await cloud_send(cloud_text("+5511900000001"))).status, 200);
    EXPECT_EQ((co_await cloud_send(cloud_text("+5511900000002"))).status, 200);
    const http::Response over = co_await cloud_send(cloud_text("+5511900000003"));
    expect_meta_error(over, 400, 130429);
    EXPECT_EQ(JsonProbe(over.body).str("/error/message"), "(#130429) Rate limit hit");
    EXPECT_EQ(JsonProbe(over.body).str("/error/error_data/details"),
              "Cloud API message throughput has been reached.");
    // Another sender has its own bucket.
    EXPECT_EQ((co_await cloud_send_as(cloud_text("+5511900000003"), "999")).status, 200);
  });
}

TEST_F(BehaviourLoopback, PairLimitAnswers131056ForTheSameRecipientOnly) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"pair_limit_seconds": 60})")).status, 200);
    EXPECT_EQ((co_await cloud_send(cloud_text("+5511987654321"))).status, 200);
    expect_meta_error(co_await cloud_send(cloud_text("+5511987654321")), 400, 131056);
    // The same person written without the ninth digit is the same pair.
    expect_meta_error(co_await cloud_send(cloud_text("+551187654321")), 400, 131056);
    EXPECT_EQ((co_await cloud_send(cloud_text("+5511987654322"))).status, 200);
  });
}

TEST_F(BehaviourLoopback, CustomerWindowRefusesFreeFormUntilTheUserWrites) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"customer_window": true})")).status, 200);
    expect_meta_error(co_await cloud_send(cloud_text()), 400, 131047);
    EXPECT_EQ((co_await cloud_send(cloud_template("lembrete", "pt_BR"))).status, 200)
        << "templates may open a conversation";
    const http::Response inbound = co_await call(
        "POST", "/_sandbox/inbound",
        std::string(R"({"phone_number_id":")") + kPnid + R"(","from":"+5511987654321","text":"Oi"})");
    EXPECT_EQ(inbound.status, 200) << inbound.body;
    EXPECT_EQ((co_await cloud_send(cloud_text())).status, 200);
    // Another business number has no window with this person.
    expect_meta_error(co_await cloud_send_as(cloud_text(), "555"), 400, 131047);
    co_await settle();
  });
  // The inbound message webhook, in Meta's shape and signed.
  const auto posts = receiver_.at(kCloudPath);
  auto it = std::find_if(posts.begin(), posts.end(),
                         [](const http::Request& p) { return p.body.find("\"messages\":[") != std::string::npos; });
  ASSERT_NE(it, posts.end());
  expect_meta_signature(*it);
  const JsonProbe j(it->body);
  const std::string v = "/entry/0/changes/0/value";
  EXPECT_EQ(j.str("/entry/0/changes/0/field"), "messages");
  EXPECT_EQ(j.str(v + "/metadata/phone_number_id"), kPnid);
  EXPECT_EQ(j.str(v + "/contacts/0/wa_id"), "5511987654321");
  EXPECT_TRUE(j.str(v + "/contacts/0/profile/name").has_value());
  EXPECT_EQ(j.str(v + "/messages/0/from"), "5511987654321");
  EXPECT_EQ(j.str(v + "/messages/0/type"), "text");
  EXPECT_EQ(j.str(v + "/messages/0/text/body"), "Oi");
  EXPECT_TRUE(j.str(v + "/messages/0/id").value_or("").starts_with("wamid."));
  EXPECT_EQ(j.str(v + "/messages/0/timestamp").value_or("").size(), 10u);
}

TEST_F(BehaviourLoopback, OnlyApprovedTemplatesAreAccepted) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(
                   R"({"templates": [{"name": "lembrete_fatura", "language": "pt_BR"}]})"))
                  .status,
              200);
    EXPECT_EQ((co_await cloud_send(cloud_template("lembrete_fatura", "pt_BR"))).status, 200);
    expect_meta_error(co_await cloud_send(cloud_template("lembrete_fatura", "en_US")), 404, 132001);
    expect_meta_error(co_await cloud_send(cloud_template("promo", "pt_BR")), 404, 132001);
    EXPECT_EQ((co_await cloud_send(cloud_text())).status, 200) << "free-form is not a template";
  });
}

TEST_F(BehaviourLoopback, UnknownNumbersAreAcceptedThenFailWith131026) {
  start();
  std::string wamid;
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"unknown_numbers": ["+5511999990002"]})")).status, 200);
    const http::Response r = co_await cloud_send(cloud_text("+5511999990002"));
    EXPECT_EQ(r.status, 200);
    wamid = JsonProbe(r.body).str("/messages/0/id").value_or("");
    EXPECT_TRUE(co_await wait_until([&] { return !receiver_.posts.empty(); }));
    co_await settle();
  });
  ASSERT_EQ(receiver_.posts.size(), 1u) << "failed only: no sent, delivered or read";
  expect_meta_signature(receiver_.posts[0]);
  const JsonProbe j(receiver_.posts[0].body);
  const std::string s = "/entry/0/changes/0/value/statuses/0";
  EXPECT_EQ(j.str(s + "/id"), wamid);
  EXPECT_EQ(j.str(s + "/status"), "failed");
  EXPECT_EQ(j.str(s + "/recipient_id"), "5511999990002");
  EXPECT_EQ(j.num(s + "/errors/0/code"), 131026);
  EXPECT_EQ(j.str(s + "/errors/0/title"), "Message undeliverable");
  EXPECT_EQ(j.str(s + "/errors/0/message"), "Message undeliverable");
  EXPECT_TRUE(j.str(s + "/errors/0/error_data/details").has_value());
  EXPECT_TRUE(j.str(s + "/errors/0/href").has_value());
  EXPECT_FALSE(j.has(s + "/errors/0/type")) << "webhook errors have no type";
  EXPECT_FALSE(j.has(s + "/pricing"));
}

TEST_F(BehaviourLoopback, WaIdWithoutTheNinthDigitInAnswerAndWebhooks) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"wa_id_without_ninth_digit": ["+5531987654321"]})")).status,
              200);
    const http::Response r = co_await cloud_send(cloud_text("+5531987654321"));
    EXPECT_EQ(r.status, 200);
    const JsonProbe j(r.body);
    EXPECT_EQ(j.str("/contacts/0/input"), "+5531987654321");
    EXPECT_EQ(j.str("/contacts/0/wa_id"), "553187654321");
    const http::Response other = co_await cloud_send(cloud_text("+5531987654320"));
    EXPECT_EQ(JsonProbe(other.body).str("/contacts/0/wa_id"), "5531987654320");
    EXPECT_TRUE(co_await wait_until([&] { return cloud_statuses().size() >= 6; }));
  });
  for (const auto& s : cloud_statuses()) {
    EXPECT_TRUE(s.recipient_id == "553187654321" || s.recipient_id == "5531987654320") << s.recipient_id;
  }
}

TEST_F(BehaviourLoopback, ScriptedErrorsUseTheTablesHttpStatusAndCountTimes) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"scripted_errors": [
        {"to": "+5511999990001", "code": 131048, "times": 2},
        {"to": "+5511999990003", "code": 131000},
        {"to": "+5511999990004", "code": 132001},
        {"to": "+5511999990005", "code": 190},
        {"to": "+5511999990006", "code": 368},
        {"to": "+5511999990007", "code": 133004},
        {"to": "+5511999990008", "code": 131057},
        {"to": "+5511999990009", "code": 131049}]})"))
                  .status,
              200);
    expect_meta_error(co_await cloud_send(cloud_text("+5511999990001")), 400, 131048);
    expect_meta_error(co_await cloud_send(cloud_text("+5511999990001")), 400, 131048);
    EXPECT_EQ((co_await cloud_send(cloud_text("+5511999990001"))).status, 200) << "times: 2";
    const std::pair<const char*, std::pair<int, int>> table[] = {
        {"+5511999990003", {500, 131000}}, {"+5511999990004", {404, 132001}},
        {"+5511999990005", {401, 190}},    {"+5511999990006", {403, 368}},
        {"+5511999990007", {503, 133004}}, {"+5511999990008", {500, 131057}},
        {"+5511999990009", {400, 131049}}};
    for (const auto& [to, expected] : table) {
      SCOPED_TRACE(to);
      for (int i = 0; i < 2; ++i) {  // times 0 = always
        expect_meta_error(co_await cloud_send(cloud_text(to)), expected.first, expected.second);
      }
    }
  });
}

TEST_F(BehaviourLoopback, WebhookStatusesSkipReorderAndDuplicate) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"webhooks": {"delay_ms": {"min": 5, "max": 5},
        "skip_delivered_ratio": 1, "reorder": true, "duplicate_ratio": 1}})"))
                  .status,
              200);
    EXPECT_EQ((co_await cloud_send(cloud_text())).status, 200);
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.posts.size() >= 4; }));
    co_await settle();
  });
  const auto seen = cloud_statuses();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].status, "read");
  EXPECT_EQ(seen[1].status, "read");
  EXPECT_EQ(seen[2].status, "sent");
  EXPECT_EQ(seen[3].status, "sent");
  EXPECT_EQ(receiver_.posts[0].body, receiver_.posts[1].body) << "a duplicate is the same event";
  for (const auto& p : receiver_.posts) expect_meta_signature(p);
}

TEST_F(BehaviourLoopback, WebhookStatusListAndEmptyList) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(R"({"webhooks": {"statuses": ["read", "sent"]}})")).status, 200);
    EXPECT_EQ((co_await cloud_send(cloud_text())).status, 200);
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.posts.size() >= 2; }));
    co_await settle();
    const auto seen = cloud_statuses();
    EXPECT_EQ(seen.size(), 2u);
    if (seen.size() == 2) {
      EXPECT_EQ(seen[0].status, "sent") << "emitted in lifecycle order";
      EXPECT_EQ(seen[1].status, "read");
    }

    EXPECT_EQ((co_await put_behaviour(R"({"webhooks": {"statuses": []}})")).status, 200);
    EXPECT_EQ((co_await cloud_send(cloud_text())).status, 200);
    co_await settle();
    EXPECT_EQ(receiver_.posts.size(), 2u) << "no status at all";
  });
}

TEST_F(BehaviourLoopback, WebhookDelayIsHonoured) {
  start();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(
                   R"({"webhooks": {"delay_ms": {"min": 300, "max": 300}, "statuses": ["sent"]}})"))
                  .status,
              200);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ((co_await cloud_send(cloud_text())).status, 200);
    EXPECT_TRUE(co_await wait_until([&] { return !receiver_.posts.empty(); }));
    EXPECT_GE(std::chrono::steady_clock::now() - started, 290ms);
  });
}

TEST_F(BehaviourLoopback, StatusesOfSeveralMessagesShareABatchedPost) {
  start();
  std::vector<std::string> wamids;
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await put_behaviour(
                   R"({"webhooks": {"delay_ms": {"min": 50, "max": 50}, "batch_max": 4}})"))
                  .status,
              200);
    for (const char* to : {"+5511900000001", "+5511900000002", "+5511900000003"}) {
      const http::Response r = co_await cloud_send(cloud_text(to));
      wamids.push_back(JsonProbe(r.body).str("/messages/0/id").value_or(""));
    }
    const http::Response other = co_await cloud_send_as(cloud_text("+5511900000004"), "777");
    wamids.push_back(JsonProbe(other.body).str("/messages/0/id").value_or(""));
    EXPECT_TRUE(co_await wait_until([&] { return cloud_statuses().size() >= 12; }));
    co_await settle();
  });
  EXPECT_EQ(cloud_statuses().size(), 12u);
  std::size_t largest = 0;
  bool two_numbers_in_one_post = false;
  for (const auto& post : receiver_.posts) {
    expect_meta_signature(post);
    const JsonProbe j(post.body);
    std::size_t n = 0;
    for (std::size_t c = 0; c < j.size("/entry/0/changes"); ++c) {
      const std::string v = "/entry/0/changes/" + std::to_string(c) + "/value";
      EXPECT_EQ(j.str("/entry/0/changes/" + std::to_string(c) + "/field"), "messages");
      EXPECT_TRUE(j.str(v + "/metadata/phone_number_id").has_value());
      n += j.size(v + "/statuses");
    }
    two_numbers_in_one_post = two_numbers_in_one_post || j.size("/entry/0/changes") > 1;
    EXPECT_LE(n, 4u) << "batch_max";
    largest = std::max(largest, n);
  }
  EXPECT_GT(largest, 1u) << "statuses that fall due together share a POST";
  EXPECT_TRUE(two_numbers_in_one_post) << "one change per phone number id";
  // Every message still gets sent, delivered, read, in that order.
  for (const auto& wamid : wamids) {
    std::vector<std::string> order;
    for (const auto& s : cloud_statuses()) {
      if (s.wamid == wamid) order.push_back(s.status);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"sent", "delivered", "read"})) << wamid;
  }
  // The recorder keeps one attempt per POST naming every message in it.
  ASSERT_FALSE(recorder_.webhooks().empty());
  EXPECT_EQ(recorder_.webhooks()[0].event, "statuses");
}

TEST_F(BehaviourLoopback, TemplateStatusAndQualityWebhooks) {
  start();
  run([&]() -> asio::awaitable<void> {
    const http::Response t = co_await call(
        "POST", "/_sandbox/cloud_api/template_status",
        R"({"name":"lembrete_fatura","language":"pt_BR","status":"PAUSED"})");
    EXPECT_EQ(t.status, 200) << t.body;
    const http::Response q = co_await call(
        "POST", "/_sandbox/cloud_api/quality",
        std::string(R"({"phone_number_id":")") + kPnid + R"(","quality":"RED","tier":"TIER_1K"})");
    EXPECT_EQ(q.status, 200) << q.body;
    const http::Response bad = co_await call("POST", "/_sandbox/cloud_api/template_status",
                                             R"({"name":"x","language":"pt_BR","status":"MAYBE"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(JsonProbe(bad.body).str("/errors/0/field"), "status");
    EXPECT_TRUE(co_await wait_until([&] { return receiver_.posts.size() >= 2; }));
    co_await settle();
  });
  ASSERT_EQ(receiver_.posts.size(), 2u);
  for (const auto& p : receiver_.posts) expect_meta_signature(p);
  const auto& tpl = receiver_.posts[0].body.find("message_template_status_update") != std::string::npos
                        ? receiver_.posts[0]
                        : receiver_.posts[1];
  const auto& quality = &tpl == &receiver_.posts[0] ? receiver_.posts[1] : receiver_.posts[0];
  const JsonProbe t(tpl.body);
  EXPECT_EQ(t.str("/object"), "whatsapp_business_account");
  EXPECT_EQ(t.str("/entry/0/id"), "100000000000000");
  EXPECT_EQ(t.str("/entry/0/changes/0/field"), "message_template_status_update");
  const std::string tv = "/entry/0/changes/0/value";
  EXPECT_EQ(t.str(tv + "/event"), "PAUSED");
  EXPECT_EQ(t.str(tv + "/message_template_name"), "lembrete_fatura");
  EXPECT_EQ(t.str(tv + "/message_template_language"), "pt_BR");
  EXPECT_TRUE(t.num(tv + "/message_template_id").has_value());
  EXPECT_EQ(t.str(tv + "/reason"), "NONE");
  EXPECT_EQ(t.str(tv + "/other_info/title"), "FIRST_PAUSE");
  const JsonProbe q(quality.body);
  EXPECT_EQ(q.str("/entry/0/changes/0/field"), "phone_number_quality_update");
  const std::string qv = "/entry/0/changes/0/value";
  EXPECT_EQ(q.str(qv + "/display_phone_number"), "5511900000000");
  EXPECT_EQ(q.str(qv + "/phone_number_id"), kPnid);
  EXPECT_EQ(q.str(qv + "/event"), "FLAGGED");
  EXPECT_EQ(q.str(qv + "/current_limit"), "TIER_1K");
  EXPECT_EQ(q.str(qv + "/quality_rating"), "RED");
  EXPECT_EQ(q.num(qv + "/max_daily_conversations_per_business"), 1000);
}

}  // namespace
}  // namespace disparo::sandbox::test
