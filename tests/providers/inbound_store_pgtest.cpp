// The webhook and acceptance statements of issue 4 against a live PostgreSQL: a batch of
// statuses applied in one statement (monotonic, duplicates, reordering, Evolution matching by a
// recipient without the ninth digit), inbound messages opening the 24-hour window and opting out
// (SAIR) and in (VOLTAR), the acceptance rules, and Evolution connection pause/resume.
#include <gtest/gtest.h>

#include "dispatcher/inbound/inbound_store.hpp"
#include "dispatcher/message_store.hpp"
#include "tests/dispatcher/store_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

class InboundStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    tenant_ = add_tenant("providers-pg");
    cloud_ = add_session(tenant_, SessionSpec("cloud").as_default().phone("PN-CLOUD"));
    evo_ = add_session(tenant_, SessionSpec("evo"));
    sql("UPDATE whatsapp_sessions SET provider = 'cloud_api', waba_id = 'WABA-1' WHERE id = $1", {std::to_string(cloud_)});
    sql("UPDATE whatsapp_sessions SET provider = 'evolution', instance_name = 'loja', webhook_secret = 's3' WHERE id = $1",
        {std::to_string(evo_)});
  }

  // A message moved to "sending" as the send engine would, with an optional provider id.
  std::int64_t sending(std::int64_t session, const std::string& to, const std::string& provider_id = "") {
    const auto id = insert_one(tenant_, session, text_request(to, "oi"));
    sql("UPDATE messages SET status = 'sending', provider_message_id = $2 WHERE id = $1",
        {std::to_string(id), provider_id.empty() ? pg::Param() : pg::Param(provider_id)});
    return id;
  }

  StatusInput cloud_status(const std::string& wamid, const std::string& status, const std::string& callback = "") {
    ProviderStatusReport report;
    report.phone_number_id = "PN-CLOUD";
    report.provider_message_id = wamid;
    report.status = status;
    report.callback_data = callback;
    report.recipient_id = "551187654321";
    return status_input_of(report);
  }

  std::int64_t tenant_ = 0, cloud_ = 0, evo_ = 0;
};

TEST_F(InboundStoreTest, ABatchMovesEachMessageToItsFurthestStatusOnce) {
  const auto a = sending(cloud_, "+5511987654321", "wamid.A");
  const auto b = sending(cloud_, "+5511987654322");
  const auto c = sending(cloud_, "+5511987654323", "wamid.C");
  sql("UPDATE messages SET status = 'read' WHERE id = $1", {std::to_string(c)});
  std::vector<StatusInput> batch{cloud_status("wamid.A", "read"), cloud_status("wamid.A", "sent"),
                                 cloud_status("wamid.A", "delivered"), cloud_status("wamid.A", "delivered"),
                                 cloud_status("wamid.B", "sent", std::to_string(b)),
                                 cloud_status("wamid.C", "delivered"), cloud_status("wamid.X", "sent")};
  auto applied = apply_status_batch(conn_, batch);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_EQ(applied->size(), batch.size());
  EXPECT_EQ(status_of(a), "read");
  EXPECT_EQ(events_of(a), (std::vector<std::string>{"accepted", "queued", "sent", "delivered", "read"}));
  EXPECT_EQ(status_of(b), "sent");  // found by our id (biz_opaque_callback_data), wamid kept
  EXPECT_EQ(sql_text("SELECT provider_message_id FROM messages WHERE id = $1", {std::to_string(b)}), "wamid.B");
  EXPECT_EQ(status_of(c), "read");  // never backwards
  EXPECT_TRUE((*applied)[0].advanced);
  EXPECT_FALSE((*applied)[5].advanced);
  EXPECT_TRUE((*applied)[5].matched);
  EXPECT_FALSE((*applied)[6].matched);
  // The same batch again changes nothing (duplicates from provider retries).
  auto again = apply_status_batch(conn_, batch);
  ASSERT_TRUE(again);
  for (const auto& r : *again) EXPECT_FALSE(r.advanced);
}

