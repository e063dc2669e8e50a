// The status-callback outbox against a live PostgreSQL: what the enqueue trigger writes (which
// URL wins, the payload, one delivery per changed message of a many-row statement), claims
// (lease, SKIP LOCKED, per-message order), and how each recorded attempt moves a delivery
// (delivered, backoff, failed after the last attempt, 410 Gone, a late answer from a lapsed
// claim).
#include "dispatcher/callbacks/callback_store.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/callbacks/callback_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;
using Action = CallbackDecision::Action;

class CallbackStoreTest : public CallbackDbTest {
 protected:
  CallbackStoreTest() {
    tenant_ = add_tenant("acme", "http://crm.example/tenant-hook");
    session_ = add_session(tenant_);
  }

  std::vector<DueCallback> claim(int limit = 10, std::chrono::milliseconds lease = 60s) {
    auto claimed = claim_due_callbacks(conn_, limit, lease);
    if (!claimed) throw std::runtime_error("claim failed: " + claimed.error().message);
    return std::move(*claimed);
  }

  bool record(const DueCallback& delivery, const CallbackAttemptOutcome& outcome,
              const CallbackDecision& decision) {
    auto done = record_callback_attempt(conn_, delivery, outcome, decision);
    if (!done) throw std::runtime_error("record failed: " + done.error().message);
    return *done;
  }

  // The delivery of a message that just moved queued -> sent.
  std::int64_t one_delivery(std::optional<std::string> message_url = std::nullopt) {
    const auto message = add_message(tenant_, session_, std::move(message_url));
    set_status(message, "sent");
    return sql_int("SELECT id FROM callback_deliveries WHERE message_id = $1",
                   {std::to_string(message)});
  }

  static CallbackAttemptOutcome answer(int status, std::string error = "") {
    CallbackAttemptOutcome outcome;
    outcome.result =
        status >= 200 && status < 300 ? CallbackResult::ok : CallbackResult::http_error;
    outcome.http_status = status;
    outcome.error = std::move(error);
    outcome.duration = 12ms;
    return outcome;
  }

  static CallbackDecision decision(Action action, std::chrono::milliseconds delay = 0ms) {
    CallbackDecision d;
    d.action = action;
    d.delay = delay;
    return d;
  }

  // Seconds from now until the delivery is next due.
  double due_in(std::int64_t delivery) {
    return std::stod(sql_text(
        "SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM callback_deliveries "
        "WHERE id = $1",
        {std::to_string(delivery)}));
  }

  std::int64_t tenant_ = 0;
  std::int64_t session_ = 0;
};

TEST_F(CallbackStoreTest, TriggerUsesTheMessageUrlOverTheTenantUrl) {
  const auto message = add_message(tenant_, session_, "http://crm.example/message-hook");
  set_status(message, "sent");
  auto rows =
      sql("SELECT url, event_type, state, attempts, payload->>'type', payload->'data'->>'id', "
          "payload->'data'->>'status', payload->'data'->>'previous_status', "
          "payload->'data'->'metadata'->>'invoice', payload->>'timestamp' "
          "FROM callback_deliveries WHERE message_id = $1",
          {std::to_string(message)});
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.text(0, 0), "http://crm.example/message-hook");
  EXPECT_EQ(rows.text(0, 1), "message.sent");
  EXPECT_EQ(rows.text(0, 2), "pending");
  EXPECT_EQ(rows.int64(0, 3), 0);
  EXPECT_EQ(rows.text(0, 4), "message.sent");
  EXPECT_EQ(rows.text(0, 5), std::to_string(message));
  EXPECT_EQ(rows.text(0, 6), "sent");
  EXPECT_EQ(rows.text(0, 7), "queued");
  EXPECT_EQ(rows.text(0, 8), "INV-7");
  EXPECT_FALSE(rows.text(0, 9).empty());
}

