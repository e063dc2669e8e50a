// QueueStore against a live PostgreSQL, the answering side: what each retry decision does to a
// message and its session, outcomes that are never answered, and crash recovery of claims
// whose attempt was interrupted.
#include <gtest/gtest.h>

#include "tests/dispatcher/queue_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;

// --- record_attempt -----------------------------------------------------------------------------

TEST_F(QueueTest, MarkSentStoresTheProviderIds) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::accepted;
  outcome.provider_message_id = "wamid.SENT";
  outcome.wa_id = "551187654321";
  outcome.http_status = 200;
  record(id, outcome, decision(Action::mark_sent));
  EXPECT_EQ(status_of(id), "sent");
  EXPECT_EQ(sql_text("SELECT provider_message_id || ' ' || wa_id FROM messages WHERE id = $1", {std::to_string(id)}),
            "wamid.SENT 551187654321");
  EXPECT_EQ(attempts_of(id), 1);
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "sent"}));
  EXPECT_EQ(sql_text("SELECT detail->>'provider_message_id' FROM message_events WHERE message_id = $1 AND "
                     "status = 'sent'",
                     {std::to_string(id)}),
            "wamid.SENT");
}

TEST_F(QueueTest, MarkSentAfterAWebhookAdvancedItKeepsTheLaterStatus) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  // The delivered webhook (matched by our id) overtook the HTTP answer.
  sql("UPDATE messages SET status = 'delivered' WHERE id = $1", {std::to_string(id)});
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::accepted;
  outcome.provider_message_id = "wamid.LATE";
  outcome.wa_id = "551187654321";
  record(id, outcome, decision(Action::mark_sent));
  EXPECT_EQ(status_of(id), "delivered");
  EXPECT_EQ(sql_text("SELECT provider_message_id FROM messages WHERE id = $1", {std::to_string(id)}), "wamid.LATE");
  EXPECT_EQ(sql_text("SELECT wa_id FROM messages WHERE id = $1", {std::to_string(id)}), "551187654321");
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending"}));
}

TEST_F(QueueTest, MarkSentKeepsAProviderIdAWebhookAlreadyStored) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  sql("UPDATE messages SET status = 'read', provider_message_id = 'wamid.HOOK' WHERE id = $1", {std::to_string(id)});
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::accepted;
  outcome.provider_message_id = "wamid.HOOK";
  record(id, outcome, decision(Action::mark_sent));
  EXPECT_EQ(status_of(id), "read");
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE provider_message_id = 'wamid.HOOK'"), 1);
}

TEST_F(QueueTest, RequeueSpendsTheAttemptAndDelays) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::transient;
  outcome.error_code = "131000";
  outcome.http_status = 500;
  record(id, outcome, decision(Action::requeue, 90s, false, "transient: provider code 131000"));
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_EQ(attempts_of(id), 1);
  EXPECT_EQ(reason_of(id), "transient: provider code 131000");
  EXPECT_NEAR(due_in(id), 90.0, 5.0);
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "queued"}));
  EXPECT_EQ(sql_text("SELECT detail->>'error_code' FROM message_events WHERE message_id = $1 ORDER BY id DESC LIMIT 1",
                     {std::to_string(id)}),
            "131000");
  EXPECT_FALSE(claim(session_));  // not due yet
  // The next claim counts the second attempt.
  sql("UPDATE messages SET send_at = now() WHERE id = $1", {std::to_string(id)});
  const auto again = claim(session_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(reason_of(id), "<null>");
}

TEST_F(QueueTest, RateLimitRequeueRefundsTheAttempt) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::slow_down;
  record(id, outcome, decision(Action::requeue, 30s, true, "slow_down"));
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_EQ(attempts_of(id), 0);
  EXPECT_NEAR(due_in(id), 30.0, 5.0);
}

TEST_F(QueueTest, FailIsTerminalWithItsReason) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::permanent;
  outcome.error_code = "131026";
  record(id, outcome, decision(Action::fail, 0ms, false, "permanent: provider code 131026"));
  EXPECT_EQ(status_of(id), "failed");
  EXPECT_EQ(reason_of(id), "permanent: provider code 131026");
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "failed"}));
  EXPECT_FALSE(claim(session_));
}

TEST_F(QueueTest, PauseSessionPausesItAndRequeuesTheMessageUntouched) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::pause_session;
  outcome.error_code = "131048";
  record(id, outcome, decision(Action::pause_session, 0ms, true, "pause_session: provider code 131048"));
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_EQ(attempts_of(id), 0);
  EXPECT_EQ(reason_of(id), "session paused: pause_session: provider code 131048");
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "queued"}));
  EXPECT_EQ(sql_text("SELECT state || ' / ' || paused_reason FROM whatsapp_sessions WHERE id = $1",
                     {std::to_string(session_)}),
            "paused / pause_session: provider code 131048");
  EXPECT_EQ(sql_text("SELECT state || ' / ' || reason FROM session_events WHERE session_id = $1",
                     {std::to_string(session_)}),
            "paused / pause_session: provider code 131048");
  auto sessions = load_active_sessions(conn_);
  ASSERT_TRUE(sessions);
  EXPECT_TRUE(sessions->empty());
}

