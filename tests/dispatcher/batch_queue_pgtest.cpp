// The batched queue statements against a live PostgreSQL: one claim statement serves many
// sessions (each gets its own message, its own exclusions, its own lease check), one record
// transaction stores mixed outcomes, takeover requeues and replays the ledger per session, and
// lease renewal reports what was lost.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "common/rfc3339.hpp"
#include "dispatcher/batch_queue_store.hpp"
#include "tests/dispatcher/queue_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;

class BatchQueueTest : public QueueTest {
 protected:
  std::int64_t enqueue_on(std::int64_t session, const std::string& to, const std::string& body, SysTime send_at) {
    auto request = text_request(to, body);
    request.send_at = send_at;
    request.expires_at = send_at + 24h;
    return insert_one(tenant_, session, request);
  }
  void lease(std::int64_t session, const char* owner = kOwner) {
    auto leased = acquire_lease(conn_, session, owner, 60s);
    ASSERT_TRUE(leased && *leased) << "lease of " << session;
  }
};

TEST_F(BatchQueueTest, OneStatementClaimsOneMessagePerSession) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2"));
  const auto third = add_session(tenant_, SessionSpec("third").phone("PN-3"));
  const auto a1 = enqueue_on(session_, "+5511911110001", "a1", now_ - 2min);
  enqueue_on(session_, "+5511911110002", "a2", now_ - 1min);
  const auto b1 = enqueue_on(second, "+5511922220001", "b1", now_ - 1min);
  const auto future = enqueue_on(third, "+5511933330001", "later", now_ + 1h);
  lease(session_);
  lease(second);
  lease(third);

  std::vector<ClaimRequest> requests{{session_, {}, {}}, {second, {}, {}}, {third, {}, {}}};
  auto results = claim_batch(conn_, kOwner, requests);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 3u);
  ASSERT_TRUE((*results)[0].claimed);
  EXPECT_EQ((*results)[0].claimed->message.id, a1);
  ASSERT_TRUE((*results)[1].claimed);
  EXPECT_EQ((*results)[1].claimed->message.id, b1);
  EXPECT_FALSE((*results)[2].claimed);
  ASSERT_TRUE((*results)[2].next_due);  // the scheduled one, about an hour ahead
  EXPECT_NEAR(std::chrono::duration<double>(*(*results)[2].next_due - now_).count(), 3600, 5);
  EXPECT_EQ(status_of(a1), "sending");
  EXPECT_EQ(status_of(b1), "sending");
  EXPECT_EQ(status_of(future), "queued");
  // Each claim wrote its session's ledger row.
  EXPECT_EQ(sql_int("SELECT count(*) FROM session_sends WHERE session_id = $1", {std::to_string(session_)}), 1);
  EXPECT_EQ(sql_int("SELECT count(*) FROM session_sends WHERE session_id = $1", {std::to_string(second)}), 1);
}