TEST_F(CallbackStoreTest, TriggerFallsBackToTheTenantUrl) {
  const auto message = add_message(tenant_, session_);
  set_status(message, "sending");
  set_status(message, "sent");
  auto rows =
      sql("SELECT url, event_type FROM callback_deliveries WHERE message_id = $1 ORDER BY id",
          {std::to_string(message)});
  ASSERT_EQ(rows.size(), 2);
  EXPECT_EQ(rows.text(0, 0), "http://crm.example/tenant-hook");
  EXPECT_EQ(rows.text(0, 1), "message.sending");
  EXPECT_EQ(rows.text(1, 1), "message.sent");
}

TEST_F(CallbackStoreTest, TriggerEnqueuesNothingWithoutAUrlOrAChange) {
  const auto quiet = add_tenant("quiet", std::nullopt);
  const auto quiet_session = add_session(quiet);
  const auto message = add_message(quiet, quiet_session);
  set_status(message, "sent");
  EXPECT_EQ(deliveries_of(message), 0);

  const auto blank = add_tenant("blank", "");
  const auto blank_message = add_message(blank, add_session(blank));
  set_status(blank_message, "sent");
  EXPECT_EQ(deliveries_of(blank_message), 0);

  const auto same = add_message(tenant_, session_);
  set_status(same, "queued");  // not a change
  sql("UPDATE messages SET status_reason = 'x' WHERE id = $1", {std::to_string(same)});
  EXPECT_EQ(deliveries_of(same), 0);
}

TEST_F(CallbackStoreTest, OneStatementQueuesOneDeliveryPerChangedMessage) {
  // The dispatcher moves hundreds of messages per statement, often from two parts of one WITH
  // (the outcome record's "overtaken" and "moved"): every message whose status changed gets its
  // delivery with its own URL and previous status; the others get none.
  const auto by_tenant = add_message(tenant_, session_);
  const auto by_message = add_message(tenant_, session_, "http://crm.example/message-hook");
  const auto quiet = add_tenant("quiet", std::nullopt);
  const auto no_url = add_message(quiet, add_session(quiet));
  const auto unchanged = add_message(tenant_, session_);
  set_status(by_message, "sending");
  sql(R"SQL(
WITH first AS (
  UPDATE messages SET status = 'sent', updated_at = now() WHERE id = $1 RETURNING id
), second AS (
  UPDATE messages SET status = CASE WHEN id = $4 THEN status ELSE 'failed' END, status_reason = 'x'
  WHERE id IN ($2, $3, $4) RETURNING id)
SELECT (SELECT count(*) FROM first) + (SELECT count(*) FROM second))SQL",
      {std::to_string(by_tenant), std::to_string(by_message), std::to_string(no_url),
       std::to_string(unchanged)});

  auto rows = sql(
      "SELECT message_id, url, event_type, payload->'data'->>'previous_status', "
      "payload->'data'->>'reason' FROM callback_deliveries "
      "WHERE message_id IN ($1, $2, $3, $4) ORDER BY message_id, id",
      {std::to_string(by_tenant), std::to_string(by_message), std::to_string(no_url),
       std::to_string(unchanged)});
  ASSERT_EQ(rows.size(), 3);
  EXPECT_EQ(rows.int64(0, 0), by_tenant);
  EXPECT_EQ(rows.text(0, 1), "http://crm.example/tenant-hook");
  EXPECT_EQ(rows.text(0, 2), "message.sent");
  EXPECT_EQ(rows.text(0, 3), "queued");
  EXPECT_EQ(rows.int64(1, 0), by_message);
  EXPECT_EQ(rows.text(1, 2), "message.sending");  // its own earlier statement
  EXPECT_EQ(rows.int64(2, 0), by_message);
  EXPECT_EQ(rows.text(2, 1), "http://crm.example/message-hook");
  EXPECT_EQ(rows.text(2, 2), "message.failed");
  EXPECT_EQ(rows.text(2, 3), "sending");
  EXPECT_EQ(rows.text(2, 4), "x");
}