TEST_F(QueueTest, AwaitWebhookLeavesItSendingWithAReason) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::unknown;
  outcome.detail = "read timed out";
  record(id, outcome, decision(Action::await_webhook, 0ms, false, "unknown (read timed out)"));
  EXPECT_EQ(status_of(id), "sending");
  EXPECT_EQ(attempts_of(id), 1);
  EXPECT_NE(reason_of(id).find("unknown (read timed out)"), std::string::npos) << reason_of(id);
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending", "sending"}));
  EXPECT_FALSE(claim(session_));
}

TEST_F(QueueTest, AnAttemptOnAMessageNoLongerSendingChangesNothing) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_EQ(claim_id(session_), id);
  SendOutcome outcome;
  outcome.outcome = OutcomeClass::permanent;
  record(id, outcome, decision(Action::fail, 0ms, false, "first"));
  record(id, outcome, decision(Action::requeue, 0ms, true, "second"));
  EXPECT_EQ(status_of(id), "failed");
  EXPECT_EQ(reason_of(id), "first");
  EXPECT_EQ(attempts_of(id), 1);
  EXPECT_EQ(events_of(id).size(), 4u);
}


// --- outcomes never answered ------------------------------------------------------------------

TEST_F(QueueTest, UnknownOutcomesFailAfterTheirGracePeriod) {
  const auto old_wait = enqueue("a", now_ - 2s);
  const auto new_wait = enqueue("b", now_ - 1s);
  ASSERT_EQ(claim_id(session_), old_wait);
  ASSERT_EQ(claim_id(session_), new_wait);
  SendOutcome unknown;
  unknown.outcome = OutcomeClass::unknown;
  record(old_wait, unknown, decision(Action::await_webhook, 0ms, false, "unknown"));
  record(new_wait, unknown, decision(Action::await_webhook, 0ms, false, "unknown"));
  sql("UPDATE messages SET updated_at = now() - interval '2 hours' WHERE id = $1", {std::to_string(old_wait)});
  auto failed = fail_unknown_outcomes(conn_, std::chrono::seconds(3600));
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(*failed, 1);
  EXPECT_EQ(status_of(old_wait), "failed");
  EXPECT_EQ(events_of(old_wait).back(), "failed");
  EXPECT_EQ(status_of(new_wait), "sending");
  // A message simply in flight (no unknown outcome) is not touched, however old.
  const auto in_flight = enqueue("c", now_ - 1s);
  ASSERT_EQ(claim_id(session_), in_flight);
  sql("UPDATE messages SET updated_at = now() - interval '2 hours' WHERE id = $1", {std::to_string(in_flight)});
  EXPECT_EQ(*fail_unknown_outcomes(conn_, std::chrono::seconds(3600)), 0);
  EXPECT_EQ(status_of(in_flight), "sending");
}


// --- requeue_interrupted ------------------------------------------------------------------------

TEST_F(QueueTest, RequeueInterruptedReturnsUnansweredClaimsOnly) {
  const auto unanswered = enqueue("a", now_ - 3s);
  const auto waiting = enqueue("b", now_ - 2s);
  const auto sent = enqueue("c", now_ - 1s);
  const auto queued = enqueue("d", now_ + 1h);
  ASSERT_EQ(claim_id(session_), unanswered);
  ASSERT_EQ(claim_id(session_), waiting);
  ASSERT_EQ(claim_id(session_), sent);
  SendOutcome unknown;
  unknown.outcome = OutcomeClass::unknown;
  record(waiting, unknown, decision(Action::await_webhook, 0ms, false, "unknown"));
  SendOutcome accepted;
  accepted.outcome = OutcomeClass::accepted;
  accepted.provider_message_id = "wamid.C";
  record(sent, accepted, decision(Action::mark_sent));

  // Another session's interrupted claim is its own lease holder's business.
  const auto other = add_session(tenant_, SessionSpec("other"));
  auto elsewhere = text_request("+5511987654321", "e");
  elsewhere.send_at = now_ - 1s;
  const auto other_message = insert_one(tenant_, other, elsewhere);
  ASSERT_TRUE(claim(other));

  auto requeued = requeue_interrupted(conn_, session_);
  ASSERT_TRUE(requeued) << requeued.error().message;
  EXPECT_EQ(*requeued, 1);
  EXPECT_EQ(status_of(other_message), "sending");
  EXPECT_EQ(status_of(unanswered), "queued");
  EXPECT_NE(reason_of(unanswered).find("restart"), std::string::npos);
  EXPECT_EQ(events_of(unanswered), (std::vector<std::string>{"accepted", "queued", "sending", "queued"}));
  EXPECT_EQ(status_of(waiting), "sending");
  EXPECT_EQ(status_of(sent), "sent");
  EXPECT_EQ(status_of(queued), "queued");
  EXPECT_EQ(events_of(queued).size(), 2u);

  requeued = requeue_interrupted(conn_, session_);
  ASSERT_TRUE(requeued);
  EXPECT_EQ(*requeued, 0);  // nothing left to recover
  EXPECT_EQ(claim_id(session_), unanswered);  // and it is claimable again
}

}  // namespace
}  // namespace disparo::dispatch::test
