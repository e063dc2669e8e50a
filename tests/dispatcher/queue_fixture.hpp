// QueueTest: the fixture of the QueueStore pgtests: a tenant with one Cloud API session
// (phone_number_id "PN-1") and helpers to enqueue, lease-and-claim, record attempts and read a
// message's state back. Use from the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "dispatcher/queue_store.hpp"
#include "tests/dispatcher/store_fixture.hpp"

namespace disparo::dispatch::test {

class QueueTest : public StoreTest {
 protected:
  using Action = AfterAttempt::Action;

  QueueTest() {
    tenant_ = add_tenant("acme");
    session_ = add_session(tenant_, SessionSpec("main").as_default().phone("PN-1"));
  }

  std::int64_t enqueue(const std::string& body, SysTime send_at, Priority priority = Priority::marketing,
                       std::chrono::hours validity = std::chrono::hours{24}) {
    auto request = text_request("+5511987654321", body);
    request.send_at = send_at;
    request.expires_at = send_at + validity;
    request.priority = priority;
    return insert_one(tenant_, session_, request);
  }

  // Takes the session's lease for kOwner (idempotent) and claims.
  ClaimResult claim_result(std::int64_t session, const std::vector<std::string>& blocked_recipients = {},
                           const std::vector<std::string>& blocked_groups = {}) {
    auto leased = acquire_lease(conn_, session, kOwner, std::chrono::seconds{60});
    if (!leased) throw std::runtime_error("acquire_lease failed: " + leased.error().message);
    auto claimed = claim_next(conn_, session, kOwner, blocked_recipients, blocked_groups);
    if (!claimed) throw std::runtime_error("claim_next failed: " + claimed.error().message);
    return std::move(*claimed);
  }
  std::optional<ClaimedMessage> claim(std::int64_t session) { return claim_result(session).claimed; }

  std::int64_t claim_id(std::int64_t session) {
    auto claimed = claim(session);
    return claimed ? claimed->message.id : 0;
  }

  void record(std::int64_t id, const SendOutcome& outcome, const AfterAttempt& decision) {
    auto done = record_attempt(conn_, id, session_, outcome, decision);
    ASSERT_TRUE(done) << done.error().message;
  }

  static AfterAttempt decision(Action action, std::chrono::milliseconds delay = std::chrono::milliseconds{0}, bool refund = false,
                               std::string reason = "") {
    AfterAttempt d;
    d.action = action;
    d.delay = delay;
    d.refund_attempt = refund;
    d.reason = std::move(reason);
    return d;
  }

  std::int64_t attempts_of(std::int64_t id) {
    return sql_int("SELECT attempts FROM messages WHERE id = $1", {std::to_string(id)});
  }
  std::string reason_of(std::int64_t id) {
    return sql_text("SELECT COALESCE(status_reason, '<null>') FROM messages WHERE id = $1", {std::to_string(id)});
  }
  // Seconds from now until the message's send_at.
  double due_in(std::int64_t id) {
    return std::stod(sql_text("SELECT extract(epoch FROM send_at - now())::float8 FROM messages WHERE id = $1",
                              {std::to_string(id)}));
  }

  static constexpr const char* kOwner = "instance-a";
  std::int64_t tenant_, session_;
  const SysTime now_ = SystemClock().now();
};

}  // namespace disparo::dispatch::test