TEST_F(CallbackStoreTest, ClaimLeasesCountsTheAttemptAndJoinsTheSecret) {
  const auto first = one_delivery();
  const auto second = one_delivery();
  auto claimed = claim(10, 60s);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].id, first);
  EXPECT_EQ(claimed[1].id, second);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].secret, kTestSecret);
  EXPECT_EQ(claimed[0].tenant_id, tenant_);
  EXPECT_EQ(claimed[0].url, "http://crm.example/tenant-hook");
  EXPECT_EQ(claimed[0].event_type, "message.sent");
  EXPECT_NE(claimed[0].body.find("\"message.sent\""), std::string::npos);
  EXPECT_GT(due_in(first), 55.0);
  EXPECT_LE(due_in(first), 60.0);

  EXPECT_TRUE(claim().empty()) << "leased deliveries are not due";
  make_all_due();  // the lease ran out (the process died mid-attempt)
  auto again = claim();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].attempts, 2);
}

TEST_F(CallbackStoreTest, ClaimHonoursTheLimitAndTheDueTime) {
  for (int i = 0; i < 5; ++i) one_delivery();
  sql("UPDATE callback_deliveries SET next_attempt_at = now() + interval '1 hour' "
      "WHERE id = (SELECT max(id) FROM callback_deliveries)");
  EXPECT_EQ(claim(3).size(), 3u);
  EXPECT_EQ(claim(10).size(), 1u);
  EXPECT_TRUE(claim(10).empty());
}

TEST_F(CallbackStoreTest, CallbacksOfOneMessageGoOutInOrder) {
  const auto message = add_message(tenant_, session_);
  set_status(message, "sent");
  set_status(message, "delivered");
  set_status(message, "read");
  auto first = claim();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].event_type, "message.sent");
  make_all_due();
  auto still_first = claim();  // its lease ran out: the same one again, never the next
  ASSERT_EQ(still_first.size(), 1u);
  EXPECT_EQ(still_first[0].event_type, "message.sent");
  ASSERT_TRUE(record(still_first[0], answer(200), decision(Action::delivered)));
  auto second = claim();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].event_type, "message.delivered");
  // A failed callback does not hold the later ones back for ever.
  ASSERT_TRUE(record(second[0], answer(410), decision(Action::fail)));
  auto third = claim();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].event_type, "message.read");
}

TEST_F(CallbackStoreTest, ConcurrentClaimsNeverShareADelivery) {
  for (int i = 0; i < 10; ++i) one_delivery();
  auto other = db_.connect();
  ASSERT_TRUE(conn_.exec_script("BEGIN"));
  auto mine = claim(5);  // row locks held until COMMIT
  auto theirs = claim_due_callbacks(other, 10, 60s);
  ASSERT_TRUE(theirs);
  ASSERT_TRUE(conn_.exec_script("COMMIT"));
  EXPECT_EQ(mine.size(), 5u);
  EXPECT_EQ(theirs->size(), 5u);
  std::set<std::int64_t> ids;
  for (const auto& d : mine) ids.insert(d.id);
  for (const auto& d : *theirs) ids.insert(d.id);
  EXPECT_EQ(ids.size(), 10u);
}

TEST_F(CallbackStoreTest, DeliveredRecordsTheAttemptAndTheTime) {
  const auto id = one_delivery();
  auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_TRUE(record(claimed[0], answer(204), decision(Action::delivered)));
  EXPECT_EQ(state_of(id), "delivered");
  EXPECT_EQ(
      sql_int("SELECT count(*) FROM callback_deliveries WHERE id = $1 AND delivered_at IS NOT NULL",
              {std::to_string(id)}),
      1);
  auto attempt =
      sql("SELECT http_status, error, duration_ms FROM callback_attempts WHERE delivery_id = $1",
          {std::to_string(id)});
  ASSERT_EQ(attempt.size(), 1);
  EXPECT_EQ(attempt.int64(0, 0), 204);
  EXPECT_TRUE(attempt.is_null(0, 1));
  EXPECT_EQ(attempt.int64(0, 2), 12);
  make_all_due();
  EXPECT_TRUE(claim().empty()) << "a delivered callback is never sent again";
}

