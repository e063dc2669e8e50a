// QueueStore against a live PostgreSQL, the taking side: which sessions run, who holds a
// session's lease, claim order, expiry, blocked recipients and groups, the send ledger, and
// concurrent claims that never take the same message (SKIP LOCKED).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/rfc3339.hpp"
#include "tests/dispatcher/queue_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;

// --- sessions ---------------------------------------------------------------------------------

TEST_F(QueueTest, ActiveSessionsExcludePausedOnes) {
  const auto second = add_session(tenant_, SessionSpec("second").phone("PN-2").pace(2500, 300));
  add_session(tenant_, SessionSpec("paused").paused());
  const auto other_tenant = add_tenant("other");
  const auto other = add_session(other_tenant, SessionSpec("x"));
  auto sessions = load_active_sessions(conn_);
  ASSERT_TRUE(sessions) << sessions.error().message;
  std::vector<std::int64_t> ids;
  for (const auto& s : *sessions) ids.push_back(s.endpoint.session_id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{session_, second, other}));
  const auto& row = (*sessions)[1];
  EXPECT_EQ(row.tenant_id, tenant_);
  EXPECT_EQ(row.endpoint.provider, "cloud_api");
  EXPECT_EQ(row.endpoint.base_url, "http://127.0.0.1:1/v24.0");
  EXPECT_EQ(row.endpoint.phone_number_id, "PN-2");
  EXPECT_EQ(row.endpoint.access_token, "token-second");
  EXPECT_EQ(row.policy.min_interval, 2500ms);
  EXPECT_EQ(row.policy.jitter, 300ms);
  EXPECT_EQ(row.time_zone, "America/Sao_Paulo");
  EXPECT_EQ((*sessions)[2].endpoint.phone_number_id, "");  // none configured

  sql("UPDATE whatsapp_sessions SET state = 'paused' WHERE id = $1", {std::to_string(second)});
  sessions = load_active_sessions(conn_);
  ASSERT_TRUE(sessions);
  EXPECT_EQ(sessions->size(), 2u);
}

// --- claim_next -------------------------------------------------------------------------------

TEST_F(QueueTest, ClaimsByPriorityThenSendAtThenId) {
  const auto m1 = enqueue("marketing old", now_ - 10min);
  const auto m2 = enqueue("transactional new", now_ - 1min, Priority::transactional);
  const auto m3 = enqueue("transactional old", now_ - 5min, Priority::transactional);
  const auto m4 = enqueue("marketing old, later id", now_ - 10min);
  const auto m5 = enqueue("marketing newest", now_ - 1s);
  std::vector<std::int64_t> order;
  while (const auto id = claim_id(session_)) order.push_back(id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{m3, m2, m1, m4, m5}));
}

TEST_F(QueueTest, ClaimedMessageIsSending) {
  auto request = text_request("+5511987654321", "x");
  request.content = MediaContent{"document", "https://cdn.example/b.pdf", "Boleto", "b.pdf"};
  const auto id = insert_one(tenant_, session_, request);
  const auto claimed = claim(session_);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->message.id, id);
  EXPECT_EQ(claimed->message.recipient, "+5511987654321");
  const auto& media = std::get<MediaContent>(claimed->message.content);
  EXPECT_EQ(media.type, "document");
  EXPECT_EQ(media.url, "https://cdn.example/b.pdf");
  EXPECT_EQ(media.caption, "Boleto");
  EXPECT_EQ(media.filename, "b.pdf");
  EXPECT_EQ(claimed->attempts, 1);
  const double now_epoch = std::chrono::duration<double>(SystemClock().now().time_since_epoch()).count();
  EXPECT_NEAR(claimed->accepted_at_epoch, now_epoch, 60.0);
  EXPECT_EQ(status_of(id), "sending");
  EXPECT_EQ(attempts_of(id), 1);
  EXPECT_EQ(events_of(id), (std::vector<std::string>{"accepted", "queued", "sending"}));
  EXPECT_EQ(sql_text("SELECT detail->>'attempt' FROM message_events WHERE message_id = $1 AND status = 'sending'",
                     {std::to_string(id)}),
            "1");
  EXPECT_FALSE(claim(session_));  // nothing else is due
}

TEST_F(QueueTest, FutureMessagesAreNotClaimed) {
  const auto later = enqueue("later", now_ + 1h);
  enqueue("later still", now_ + 2h);
  const auto result = claim_result(session_);
  EXPECT_FALSE(result.claimed);
  EXPECT_EQ(result.next_due, now_ + 1h);  // when to look again
  EXPECT_EQ(status_of(later), "queued");
  sql("UPDATE messages SET send_at = now() - interval '1 second' WHERE id = $1", {std::to_string(later)});
  EXPECT_EQ(claim_id(session_), later);
}