TEST_F(BatchQueueTest, ClaimAheadTakesWhatIsDueWithinTheHorizonAndLedgersItsSendAt) {
  const auto soon = enqueue_on(session_, "+5511911120001", "soon", now_ + 3s);
  const auto later = enqueue_on(session_, "+5511911120002", "later", now_ + 5min);
  lease(session_);
  const auto send_at_of = [&](std::int64_t id) {
    return *parse_rfc3339(sql_text("SELECT disparo_rfc3339(send_at) FROM messages WHERE id = $1", {std::to_string(id)}));
  };

  // Without a look-ahead nothing is due yet; the runner learns when the next one is.
  std::vector<ClaimRequest> at_once{{session_, {}, {}, 0ms}};
  auto none = claim_batch(conn_, kOwner, at_once);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE((*none)[0].claimed);
  ASSERT_TRUE((*none)[0].next_due);
  EXPECT_EQ(*(*none)[0].next_due, send_at_of(soon));

  // Ten seconds ahead: the one due in 3 s is claimed, with its send_at as the instant to send it
  // and as the ledger's start; the one due in 5 minutes is not, and is reported as next.
  std::vector<ClaimRequest> ahead{{session_, {}, {}, 10s}};
  auto got = claim_batch(conn_, kOwner, ahead);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE((*got)[0].claimed);
  EXPECT_EQ((*got)[0].claimed->message.id, soon);
  EXPECT_EQ((*got)[0].claimed->due, send_at_of(soon));
  EXPECT_EQ(sql_text("SELECT disparo_rfc3339(started_at) FROM session_sends WHERE message_id = $1", {std::to_string(soon)}),
            format_rfc3339(send_at_of(soon)));
  auto next = claim_batch(conn_, kOwner, ahead);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_FALSE((*next)[0].claimed);
  ASSERT_TRUE((*next)[0].next_due);
  EXPECT_EQ(*(*next)[0].next_due, send_at_of(later));
  EXPECT_EQ(status_of(later), "queued");

  // A message that would expire before its send_at is never claimed ahead of it.
  const auto doomed = enqueue_on(session_, "+5511911120003", "doomed", now_ + 2s);
  ASSERT_EQ(sql_int("WITH u AS (UPDATE messages SET expires_at = send_at - interval '1 millisecond' "
                    "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", {std::to_string(doomed)}), 1);
  auto skipped = claim_batch(conn_, kOwner, ahead);
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_FALSE((*skipped)[0].claimed);
  EXPECT_EQ(status_of(doomed), "queued");

  // An overdue message is due now (the claim's instant), never in its past.
  const auto overdue = enqueue_on(session_, "+5511911120004", "overdue", now_ - 1min);
  auto late = claim_batch(conn_, kOwner, at_once);
  ASSERT_TRUE(late) << late.error().message;
  ASSERT_TRUE((*late)[0].claimed);
  EXPECT_EQ((*late)[0].claimed->message.id, overdue);
  EXPECT_GE((*late)[0].claimed->due, now_);
}

TEST_F(BatchQueueTest, ExclusionsApplyOnlyToTheirOwnSession) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2"));
  const std::string shared = "+5511944440001";
  const auto on_first = enqueue_on(session_, shared, "first", now_ - 1min);
  const auto on_second = enqueue_on(second, shared, "second", now_ - 1min);
  lease(session_);
  lease(second);
  // The first session blocks the recipient; the second does not.
  std::vector<ClaimRequest> requests{{session_, {shared}, {}}, {second, {}, {}}};
  auto results = claim_batch(conn_, kOwner, requests);
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_FALSE((*results)[0].claimed);
  ASSERT_TRUE((*results)[1].claimed);
  EXPECT_EQ((*results)[1].claimed->message.id, on_second);
  EXPECT_EQ(status_of(on_first), "queued");
}

TEST_F(BatchQueueTest, EachSessionSkipsEveryOneOfItsOwnExclusions) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2"));
  auto grouped = [&](std::int64_t session, const std::string& to, const std::string& group, SysTime at) {
    auto request = text_request(to, "grouped");
    request.send_at = at;
    request.expires_at = at + 24h;
    request.group_id = group;
    request.group_interval = 30s;
    return insert_one(tenant_, session, request);
  };
  // The first session blocks two recipients and a group: only its newest message is free.
  enqueue_on(session_, "+5511977770001", "blocked recipient", now_ - 4min);
  enqueue_on(session_, "+5511977770002", "blocked recipient", now_ - 3min);
  grouped(session_, "+5511977770003", "run-1", now_ - 2min);
  const auto free_one = enqueue_on(session_, "+5511977770004", "free", now_ - 1min);
  // The second session blocks another group: the first session's exclusions are not its own.
  const auto theirs = grouped(second, "+5511977770001", "run-1", now_ - 5min);
  lease(session_);
  lease(second);
  std::vector<ClaimRequest> requests{{session_, {"+5511977770001", "+5511977770002"}, {"run-1"}},
                                     {second, {"+5511900000000"}, {"run-2"}}};
  auto results = claim_batch(conn_, kOwner, requests);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_TRUE((*results)[0].claimed);
  EXPECT_EQ((*results)[0].claimed->message.id, free_one);
  ASSERT_TRUE((*results)[1].claimed);
  EXPECT_EQ((*results)[1].claimed->message.id, theirs);
}