// Meta puts up to 1,000 updates in one POST: every report of a full batch gets its own answer
// (the statement counts per report without joining the lists back to the input).
TEST_F(InboundStoreTest, EveryReportOfAThousandStatusBatchIsAnsweredOnItsOwn) {
  constexpr int kMessages = 400;
  std::vector<std::int64_t> ids;
  std::vector<StatusInput> sent;
  for (int i = 0; i < kMessages; ++i) {
    ids.push_back(sending(cloud_, "+55119" + std::to_string(10000000 + i), "wamid.M" + std::to_string(i)));
    sent.push_back(cloud_status("wamid.M" + std::to_string(i), "sent"));
  }
  ASSERT_TRUE(apply_status_batch(conn_, sent));
  // Per message: delivered, then a duplicate of it; then 200 reports nobody sent.
  std::vector<StatusInput> batch;
  for (int i = 0; i < kMessages; ++i) {
    batch.push_back(cloud_status("wamid.M" + std::to_string(i), "delivered"));
    batch.push_back(cloud_status("wamid.M" + std::to_string(i), "delivered"));
  }
  for (int i = 0; i < 200; ++i) batch.push_back(cloud_status("wamid.NOBODY" + std::to_string(i), "read"));
  ASSERT_EQ(batch.size(), 1000u);
  auto applied = apply_status_batch(conn_, batch);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_EQ(applied->size(), batch.size());
  for (int i = 0; i < kMessages; ++i) {
    const auto& first = (*applied)[2 * i];
    const auto& duplicate = (*applied)[2 * i + 1];
    EXPECT_TRUE(first.matched && first.advanced) << i;
    ASSERT_TRUE(first.sent_to_delivered_seconds.has_value()) << i;
    EXPECT_GE(*first.sent_to_delivered_seconds, 0.0) << i;
    EXPECT_TRUE(duplicate.matched) << i;
    EXPECT_FALSE(duplicate.advanced) << i;  // one step per status: the first report carries it
    EXPECT_FALSE(duplicate.sent_to_delivered_seconds.has_value()) << i;
  }
  for (std::size_t r = 2 * kMessages; r < batch.size(); ++r) {
    EXPECT_FALSE((*applied)[r].matched) << r;
    EXPECT_FALSE((*applied)[r].advanced) << r;
  }
  EXPECT_EQ(status_of(ids.front()), "delivered");
  EXPECT_EQ(status_of(ids.back()), "delivered");
  EXPECT_EQ(events_of(ids.back()), (std::vector<std::string>{"accepted", "queued", "sent", "delivered"}));
}

TEST_F(InboundStoreTest, EvolutionStatusWithoutTheNinthDigitFindsTheMessageInSending) {
  const auto id = sending(evo_, "+5511987654321");
  EvolutionStatus status{"BAE5F1", "551187654321@s.whatsapp.net", "delivered", "DELIVERY_ACK"};
  auto applied = apply_status_batch(conn_, {status_input_of(status, evo_)});
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_TRUE((*applied)[0].advanced);
  EXPECT_EQ(status_of(id), "delivered");
  EXPECT_EQ(sql_text("SELECT provider_message_id || ' ' || wa_id FROM messages WHERE id = $1", {std::to_string(id)}),
            "BAE5F1 551187654321@s.whatsapp.net");
}

TEST_F(InboundStoreTest, InboundOpensTheWindowAndKeywordsOptOutAndIn) {
  std::vector<SendRequest> requests{text_request("+5511987654321", "oi")};
  std::vector<std::int64_t> sessions{cloud_};
  auto refused = check_acceptance(conn_, tenant_, requests, sessions, false);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->size(), 1u);
  EXPECT_EQ((*refused)[0].field, "to");

  const auto queued = insert_one(tenant_, evo_, text_request("+5511987654321", "promo"));  // marketing by default
  InboundMessage sair;
  sair.phone_number_id = "PN-CLOUD";
  sair.from = "551187654321";  // an old account: no ninth digit
  sair.text = "Sáir!";
  sair.timestamp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto applied = apply_inbound(conn_, {sair}, std::nullopt);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->windows, 1);
  EXPECT_EQ(applied->opt_outs, 1);
  EXPECT_EQ(status_of(queued), "cancelled");

  auto inside = check_acceptance(conn_, tenant_, requests, sessions, false);
  ASSERT_TRUE(inside);
  EXPECT_TRUE(inside->empty());
  EXPECT_EQ(requests[0].suppressed_reason, "recipient opted out of marketing (SAIR)");
  const auto suppressed = insert(tenant_, requests, cloud_);
  EXPECT_EQ(suppressed[0].status, "cancelled");

  std::vector<SendRequest> transactional{text_request("+5511987654321", "pagamento confirmado")};
  transactional[0].priority = Priority::transactional;
  ASSERT_TRUE(check_acceptance(conn_, tenant_, transactional, sessions, false));
  EXPECT_EQ(transactional[0].suppressed_reason, "");

  InboundMessage voltar = sair;
  voltar.text = "voltar";
  voltar.timestamp += 1;
  ASSERT_TRUE(apply_inbound(conn_, {voltar}, std::nullopt));
  std::vector<SendRequest> again{text_request("+5511987654321", "promo")};
  ASSERT_TRUE(check_acceptance(conn_, tenant_, again, sessions, false));
  EXPECT_EQ(again[0].suppressed_reason, "");
}

