// The keys on messages, their history and the send ledger (migrations 0009, 0010) against a live
// PostgreSQL: a message may only name a session of its own tenant, a session that messages went
// through cannot be deleted, and deleting messages deletes their history and their ledger rows in
// the same statement.
#include <gtest/gtest.h>

#include "tests/dispatcher/store_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

class MessageKeysTest : public StoreTest {
 protected:
  std::int64_t tenant_ = add_tenant("keys-a");
  std::int64_t other_tenant_ = add_tenant("keys-b");
  std::int64_t session_ = add_session(tenant_, SessionSpec("main").as_default().phone("PN-KA"));
  std::int64_t other_session_ = add_session(other_tenant_, SessionSpec("theirs").as_default().phone("PN-KB"));

  Expected<pg::Rows> insert_raw(std::int64_t tenant, std::int64_t session) {
    return conn_.exec(
        "INSERT INTO messages (tenant_id, session_id, recipient, kind, content, status, expires_at) "
        "VALUES ($1, $2, '+5511987650000', 'text', '{\"body\":\"x\"}', 'queued', now() + interval '1 day') "
        "RETURNING id",
        {std::to_string(tenant), std::to_string(session)});
  }
};

TEST_F(MessageKeysTest, AMessageMayOnlyNameASessionOfItsOwnTenant) {
  ASSERT_TRUE(insert_raw(tenant_, session_));
  auto crossed = insert_raw(tenant_, other_session_);
  ASSERT_FALSE(crossed);
  EXPECT_EQ(crossed.error().code, "23503");
  auto missing = insert_raw(tenant_, other_session_ + 1000);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "23503");
}

TEST_F(MessageKeysTest, ASessionMessagesWentThroughCannotBeDeleted) {
  ASSERT_TRUE(insert_raw(tenant_, session_));
  auto deleted = conn_.exec("DELETE FROM whatsapp_sessions WHERE id = $1", {std::to_string(session_)});
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, "23503");
  EXPECT_EQ(sql_int("SELECT count(*) FROM whatsapp_sessions WHERE id = $1", {std::to_string(session_)}), 1);
}

TEST_F(MessageKeysTest, DeletingMessagesDeletesTheirHistoryAndNothingElse) {
  const auto kept = insert_one(tenant_, session_, text_request("+5511987650001", "kept"));
  const auto gone_a = insert_one(tenant_, session_, text_request("+5511987650002", "gone a"));
  const auto gone_b = insert_one(tenant_, session_, text_request("+5511987650003", "gone b"));
  ASSERT_FALSE(events_of(kept).empty());
  ASSERT_FALSE(events_of(gone_a).empty());
  const auto events_before = sql_int("SELECT count(*) FROM message_events");
  const auto kept_events = static_cast<std::int64_t>(events_of(kept).size());
  const auto gone_events = static_cast<std::int64_t>(events_of(gone_a).size() + events_of(gone_b).size());

  sql("DELETE FROM messages WHERE id = ANY($1::bigint[])",
      {"{" + std::to_string(gone_a) + "," + std::to_string(gone_b) + "}"});
  EXPECT_TRUE(events_of(gone_a).empty());
  EXPECT_TRUE(events_of(gone_b).empty());
  EXPECT_EQ(static_cast<std::int64_t>(events_of(kept).size()), kept_events);
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events"), events_before - gone_events);
}

TEST_F(MessageKeysTest, DeletingMessagesDeletesTheirLedgerRowsAndNothingElse) {
  const auto kept = insert_one(tenant_, session_, text_request("+5511987650011", "kept"));
  const auto gone = insert_one(tenant_, session_, text_request("+5511987650012", "gone"));
  for (const auto id : {kept, gone}) {
    sql("INSERT INTO session_sends (session_id, message_id, recipient) "
        "SELECT session_id, id, recipient FROM messages WHERE id = $1",
        {std::to_string(id)});
  }
  const std::string ledger_of = "SELECT count(*) FROM session_sends WHERE message_id = $1";
  ASSERT_EQ(sql_int(ledger_of, {std::to_string(gone)}), 1);

  sql("DELETE FROM messages WHERE id = $1", {std::to_string(gone)});
  EXPECT_EQ(sql_int(ledger_of, {std::to_string(gone)}), 0);
  EXPECT_EQ(sql_int(ledger_of, {std::to_string(kept)}), 1);
  // The session's ledger keeps it from being deleted only through its messages: still refused.
  auto deleted = conn_.exec("DELETE FROM whatsapp_sessions WHERE id = $1", {std::to_string(session_)});
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, "23503");
}

}  // namespace
}  // namespace disparo::dispatch::test