TEST_F(CallbackStoreTest, RetrySchedulesTheNextAttempt) {
  const auto id = one_delivery();
  auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_TRUE(record(claimed[0], answer(503, "HTTP 503: busy"), decision(Action::retry, 30s)));
  EXPECT_EQ(state_of(id), "pending");
  EXPECT_GT(due_in(id), 25.0);
  EXPECT_LE(due_in(id), 30.0);
  EXPECT_EQ(
      sql_text("SELECT error FROM callback_attempts WHERE delivery_id = $1", {std::to_string(id)}),
      "HTTP 503: busy");
  EXPECT_TRUE(claim().empty());
}

TEST_F(CallbackStoreTest, FailsAfterTheLastAttempt) {
  const auto id = one_delivery();
  CallbackRetrySettings settings;
  settings.max_attempts = 3;
  std::mt19937_64 random(7);
  CallbackAttemptOutcome refused;
  refused.result = CallbackResult::network_error;
  refused.error = "connect 127.0.0.1:1: Connection refused";
  for (int round = 1; round <= 3; ++round) {
    make_all_due();
    auto claimed = claim();
    ASSERT_EQ(claimed.size(), 1u) << round;
    EXPECT_EQ(claimed[0].attempts, round);
    const auto next = decide_after_callback(refused, claimed[0].attempts, settings, random);
    EXPECT_EQ(next.action, round < 3 ? Action::retry : Action::fail);
    EXPECT_TRUE(record(claimed[0], refused, next));
  }
  EXPECT_EQ(state_of(id), "failed");
  EXPECT_EQ(attempts_of(id), 3);
  EXPECT_EQ(
      sql_int(
          "SELECT count(*) FROM callback_attempts WHERE delivery_id = $1 AND http_status IS NULL",
          {std::to_string(id)}),
      3);
  make_all_due();
  EXPECT_TRUE(claim().empty()) << "a failed callback is never sent again";
}

TEST_F(CallbackStoreTest, GoneFailsAtOnce) {
  const auto id = one_delivery();
  auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  std::mt19937_64 random(7);
  const auto gone = answer(410, "HTTP 410: gone");
  EXPECT_TRUE(
      record(claimed[0], gone, decide_after_callback(gone, 1, CallbackRetrySettings{}, random)));
  EXPECT_EQ(state_of(id), "failed");
  EXPECT_EQ(attempts_of(id), 1);
}

TEST_F(CallbackStoreTest, ALateAnswerFromALapsedClaimDoesNotUndoTheNewerOne) {
  const auto id = one_delivery();
  auto stale = claim();
  ASSERT_EQ(stale.size(), 1u);
  make_all_due();
  auto current = claim();
  ASSERT_EQ(current.size(), 1u);
  ASSERT_EQ(current[0].attempts, 2);
  const double before = due_in(id);
  EXPECT_FALSE(record(stale[0], answer(500), decision(Action::retry, 0ms)));
  EXPECT_FALSE(record(stale[0], answer(500), decision(Action::fail)));
  EXPECT_EQ(state_of(id), "pending");
  EXPECT_GT(due_in(id), before - 5.0) << "the current claim's lease is untouched";
  EXPECT_EQ(attempts_of(id), 2) << "the stale attempts are still on record";
  // A 2xx is a fact whoever reports it.
  EXPECT_TRUE(record(stale[0], answer(200), decision(Action::delivered)));
  EXPECT_EQ(state_of(id), "delivered");
}

TEST_F(CallbackStoreTest, ErrorTextIsStoredAsPrintableText) {
  const auto id = one_delivery();
  auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_TRUE(record(claimed[0],
                     answer(500, "HTTP 500: \xff\xfe bad\nbytes " + std::string(1000, 'x')),
                     decision(Action::retry, 1s)));
  const auto error =
      sql_text("SELECT error FROM callback_attempts WHERE delivery_id = $1", {std::to_string(id)});
  EXPECT_EQ(error.substr(0, 24), "HTTP 500: ?? bad bytes x");
  EXPECT_EQ(error.size(), 300u);
}

}  // namespace
}  // namespace disparo::dispatch::test
