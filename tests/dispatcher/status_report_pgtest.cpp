// apply_status_report against a live PostgreSQL: finding the message by wamid or by our id in
// biz_opaque_callback_data (only for the session's phone_number_id), and the monotonic,
// idempotent status rule with its events.
#include <gtest/gtest.h>

#include "common/rfc3339.hpp"
#include "dispatcher/queue_store.hpp"
#include "tests/dispatcher/store_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

class StatusReportTest : public StoreTest {
 protected:
  StatusReportTest() {
    tenant_ = add_tenant("acme");
    session_ = add_session(tenant_, SessionSpec("main").as_default().phone("PN-1"));
  }

  // A message claimed (sending), optionally answered by the provider with `wamid` (sent).
  std::int64_t in_flight(const std::string& wamid = "") {
    const auto id = insert_one(tenant_, session_, text_request("+5511987654321", "x"));
    auto leased = acquire_lease(conn_, session_, "instance-a", std::chrono::seconds(60));
    if (!leased || !*leased) throw std::runtime_error("acquire_lease failed");
    auto claimed = claim_next(conn_, session_, "instance-a", {}, {});
    if (!claimed || !claimed->claimed || claimed->claimed->message.id != id) {
      throw std::runtime_error("claim failed");
    }
    if (!wamid.empty()) {
      SendOutcome outcome;
      outcome.outcome = OutcomeClass::accepted;
      outcome.provider_message_id = wamid;
      AfterAttempt sent;
      sent.action = AfterAttempt::Action::mark_sent;
      auto done = record_attempt(conn_, id, session_, outcome, sent);
      if (!done) throw std::runtime_error(done.error().message);
    }
    return id;
  }

  static ProviderStatusReport report(const std::string& wamid, const std::string& status,
                                     const std::string& callback = "", const std::string& pnid = "PN-1") {
    ProviderStatusReport r;
    r.phone_number_id = pnid;
    r.provider_message_id = wamid;
    r.status = status;
    r.timestamp = 1751142888;
    r.recipient_id = "551187654321";
    r.callback_data = callback;
    return r;
  }

  ReportResult apply(const ProviderStatusReport& r) {
    auto result = apply_status_report(conn_, r);
    if (!result) throw std::runtime_error("apply_status_report failed: " + result.error().message);
    return *result;
  }

  std::int64_t tenant_, session_;
};

TEST_F(StatusReportTest, FoundByWamidAndAdvancedAlongThePath) {
  const auto id = in_flight("wamid.A");
  auto r = apply(report("wamid.A", "delivered"));
  EXPECT_TRUE(r.matched);
  EXPECT_TRUE(r.advanced);
  EXPECT_EQ(status_of(id), "delivered");
  r = apply(report("wamid.A", "read"));
  EXPECT_TRUE(r.advanced);
  EXPECT_EQ(status_of(id), "read");
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "sent", "delivered", "read"}));
  // The event carries the provider's time, not ours.
  EXPECT_EQ(sql_text("SELECT disparo_rfc3339(occurred_at) FROM message_events WHERE message_id = $1 AND "
                     "status = 'read'",
                     {std::to_string(id)}),
            "2025-06-28T20:34:48.000000Z");
  EXPECT_EQ(sql_text("SELECT wa_id FROM messages WHERE id = $1", {std::to_string(id)}), "551187654321");
}

TEST_F(StatusReportTest, FoundByCallbackDataBeforeTheProviderIdIsKnown) {
  const auto id = in_flight();  // sending: the HTTP answer has not come back
  const auto r = apply(report("wamid.EARLY", "sent", std::to_string(id)));
  EXPECT_TRUE(r.matched);
  EXPECT_TRUE(r.advanced);
  EXPECT_EQ(status_of(id), "sent");
  EXPECT_EQ(sql_text("SELECT provider_message_id FROM messages WHERE id = $1", {std::to_string(id)}), "wamid.EARLY");
  // From then on the wamid finds it.
  EXPECT_TRUE(apply(report("wamid.EARLY", "delivered")).advanced);
  EXPECT_EQ(status_of(id), "delivered");

  // And the late HTTP answer keeps what the webhooks said.
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::accepted;
  outcome.provider_message_id = "wamid.EARLY";
  AfterAttempt sent;
  sent.action = AfterAttempt::Action::mark_sent;
  ASSERT_TRUE(record_attempt(conn_, id, session_, outcome, sent));
  EXPECT_EQ(status_of(id), "delivered");
}

TEST_F(StatusReportTest, CallbackDataOnlyMatchesTheSessionsPhoneNumberId) {
  const auto id = in_flight();
  const auto r = apply(report("wamid.X", "delivered", std::to_string(id), "PN-OTHER"));
  EXPECT_FALSE(r.matched);
  EXPECT_FALSE(r.advanced);
  EXPECT_EQ(status_of(id), "sending");
  EXPECT_FALSE(apply(report("wamid.X", "delivered", std::to_string(id), "")).matched);
}

TEST_F(StatusReportTest, CallbackDataIsIgnoredOnceTheProviderIdIsKnown) {
  const auto id = in_flight("wamid.REAL");
  const auto r = apply(report("wamid.OTHER", "read", std::to_string(id)));
  EXPECT_FALSE(r.matched);
  EXPECT_EQ(status_of(id), "sent");
}