TEST_F(QueueTest, OverdueMessagesAreNeverClaimedAndExpireWithAnEvent) {
  const auto stale = enqueue("stale", now_ - 3h, Priority::transactional, 2h);  // expired an hour ago
  const auto fresh = enqueue("fresh", now_ - 1min);
  EXPECT_EQ(claim_id(session_), fresh);  // the transactional one is over its validity
  const auto nothing = claim_result(session_);
  EXPECT_FALSE(nothing.claimed);
  if (nothing.next_due) {
    EXPECT_GT(*nothing.next_due, SystemClock().now()) << format_rfc3339(*nothing.next_due);  // never "due already"
  }
  EXPECT_EQ(status_of(stale), "queued");

  auto expired = expire_overdue(conn_);
  ASSERT_TRUE(expired) << expired.error().message;
  EXPECT_EQ(*expired, 1);
  EXPECT_EQ(status_of(stale), "expired");
  EXPECT_NE(reason_of(stale).find("validity"), std::string::npos);
  EXPECT_EQ(events_of(stale), (std::vector<std::string>{"accepted", "queued", "expired"}));
  EXPECT_EQ(status_of(fresh), "sending");  // only queued messages expire

  expired = expire_overdue(conn_);
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 0);
  EXPECT_EQ(events_of(stale).size(), 3u);  // expiring is done once
}

TEST_F(QueueTest, BlockedRecipientsAndGroupsAreSkipped) {
  auto to_maria = text_request("+5511911111111", "maria");
  to_maria.send_at = now_ - 3s;
  auto to_joao = text_request("+5511922222222", "joao");
  to_joao.send_at = now_ - 2s;
  auto to_ana = text_request("+5511933333333", "ana");
  to_ana.send_at = now_ - 1s;
  const auto ids = insert(tenant_, {to_maria, to_joao, to_ana}, session_);
  sql("UPDATE messages SET group_id = 'campaign-7', group_interval_ms = 5000 WHERE id = $1",
      {std::to_string(ids[1].id)});
  const auto first = claim_result(session_, {"+5511911111111"}, {"campaign-7"});
  ASSERT_TRUE(first.claimed);
  EXPECT_EQ(first.claimed->message.id, ids[2].id);
  const auto second = claim_result(session_, {}, {});
  ASSERT_TRUE(second.claimed);
  EXPECT_EQ(second.claimed->message.id, ids[0].id);
  // Everything due is blocked now: next_due must not point at the past, or the runner (which
  // sleeps until min(next_due, poll interval)) would spin on claim_next until the block ends.
  const auto blocked = claim_result(session_, {"+5511922222222"}, {});
  EXPECT_FALSE(blocked.claimed);
  EXPECT_TRUE(blocked.lease_held);
  if (blocked.next_due) {
    EXPECT_GT(*blocked.next_due, SystemClock().now()) << format_rfc3339(*blocked.next_due);
  }
  const auto third = claim_result(session_, {}, {});
  ASSERT_TRUE(third.claimed);
  EXPECT_EQ(third.claimed->message.id, ids[1].id);
  EXPECT_EQ(third.claimed->group_id, "campaign-7");
  EXPECT_EQ(third.claimed->group_interval, 5000ms);
}