TEST_F(BatchQueueTest, SessionsWhoseLeaseIsElsewhereAreReportedNotClaimed) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2"));
  enqueue_on(session_, "+5511955550001", "mine", now_ - 1min);
  const auto theirs = enqueue_on(second, "+5511955550002", "theirs", now_ - 1min);
  lease(session_);
  lease(second, "instance-b");
  std::vector<ClaimRequest> requests{{session_, {}, {}}, {second, {}, {}}};
  auto results = claim_batch(conn_, kOwner, requests);
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_TRUE((*results)[0].lease_held);
  EXPECT_TRUE((*results)[0].claimed);
  EXPECT_FALSE((*results)[1].lease_held);
  EXPECT_FALSE((*results)[1].claimed);
  EXPECT_EQ(status_of(theirs), "queued");
}

TEST_F(BatchQueueTest, OneTransactionRecordsMixedOutcomes) {
  const auto sent = enqueue_on(session_, "+5511966660001", "sent", now_ - 5min);
  const auto retried = enqueue_on(session_, "+5511966660002", "retried", now_ - 4min);
  const auto failed = enqueue_on(session_, "+5511966660003", "failed", now_ - 3min);
  const auto unknown = enqueue_on(session_, "+5511966660004", "unknown", now_ - 2min);
  for (int i = 0; i < 4; ++i) ASSERT_NE(claim_id(session_), 0);

  SendOutcome ok{OutcomeClass::accepted, "wamid.BATCH1", "5511966660001", "", "", 200};
  SendOutcome transient{OutcomeClass::transient, "", "", "131000", "try later", 500};
  SendOutcome permanent{OutcomeClass::permanent, "", "", "131026", "not on WhatsApp", 400};
  SendOutcome timeout{OutcomeClass::unknown, "", "", "", "timeout after write", 0};
  std::vector<AttemptRecord> records{
      {sent, session_, ok, decision(Action::mark_sent)},
      {retried, session_, transient, decision(Action::requeue, 30s, false, "transient: 131000")},
      {failed, session_, permanent, decision(Action::fail, 0ms, false, "not on WhatsApp")},
      {unknown, session_, timeout, decision(Action::await_webhook, 0ms, false, "timeout")}};
  auto done = record_attempts(conn_, records);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(status_of(sent), "sent");
  EXPECT_EQ(sql_text("SELECT provider_message_id FROM messages WHERE id = $1", {std::to_string(sent)}), "wamid.BATCH1");
  EXPECT_EQ(status_of(retried), "queued");
  EXPECT_NEAR(due_in(retried), 30, 3);
  EXPECT_EQ(status_of(failed), "failed");
  EXPECT_EQ(reason_of(failed), "not on WhatsApp");
  EXPECT_EQ(status_of(unknown), "sending");
  EXPECT_EQ(reason_of(unknown).rfind("outcome unknown", 0), 0u);
  // One event per transition, with the outcome in its detail.
  EXPECT_EQ(sql_text("SELECT detail->>'error_code' FROM message_events WHERE message_id = $1 AND status = 'failed'",
                     {std::to_string(failed)}),
            "131026");

  // Recording the same batch again changes nothing (the messages left "sending").
  auto again = record_attempts(conn_, records);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE message_id = $1 AND status = 'sent'", {std::to_string(sent)}), 1);
}