TEST_F(StatusReportTest, CallbackDataThatIsNotOurIdMatchesNothing) {
  in_flight();
  for (const char* callback : {"job-42", "1; DROP TABLE messages", "-1", "99999999999999999999", ""}) {
    EXPECT_FALSE(apply(report("wamid.Y", "sent", callback)).matched) << callback;
  }
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages"), 1);
}

TEST_F(StatusReportTest, DuplicatesAddNoEvent) {
  const auto id = in_flight("wamid.D");
  EXPECT_TRUE(apply(report("wamid.D", "delivered")).advanced);
  const auto again = apply(report("wamid.D", "delivered"));
  EXPECT_TRUE(again.matched);
  EXPECT_FALSE(again.advanced);
  const auto sent_again = apply(report("wamid.D", "sent"));
  EXPECT_TRUE(sent_again.matched);
  EXPECT_FALSE(sent_again.advanced);
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE message_id = $1 AND status = 'delivered'",
                    {std::to_string(id)}),
            1);
  EXPECT_EQ(events_of(id).size(), 5u);
}

TEST_F(StatusReportTest, DeliveredAfterReadChangesNothing) {
  const auto id = in_flight("wamid.R");
  EXPECT_TRUE(apply(report("wamid.R", "read")).advanced);  // Meta skipped delivered
  const auto late = apply(report("wamid.R", "delivered"));
  EXPECT_TRUE(late.matched);
  EXPECT_FALSE(late.advanced);
  EXPECT_EQ(status_of(id), "read");
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "sent", "read"}));
  EXPECT_FALSE(apply(report("wamid.R", "failed")).advanced);  // read is final
}

TEST_F(StatusReportTest, FailedStoresTheErrorCode) {
  const auto id = in_flight("wamid.F");
  auto failed = report("wamid.F", "failed");
  failed.error_code = "131049";
  failed.error_detail = "healthy ecosystem engagement";
  const auto r = apply(failed);
  EXPECT_TRUE(r.advanced);
  EXPECT_EQ(status_of(id), "failed");
  const auto reason = sql_text("SELECT status_reason FROM messages WHERE id = $1", {std::to_string(id)});
  EXPECT_NE(reason.find("131049"), std::string::npos) << reason;
  EXPECT_NE(reason.find("healthy ecosystem engagement"), std::string::npos) << reason;
  EXPECT_EQ(sql_text("SELECT detail->>'error_code' FROM message_events WHERE message_id = $1 AND status = 'failed'",
                     {std::to_string(id)}),
            "131049");
  EXPECT_FALSE(apply(report("wamid.F", "delivered")).advanced);  // failed is final
}

TEST_F(StatusReportTest, AWebhookWithALongMultibyteErrorDetailIsStored) {
  // End to end from Meta's body: a details text longer than what we keep, with "ç" at the cut.
  const auto id = in_flight("wamid.L");
  const std::string body = R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",
      "value":{"metadata":{"phone_number_id":"PN-1"},"statuses":[{"id":"wamid.L","status":"failed",
      "timestamp":"1751142888","errors":[{"code":131000,"error_data":{"details":")" +
                           std::string(499, 'a') + "ção" + R"("}}]}]}}]}]})";
  auto hook = parse_cloud_api_webhook(body);
  ASSERT_TRUE(hook) << hook.error().message;
  ASSERT_EQ(hook->statuses.size(), 1u);
  auto result = apply_status_report(conn_, hook->statuses[0]);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->advanced);
  EXPECT_EQ(status_of(id), "failed");
}

TEST_F(StatusReportTest, UnknownWamidIsNotMatched) {
  in_flight("wamid.KNOWN");
  const auto r = apply(report("wamid.UNKNOWN", "delivered"));
  EXPECT_FALSE(r.matched);
  EXPECT_FALSE(r.advanced);
}

TEST_F(StatusReportTest, PlayedAndUnknownStatusesDoNotMoveTheLifecycle) {
  const auto id = in_flight("wamid.P");
  EXPECT_FALSE(apply(report("wamid.P", "played")).advanced);
  EXPECT_FALSE(apply(report("wamid.P", "deleted")).advanced);
  EXPECT_FALSE(apply(report("wamid.P", "queued")).advanced);
  EXPECT_EQ(status_of(id), "sent");
  EXPECT_EQ(events_of(id).size(), 4u);
}

TEST_F(StatusReportTest, AReportNeverTouchesAMessageThatWasNotSent) {
  const auto id = insert_one(tenant_, session_, text_request("+5511987654321", "x"));  // queued
  const auto r = apply(report("wamid.Q", "delivered", std::to_string(id)));
  EXPECT_TRUE(r.matched);
  EXPECT_FALSE(r.advanced);
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE provider_message_id IS NOT NULL"), 0);
}

TEST_F(StatusReportTest, MissingTimestampUsesTheServerClock) {
  const auto id = in_flight("wamid.T");
  auto r = report("wamid.T", "delivered");
  r.timestamp = 0;
  EXPECT_TRUE(apply(r).advanced);
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE message_id = $1 AND status = 'delivered' AND "
                    "occurred_at > now() - interval '1 hour'",
                    {std::to_string(id)}),
            1);
}

}  // namespace
}  // namespace disparo::dispatch::test