TEST_F(InboundStoreTest, TemplatesKnownAsNotApprovedAreRefused) {
  TemplateStatusUpdate paused{"WABA-1", "PAUSED", "lembrete", "pt_BR", "1", ""};
  ASSERT_TRUE(apply_template_updates(conn_, {paused}));
  SendRequest request = text_request("+5511987654321", "x");
  request.content = TemplateContent{"lembrete", "pt_BR", {"a"}};
  std::vector<SendRequest> requests{request};
  auto refused = check_acceptance(conn_, tenant_, requests, {cloud_}, true);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->size(), 1u);
  EXPECT_EQ((*refused)[0].field, "messages[0].template.name");
  TemplateStatusUpdate approved{"WABA-1", "APPROVED", "lembrete", "pt_BR", "1", ""};
  ASSERT_TRUE(apply_template_updates(conn_, {approved}));
  auto accepted = check_acceptance(conn_, tenant_, requests, {cloud_}, true);
  ASSERT_TRUE(accepted);
  EXPECT_TRUE(accepted->empty());
  auto evolution = check_acceptance(conn_, tenant_, requests, {evo_}, false);
  ASSERT_TRUE(evolution);
  ASSERT_EQ(evolution->size(), 1u);
  EXPECT_EQ((*evolution)[0].field, "template");
}

TEST_F(InboundStoreTest, ConnectionClosePausesAndOpenResumesOnlyWhatItPaused) {
  auto closed = apply_connection(conn_, evo_, EvolutionConnection{"close", 401});
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_EQ(*closed, SessionChange::paused);
  EXPECT_EQ(sql_text("SELECT state || ' ' || paused_reason FROM whatsapp_sessions WHERE id = $1", {std::to_string(evo_)}),
            "paused evolution: connection close (401)");
  EXPECT_EQ(*apply_connection(conn_, evo_, EvolutionConnection{"close", 401}), SessionChange::none);
  EXPECT_EQ(*apply_connection(conn_, evo_, EvolutionConnection{"open", 200}), SessionChange::resumed);
  EXPECT_EQ(sql_text("SELECT state FROM whatsapp_sessions WHERE id = $1", {std::to_string(evo_)}), "active");
  EXPECT_EQ(sql_int("SELECT count(*) FROM session_events WHERE session_id = $1", {std::to_string(evo_)}), 2);

  sql("UPDATE whatsapp_sessions SET state = 'paused', paused_reason = 'paused by operator' WHERE id = $1", {std::to_string(evo_)});
  EXPECT_EQ(*apply_connection(conn_, evo_, EvolutionConnection{"open", 200}), SessionChange::none);
  EXPECT_EQ(sql_text("SELECT state FROM whatsapp_sessions WHERE id = $1", {std::to_string(evo_)}), "paused");

  ASSERT_TRUE(store_qrcode(conn_, evo_, EvolutionQrCode{"2@abc", "WZYEH1YY", ""}));
  auto qr = qrcode_json(conn_, tenant_, evo_);
  ASSERT_TRUE(qr);
  EXPECT_NE(qr->find("\"pairing_code\":\"WZYEH1YY\""), std::string::npos);
  EXPECT_FALSE(qrcode_json(conn_, tenant_ + 1000000, evo_));
}

}  // namespace
}  // namespace disparo::dispatch::test