TEST_F(BatchQueueTest, ASentAnswerOvertakenByAReportKeepsTheStatusAndStoresTheIds) {
  const auto sent = enqueue_on(session_, "+5511966670001", "answered late", now_ - 2min);
  const auto plain = enqueue_on(session_, "+5511966670002", "answered", now_ - 1min);
  ASSERT_NE(claim_id(session_), 0);
  ASSERT_NE(claim_id(session_), 0);
  // A delivered report got there first (e.g. matched by the recipient's reply): no ids yet.
  ASSERT_TRUE(conn_.exec("UPDATE messages SET status = 'delivered' WHERE id = $1", {std::to_string(sent)}));
  SendOutcome late{OutcomeClass::accepted, "wamid.LATE", "5511966670001", "", "", 200};
  SendOutcome on_time{OutcomeClass::accepted, "wamid.ONTIME", "5511966670002", "", "", 200};
  std::vector<AttemptRecord> records{{sent, session_, late, decision(Action::mark_sent)},
                                     {plain, session_, on_time, decision(Action::mark_sent)}};
  auto done = record_attempts(conn_, records);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(status_of(sent), "delivered");
  EXPECT_EQ(sql_text("SELECT provider_message_id FROM messages WHERE id = $1", {std::to_string(sent)}), "wamid.LATE");
  EXPECT_EQ(sql_text("SELECT wa_id FROM messages WHERE id = $1", {std::to_string(sent)}), "5511966670001");
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE message_id = $1 AND status = 'sent'", {std::to_string(sent)}), 0);
  EXPECT_EQ(status_of(plain), "sent");
  EXPECT_EQ(sql_text("SELECT provider_message_id FROM messages WHERE id = $1", {std::to_string(plain)}), "wamid.ONTIME");
  EXPECT_EQ(sql_text("SELECT wa_id FROM messages WHERE id = $1", {std::to_string(plain)}), "5511966670002");
}

TEST_F(BatchQueueTest, TakeoverRequeuesLeftoversAndReplaysTheLedgerPerSession) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2"));
  const auto left = enqueue_on(session_, "+5511977770001", "left in sending", now_ - 2min);
  const auto other = enqueue_on(second, "+5511977770002", "other", now_ - 2min);
  lease(session_, "dead-instance");
  lease(second, "dead-instance");
  std::vector<ClaimRequest> claims{{session_, {}, {}}, {second, {}, {}}};
  ASSERT_TRUE(claim_batch(conn_, "dead-instance", claims));
  // The dead instance's leases run out.
  sql("UPDATE whatsapp_sessions SET lease_until = now() - interval '1 second' WHERE id IN ($1, $2)",
      {std::to_string(session_), std::to_string(second)});
  std::vector<TakeoverRequest> requests{{session_, now_ - 24h}, {second, now_ - 24h}};
  auto taken = take_over_sessions(conn_, kOwner, 60s, requests);
  ASSERT_TRUE(taken) << taken.error().message;
  ASSERT_EQ(taken->size(), 2u);
  for (const auto& result : *taken) {
    EXPECT_TRUE(result.acquired);
    EXPECT_EQ(result.requeued, 1);
    ASSERT_EQ(result.ledger.size(), 1u);  // the interrupted send still counts against the pace
  }
  EXPECT_EQ((*taken)[0].ledger[0].recipient, "+5511977770001");
  EXPECT_EQ((*taken)[1].ledger[0].recipient, "+5511977770002");
  EXPECT_EQ(status_of(left), "queued");
  EXPECT_EQ(status_of(other), "queued");

  // A live lease of another instance is not taken.
  auto again = take_over_sessions(conn_, "instance-c", 60s, requests);
  ASSERT_TRUE(again);
  EXPECT_FALSE((*again)[0].acquired);
  EXPECT_FALSE((*again)[1].acquired);
}

TEST_F(BatchQueueTest, ClaimsInFlightBlockTakeoversButNotRenewalsOrHolds) {
  const auto claimed = enqueue_on(session_, "+5511977780001", "in flight", now_ - 1min);
  lease(session_, "instance-a");
  // Instance A's claim, not committed yet (the statement runs inside an open transaction).
  pg::Connection claimer = db_.connect();
  ASSERT_TRUE(claimer.exec_script("BEGIN"));
  std::vector<ClaimRequest> claims{{session_, {}, {}}};
  auto got = claim_batch(claimer, "instance-a", claims);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE((*got)[0].claimed);

  // Renewing the lease and publishing a hold are not blocked by the claim.
  pg::Connection other = db_.connect();
  ASSERT_TRUE(other.exec_script("SET lock_timeout = '2s'"));
  auto renewed = renew_leases(other, "instance-a", 60s, {session_});
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_EQ(renewed->size(), 1u);
  ASSERT_TRUE(publish_holds(other, {HoldUpdate{session_, std::string("daily cap reached"), std::nullopt}}));
  // A takeover is: it waits for the claim (here until its lock timeout).
  sql(other, "UPDATE whatsapp_sessions SET lease_until = now() - interval '1 second' WHERE id = $1",
      {std::to_string(session_)});
  ASSERT_TRUE(other.exec_script("SET lock_timeout = '300ms'"));
  std::vector<TakeoverRequest> takeover{{session_, now_ - 24h}};
  auto blocked = take_over_sessions(other, "instance-b", 60s, takeover);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, "55P03");  // lock_not_available

  // Once the claim commits, the takeover goes through and requeues what A took.
  ASSERT_TRUE(claimer.exec_script("COMMIT"));
  auto taken = take_over_sessions(other, "instance-b", 60s, takeover);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_TRUE((*taken)[0].acquired);
  EXPECT_EQ((*taken)[0].requeued, 1);
  EXPECT_EQ(status_of(claimed), "queued");
}

