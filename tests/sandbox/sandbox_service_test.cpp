// Pure tests of the simulator's request handler: no socket, a fake clock, and a fake scheduler
// that collects the messages whose webhooks would be sent.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <vector>

#include "loadtest/sandbox/sandbox_service.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox {
namespace {

using test::JsonProbe;

constexpr const char* kToken = "EAAGtesttokentesttoken0001";

struct CollectingScheduler final : StatusScheduler {
  void schedule(AcceptedMessage message) override { scheduled.push_back(std::move(message)); }
  std::vector<AcceptedMessage> scheduled;
};

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest()
      : sink_(std::fopen("/dev/null", "w")),
        clock_(SysTime(std::chrono::microseconds(1'751'142'888'123'456))),
        logger_("sandbox-test", log::Level::debug, sink_),
        service_(ServiceOptions{kToken}, recorder_, scheduler_, clock_, logger_) {}
  ~HandlerTest() override { std::fclose(sink_); }

  http::Response post(std::string target, std::string body,
                      std::string authorization = std::string("Bearer ") + kToken) {
    http::Request r;
    r.method = "POST";
    r.target = std::move(target);
    if (!authorization.empty()) r.headers.emplace_back("Authorization", authorization);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::move(body);
    return service_.handle_now(r);
  }
  http::Response call(std::string method, std::string target) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    return service_.handle_now(r);
  }

  std::FILE* sink_;
  FakeClock clock_;
  log::Logger logger_;
  Recorder recorder_;
  CollectingScheduler scheduler_;
  SandboxService service_;
};

const std::string kTextBody =
    R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+55 11 98765-4321",)"
    R"("type":"text","text":{"body":"Sua fatura vence amanhã"},"biz_opaque_callback_data":"job-42"})";

TEST_F(HandlerTest, AcceptsAValidSendAndSchedulesItsWebhooks) {
  const http::Response r = post("/v24.0/106540352242922/messages", kTextBody);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  const JsonProbe j(r.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.str("/messaging_product"), "whatsapp");
  EXPECT_EQ(j.str("/contacts/0/input"), "+55 11 98765-4321");
  EXPECT_EQ(j.str("/contacts/0/wa_id"), "5511987654321");
  const std::string wamid = j.str("/messages/0/id").value_or("");
  EXPECT_TRUE(wamid.starts_with("wamid.")) << wamid;

  ASSERT_EQ(scheduler_.scheduled.size(), 1u);
  const AcceptedMessage& m = scheduler_.scheduled[0];
  EXPECT_EQ(m.wamid, wamid);
  EXPECT_EQ(m.wa_id, "5511987654321");
  EXPECT_EQ(m.phone_number_id, "106540352242922");
  EXPECT_EQ(m.message_type, "text");
  EXPECT_EQ(m.api_major, 24);
  EXPECT_EQ(m.biz_opaque_callback_data, "job-42");
}

TEST_F(HandlerTest, WamidsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    const http::Response r = post("/v24.0/1/messages", kTextBody);
    ASSERT_EQ(r.status, 200);
    seen.insert(JsonProbe(r.body).str("/messages/0/id").value_or(""));
  }
  EXPECT_EQ(seen.size(), 500u);
}

TEST_F(HandlerTest, BadOrMissingTokenIs401Code190) {
  for (const std::string& auth : {std::string("Bearer wrong"), std::string(""), std::string(kToken),
                                  std::string("Basic ") + kToken}) {
    const http::Response r = post("/v24.0/1/messages", kTextBody, auth);
    EXPECT_EQ(r.status, 401) << auth;
    const JsonProbe j(r.body);
    EXPECT_EQ(j.num("/error/code"), 190);
    EXPECT_EQ(j.str("/error/type"), "OAuthException");
    EXPECT_TRUE(j.str("/error/fbtrace_id").has_value());
    EXPECT_TRUE(r.header("WWW-Authenticate").has_value());
  }
  EXPECT_TRUE(scheduler_.scheduled.empty());
}

TEST_F(HandlerTest, TokenInQueryIsAcceptedAsGraphDoes) {
  EXPECT_EQ(post(std::string("/v24.0/1/messages?access_token=") + kToken, kTextBody, "").status,
            200);
}

TEST_F(HandlerTest, BadBodyIs400InMetasEnvelope) {
  const http::Response missing = post(
      "/v24.0/1/messages", R"({"messaging_product":"whatsapp","type":"text","text":{"body":"x"}})");
  EXPECT_EQ(missing.status, 400);
  const JsonProbe m(missing.body);
  EXPECT_EQ(m.num("/error/code"), 131008);
  EXPECT_EQ(m.str("/error/message"), "(#131008) Required parameter is missing");
  EXPECT_EQ(m.str("/error/error_data/messaging_product"), "whatsapp");

  const http::Response invalid = post("/v24.0/1/messages", "{oops");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(JsonProbe(invalid.body).num("/error/code"), 100);
  EXPECT_TRUE(scheduler_.scheduled.empty());
}

TEST_F(HandlerTest, UnknownPathsAndMethodsAnswerInGraphsEnvelope) {
  const http::Response unknown = post("/v24.0/1/media", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(JsonProbe(unknown.body).num("/error/code"), 100);
  const http::Response get = call("GET", "/v24.0/1/messages");
  EXPECT_EQ(get.status, 400);
  EXPECT_EQ(JsonProbe(get.body).num("/error/code"), 100);
}

TEST_F(HandlerTest, RecordsProviderRequestsWithMaskedTokenAndClockTime) {
  post("/v24.0/1/messages", kTextBody);
  post("/v24.0/1/messages", kTextBody, "Bearer nope");
  ASSERT_EQ(recorder_.requests().size(), 2u);
  const RecordedRequest& ok = recorder_.requests()[0];
  EXPECT_EQ(ok.method, "POST");
  EXPECT_EQ(ok.target, "/v24.0/1/messages");
  EXPECT_EQ(ok.body, kTextBody);
  EXPECT_EQ(ok.received_at_us, 1'751'142'888'123'456);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.wamid, scheduler_.scheduled.at(0).wamid);
  for (const auto& [name, value] : ok.headers) {
    EXPECT_EQ(value.find("testtoken"), std::string::npos) << name << ": " << value;
  }
  EXPECT_EQ(recorder_.requests()[1].status, 401);
  EXPECT_EQ(recorder_.requests()[1].error_code, 190);
  EXPECT_FALSE(recorder_.requests()[1].wamid);

  const http::Response report = call("GET", "/_sandbox/requests");
  EXPECT_EQ(report.status, 200);
  EXPECT_EQ(JsonProbe(report.body).size("/requests"), 2u);
  EXPECT_EQ(recorder_.requests().size(), 2u) << "the report itself is not recorded";

  EXPECT_EQ(call("DELETE", "/_sandbox/requests").status, 200);
  EXPECT_TRUE(recorder_.requests().empty());
}

TEST_F(HandlerTest, HealthAndSandboxRoutes) {
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  EXPECT_EQ(call("GET", "/_sandbox/webhooks").status, 200);
  EXPECT_EQ(JsonProbe(call("GET", "/_sandbox/webhooks").body).size("/webhooks"), 0u);
  EXPECT_EQ(call("GET", "/_sandbox/subscriptions").status, 200);
  EXPECT_EQ(call("PUT", "/_sandbox/requests").status, 405);
  EXPECT_EQ(call("GET", "/_sandbox/nothing").status, 404);
  EXPECT_TRUE(recorder_.requests().empty());
}

TEST_F(HandlerTest, OlderApiVersionIsPassedOnForConversationObjects) {
  ASSERT_EQ(post("/v23.0/1/messages", kTextBody).status, 200);
  EXPECT_EQ(scheduler_.scheduled.at(0).api_major, 23);
}

}  // namespace
}  // namespace disparo::sandbox