TEST_F(QueueTest, ClaimsWriteTheSendLedger) {
  const auto a = enqueue("a", now_ - 2s);
  const auto b = enqueue("b", now_ - 1s);
  ASSERT_EQ(claim_id(session_), a);
  ASSERT_EQ(claim_id(session_), b);
  EXPECT_EQ(sql_int("SELECT count(*) FROM session_sends WHERE session_id = $1", {std::to_string(session_)}), 2);
  auto ledger = load_ledger(conn_, session_, now_ - 1h);
  ASSERT_TRUE(ledger) << ledger.error().message;
  ASSERT_EQ(ledger->size(), 2u);
  EXPECT_EQ((*ledger)[0].recipient, "+5511987654321");
  EXPECT_LE((*ledger)[0].at, (*ledger)[1].at);
  auto none = load_ledger(conn_, session_, SystemClock().now() + 1h);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(QueueTest, ClaimsOnlyItsOwnSession) {
  const auto other = add_session(tenant_, SessionSpec("other"));
  const auto mine = enqueue("mine", now_ - 1s);
  EXPECT_FALSE(claim(other));
  EXPECT_EQ(claim_id(session_), mine);
}

TEST_F(QueueTest, ConcurrentClaimsNeverTakeTheSameMessage) {
  constexpr int kMessages = 300;
  std::vector<SendRequest> requests;
  for (int i = 0; i < kMessages; ++i) {
    auto r = text_request("+5511987654321", std::to_string(i));
    r.send_at = now_ - 1s;
    requests.push_back(r);
  }
  const auto accepted = insert(tenant_, requests, session_);
  auto leased = acquire_lease(conn_, session_, kOwner, 600s);
  ASSERT_TRUE(leased && *leased);
  std::vector<std::int64_t> got[3];
  std::string failure[3];
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < 3; ++w) {
      workers.emplace_back([&, w] {
        pg::Connection conn = db_.connect();
        while (true) {
          auto claimed = claim_next(conn, session_, kOwner, {}, {});
          if (!claimed) {
            failure[w] = claimed.error().message;
            return;
          }
          if (!claimed->claimed) return;
          got[w].push_back(claimed->claimed->message.id);
        }
      });
    }
  }
  std::set<std::int64_t> all;
  std::size_t total = 0;
  for (int w = 0; w < 3; ++w) {
    EXPECT_EQ(failure[w], "") << w;
    total += got[w].size();
    all.insert(got[w].begin(), got[w].end());
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kMessages));  // no message claimed twice
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE status = 'sending' AND attempts = 1"), kMessages);
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE status = 'sending'"), kMessages);
  EXPECT_EQ(sql_int("SELECT count(DISTINCT message_id) FROM session_sends"), kMessages);
  EXPECT_EQ(sql_int("SELECT count(*) FROM session_sends"), kMessages);
}


// --- leases -----------------------------------------------------------------------------------

TEST_F(QueueTest, OnlyTheLeaseHolderClaims) {
  const auto id = enqueue("x", now_ - 1s);
  auto without = claim_next(conn_, session_, kOwner, {}, {});
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_FALSE(without->lease_held);
  EXPECT_FALSE(without->claimed);
  EXPECT_EQ(status_of(id), "queued");

  auto mine = acquire_lease(conn_, session_, kOwner, 60s);
  ASSERT_TRUE(mine);
  EXPECT_TRUE(*mine);
  auto theirs = acquire_lease(conn_, session_, "instance-b", 60s);
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(*theirs);  // held by a live owner
  auto intruder = claim_next(conn_, session_, "instance-b", {}, {});
  ASSERT_TRUE(intruder);
  EXPECT_FALSE(intruder->lease_held);
  EXPECT_FALSE(intruder->claimed);

  auto claimed = claim_next(conn_, session_, kOwner, {}, {});
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->lease_held);
  ASSERT_TRUE(claimed->claimed);
  EXPECT_EQ(claimed->claimed->message.id, id);
}

TEST_F(QueueTest, AnExpiredOrReleasedLeaseCanBeTaken) {
  ASSERT_TRUE(*acquire_lease(conn_, session_, kOwner, 60s));
  sql("UPDATE whatsapp_sessions SET lease_until = now() - interval '1 second' WHERE id = $1",
      {std::to_string(session_)});
  EXPECT_TRUE(*acquire_lease(conn_, session_, "instance-b", 60s));  // the owner died
  EXPECT_FALSE(*acquire_lease(conn_, session_, kOwner, 60s));
  ASSERT_TRUE(release_lease(conn_, session_, kOwner));  // not the owner: no effect
  EXPECT_FALSE(*acquire_lease(conn_, session_, kOwner, 60s));
  ASSERT_TRUE(release_lease(conn_, session_, "instance-b"));
  EXPECT_TRUE(*acquire_lease(conn_, session_, kOwner, 60s));
}

TEST_F(QueueTest, PausedSessionsAreNotLeasedOrClaimed) {
  const auto id = enqueue("x", now_ - 1s);
  ASSERT_TRUE(*acquire_lease(conn_, session_, kOwner, 60s));
  sql("UPDATE whatsapp_sessions SET state = 'paused' WHERE id = $1", {std::to_string(session_)});
  EXPECT_FALSE(*acquire_lease(conn_, session_, kOwner, 60s));
  auto claimed = claim_next(conn_, session_, kOwner, {}, {});
  ASSERT_TRUE(claimed);
  EXPECT_FALSE(claimed->claimed);
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_EQ(sql_int("SELECT count(*) FROM whatsapp_sessions WHERE state = 'paused'"), 1);
}

}  // namespace
}  // namespace disparo::dispatch::test