TEST_F(BatchQueueTest, AClaimThatMeetsATakeoverReportsTheLeaseLostAndTakesNothing) {
  // The claim key-share-locks its lease row. A takeover that holds the row makes it wait; when
  // the takeover commits, the lock re-reads the row, finds another owner, and nothing is claimed.
  const auto waiting = enqueue_on(session_, "+5511977800001", "due", now_ - 1min);
  lease(session_, "instance-a");
  pg::Connection taker = db_.connect();
  ASSERT_TRUE(taker.exec_script("BEGIN"));
  const std::string id = std::to_string(session_);
  sql(taker, "SELECT id FROM whatsapp_sessions WHERE id = $1 FOR UPDATE", {id});
  sql(taker, "UPDATE whatsapp_sessions SET lease_owner = 'instance-b' WHERE id = $1", {id});

  pg::Connection claimer = db_.connect();
  std::optional<Expected<std::vector<ClaimResult>>> got;
  std::thread claim([&] {
    std::vector<ClaimRequest> claims{{session_, {}, {}}};
    got = claim_batch(claimer, "instance-a", claims);
  });
  // Let the claim reach the lease lock (it waits there) before the takeover commits.
  pg::Connection watcher = db_.connect();
  for (int i = 0; i < 200; ++i) {
    auto waiting_claims = sql(watcher,
                              "SELECT 1 FROM pg_stat_activity "
                              "WHERE wait_event_type = 'Lock' AND query LIKE '%lease AS%'");
    if (waiting_claims.size() > 0) break;
    std::this_thread::sleep_for(10ms);
  }
  const bool committed = static_cast<bool>(taker.exec_script("COMMIT"));
  claim.join();
  ASSERT_TRUE(committed);
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(*got) << got->error().message;
  EXPECT_FALSE((**got)[0].lease_held);
  EXPECT_FALSE((**got)[0].claimed);
  EXPECT_EQ(status_of(waiting), "queued");
}

TEST_F(BatchQueueTest, RenewalReportsLostLeasesAndReleaseFreesThem) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2"));
  lease(session_);
  lease(second);
  sql("UPDATE whatsapp_sessions SET state = 'paused' WHERE id = $1", {std::to_string(second)});
  std::vector<std::int64_t> ids{session_, second};
  auto held = renew_leases(conn_, kOwner, 60s, ids);
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_EQ(*held, (std::vector<std::int64_t>{session_}));
  ASSERT_TRUE(release_leases(conn_, kOwner, ids));
  EXPECT_EQ(sql_int("SELECT count(*) FROM whatsapp_sessions WHERE lease_owner IS NOT NULL AND id IN ($1, $2)",
                    {std::to_string(session_), std::to_string(second)}),
            0);
}

// Renewals and holds rewrite every held session row every few seconds; they must find room for
// the new version on the row's own page (a HOT update) instead of adding an entry to each of the
// table's indexes (migration 0011 keeps half of each page free). Checked on rows just inserted:
// whether later rounds stay HOT also depends on pruning, which other sessions' snapshots on a
// shared server can hold back.
TEST_F(BatchQueueTest, RenewalsAndHoldsUpdateSessionRowsInPlace) {
  auto add_sessions = [this](const std::string& prefix) {
    sql(R"SQL(
INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, phone_number_id, lease_owner, lease_until)
SELECT $1::bigint, $3 || g, 'cloud_api', 'http://127.0.0.1:1/v24.0', 'PN-' || $3 || g, $2, now() + interval '1 minute'
FROM generate_series(1, 300) g)SQL",
        {std::to_string(tenant_), kOwner, prefix});
    const pg::Rows rows = sql("SELECT id FROM whatsapp_sessions WHERE name LIKE $1 || '%' ORDER BY id", {prefix});
    std::vector<std::int64_t> ids;
    for (int r = 0; r < rows.size(); ++r) ids.push_back(rows.int64(r, 0));
    return ids;
  };
  // pg_stat_get_xact_* count this backend's updates not yet reported to the statistics, so the
  // transaction reads them before and after its statement.
  auto counters = [this] {
    return std::pair{sql_int("SELECT pg_stat_get_xact_tuples_updated('whatsapp_sessions'::regclass)"),
                     sql_int("SELECT pg_stat_get_xact_tuples_hot_updated('whatsapp_sessions'::regclass)")};
  };
  auto updates_in_transaction = [&](const std::function<void()>& statement) {
    sql("BEGIN");
    const auto before = counters();
    statement();
    const auto after = counters();
    sql("COMMIT");
    return std::pair{after.first - before.first, after.second - before.second};
  };

  const auto renewed_ids = add_sessions("renewed-");
  ASSERT_EQ(renewed_ids.size(), 300u);
  const auto renewal = updates_in_transaction([&] {
    auto held = renew_leases(conn_, kOwner, 60s, renewed_ids);
    ASSERT_TRUE(held) << held.error().message;
    EXPECT_EQ(held->size(), renewed_ids.size());
  });
  EXPECT_EQ(renewal.first, 300);
  // Measured: 300 of 300 renewals, 262 of 300 holds (a hold makes the row longer); with full
  // pages (fillfactor 100) 0 and 0.
  EXPECT_GE(renewal.second, 285) << "HOT renewals: " << renewal.second << " of " << renewal.first;

  std::vector<HoldUpdate> holds;
  for (const auto id : add_sessions("held-")) holds.push_back({id, std::string("daily cap reached"), now_ + 1h});
  ASSERT_EQ(holds.size(), 300u);
  const auto held_back = updates_in_transaction([&] { ASSERT_TRUE(publish_holds(conn_, holds)); });
  EXPECT_EQ(held_back.first, 300);
  EXPECT_GE(held_back.second, 240) << "HOT holds: " << held_back.second << " of " << held_back.first;
}

TEST_F(BatchQueueTest, HoldsKeepTheLastWordPerSession) {
  std::vector<HoldUpdate> holds{{session_, std::string("outside the sending window"), now_ + 1h},
                                {session_, std::nullopt, std::nullopt}};
  ASSERT_TRUE(publish_holds(conn_, holds));
  EXPECT_EQ(sql_text("SELECT COALESCE(hold_reason, '<null>') FROM whatsapp_sessions WHERE id = $1",
                     {std::to_string(session_)}),
            "<null>");
  std::vector<HoldUpdate> capped{{session_, std::string("daily cap reached"), now_ + 2h}};
  ASSERT_TRUE(publish_holds(conn_, capped));
  EXPECT_EQ(sql_text("SELECT hold_reason FROM whatsapp_sessions WHERE id = $1", {std::to_string(session_)}),
            "daily cap reached");
}

TEST_F(BatchQueueTest, SessionStatsCountQueuesByPriorityAndOldestDueAge) {
  enqueue_on(session_, "+5511988880001", "old", now_ - 10min);
  enqueue("tx", now_ - 1min, Priority::transactional);
  enqueue_on(session_, "+5511988880002", "future", now_ + 1h);
  auto stats = load_session_stats(conn_);
  ASSERT_TRUE(stats) << stats.error().message;
  const SessionStats* mine = nullptr;
  for (const auto& s : *stats) {
    if (s.session_id == session_) mine = &s;
  }
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->tenant_id, tenant_);
  EXPECT_FALSE(mine->paused);
  EXPECT_EQ(mine->queued_transactional, 1);
  EXPECT_EQ(mine->queued_marketing, 2);
  EXPECT_NEAR(mine->oldest_due_age_seconds, 600, 30);
}

}  // namespace
}  // namespace disparo::dispatch::test
