// The Asaas webhook against a live PostgreSQL, with payloads shaped like Asaas' documentation
// (ecosystem.md 6.2): token check, idempotent recording by Asaas payment id, matching by
// externalReference, refunds and deletions, unknown events answered with exactly 200, and
// tenant isolation.
#include "tests/admin/money_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

constexpr const char* kToken = "asaas-token-0123456789abcdef";

std::string event(const std::string& event_id, const std::string& name, const std::string& payment_id,
                  const std::string& reference, const std::string& value = "39.9",
                  const std::string& billing = "PIX", const std::string& payment_date = "2026-03-05") {
  // The documented envelope and payment object, with the members Asaas sends that we ignore.
  return R"({"id":")" + event_id + R"(","event":")" + name + R"(","dateCreated":"2026-03-05 16:45:03",
    "payment":{"object":"payment","id":")" + payment_id + R"(","dateCreated":"2026-03-01",
      "customer":"cus_000005219613","subscription":"sub_VXJBYgP2u0eO","installment":null,
      "paymentLink":null,"dueDate":"2026-03-05","originalDueDate":"2026-03-05","value":)" + value + R"(,
      "netValue":38.4,"originalValue":null,"interestValue":null,"description":"Plano mensal",
      "externalReference":)" + reference + R"(,"billingType":")" + billing + R"(","status":"RECEIVED",
      "pixTransaction":null,"confirmedDate":"2026-03-05","paymentDate":")" + payment_date + R"(",
      "clientPaymentDate":"2026-03-05","installmentNumber":null,"creditDate":"2026-03-05",
      "estimatedCreditDate":"2026-03-05","invoiceUrl":"https://www.asaas.com/i/x","bankSlipUrl":null,
      "transactionReceiptUrl":null,"invoiceNumber":"00005101","deleted":false,"anticipated":false,
      "anticipable":false,"creditCard":{"creditCardNumber":"8829","creditCardBrand":"MASTERCARD"},
      "discount":{"value":0,"limitDate":null,"dueDateLimitDays":0,"type":"FIXED"}}})";
}

class AsaasPg : public MoneyPg {
 protected:
  MoneyTenant tenant_with_token() {
    auto t = make_tenant();
    auto set = call(verb::patch, "/v1/settings", t.owner(), std::string(R"({"asaas_webhook_token":")") + kToken + "\"}");
    EXPECT_EQ(set.status, 200u) << set.body;
    return t;
  }
  std::int64_t client(const MoneyTenant& t, const std::string& due = "2026-03-10") {
    return sql_int("INSERT INTO clients (tenant_id, name, phone, due_date, due_day) "
                   "VALUES ($1, 'Cliente', '+5511987654321', $2::date, 10) RETURNING id",
                   {std::to_string(t.id), due});
  }
  HttpReply post(const MoneyTenant& t, const std::string& body, const std::string& token = kToken) {
    Headers headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("asaas-access-token", token);
    return http_call(port(), verb::post, "/webhooks/asaas/" + t.slug, body, headers);
  }
  std::string due_of(std::int64_t c) { return sql("SELECT due_date::text FROM clients WHERE id = $1", {std::to_string(c)}); }
  std::string outcome(const HttpReply& r) { return std::string(json(r).at("outcome").as_string()); }
};

TEST_F(AsaasPg, WrongMissingOrUnconfiguredTokenIs401) {
  auto t = make_tenant();  // no token configured yet
  auto c = client(t);
  const auto body = event("evt_1", "PAYMENT_RECEIVED", "pay_1", "\"" + std::to_string(c) + "\"");
  EXPECT_EQ(post(t, body).status, 401u);
  ASSERT_EQ(call(verb::patch, "/v1/settings", t.owner(), std::string(R"({"asaas_webhook_token":")") + kToken + "\"}").status, 200u);
  EXPECT_EQ(post(t, body, "").status, 401u);
  EXPECT_EQ(post(t, body, std::string(kToken) + "x").status, 401u);
  MoneyTenant unknown;
  unknown.slug = "no-such-tenant-slug";
  EXPECT_EQ(post(unknown, body).status, 401u);
  EXPECT_EQ(sql_int("SELECT count(*) FROM payments WHERE client_id = $1", {std::to_string(c)}), 0);
  EXPECT_EQ(post(t, body).status, 200u);
}

TEST_F(AsaasPg, ReceivedRecordsOncePerAsaasPaymentAndExtendsTheDueDate) {
  auto t = tenant_with_token();
  auto c = client(t);
  const auto ref = "\"" + std::to_string(c) + "\"";
  auto confirmed = post(t, event("evt_a", "PAYMENT_CONFIRMED", "pay_77", ref, "39.9", "CREDIT_CARD"));
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  EXPECT_EQ(outcome(confirmed), "recorded");
  EXPECT_EQ(due_of(c), "2026-04-10");
  // The same payment received later, and the same event delivered again: nothing new.
  EXPECT_EQ(outcome(post(t, event("evt_b", "PAYMENT_RECEIVED", "pay_77", ref))), "already_recorded");
  EXPECT_EQ(outcome(post(t, event("evt_a", "PAYMENT_CONFIRMED", "pay_77", ref))), "duplicate");
  EXPECT_EQ(due_of(c), "2026-04-10");
  EXPECT_EQ(sql("SELECT amount_cents || ' ' || method || ' ' || source || ' ' || external_id || ' ' || paid_on "
                "FROM payments WHERE client_id = $1", {std::to_string(c)}),
            "3990 card asaas pay_77 2026-03-05");
  EXPECT_EQ(sql_int("SELECT count(*) FROM asaas_events WHERE tenant_id = $1", {std::to_string(t.id)}), 2);
}

TEST_F(AsaasPg, RefundAndDeletionReverseTheLatestPayment) {
  auto t = tenant_with_token();
  auto c = client(t);
  const auto ref = "\"" + std::to_string(c) + "\"";
  ASSERT_EQ(outcome(post(t, event("evt_1", "PAYMENT_RECEIVED", "pay_1", ref, "30", "BOLETO", "2026-03-01"))), "recorded");
  ASSERT_EQ(outcome(post(t, event("evt_2", "PAYMENT_RECEIVED", "pay_2", ref, "30", "PIX", "2026-03-02"))), "recorded");
  EXPECT_EQ(due_of(c), "2026-05-10");
  // pay_1 is not the latest: recorded as reversed, the due date left alone.
  EXPECT_EQ(outcome(post(t, event("evt_3", "PAYMENT_REFUNDED", "pay_1", ref))), "reversed_without_due_date_change");
  EXPECT_EQ(due_of(c), "2026-05-10");
  EXPECT_EQ(outcome(post(t, event("evt_4", "PAYMENT_DELETED", "pay_2", ref))), "reversed");
  EXPECT_EQ(due_of(c), "2026-04-10");
  EXPECT_EQ(outcome(post(t, event("evt_5", "PAYMENT_REFUNDED", "pay_2", ref))), "nothing_to_reverse");
  EXPECT_EQ(outcome(post(t, event("evt_6", "PAYMENT_REFUNDED", "pay_never", ref))), "nothing_to_reverse");
  // A reversed payment is not recorded again by a late duplicate "received".
  EXPECT_EQ(outcome(post(t, event("evt_7", "PAYMENT_RECEIVED", "pay_2", ref))), "already_recorded");
  EXPECT_EQ(due_of(c), "2026-04-10");
}

TEST_F(AsaasPg, UnknownEventsAndUnmatchedPaymentsAreExactly200) {
  auto t = tenant_with_token();
  auto c = client(t);
  auto overdue = post(t, event("evt_o", "PAYMENT_OVERDUE", "pay_9", "\"" + std::to_string(c) + "\""));
  EXPECT_EQ(overdue.status, 200u);
  EXPECT_EQ(outcome(overdue), "ignored");
  auto invented = post(t, R"({"id":"evt_x","event":"SOMETHING_NEW","somethingElse":{"a":[1,2]}})");
  EXPECT_EQ(invented.status, 200u);
  EXPECT_EQ(outcome(invented), "ignored");
  EXPECT_EQ(outcome(post(t, event("evt_n", "PAYMENT_RECEIVED", "pay_n", "null"))), "unmatched");
  EXPECT_EQ(outcome(post(t, event("evt_s", "PAYMENT_RECEIVED", "pay_s", "\"cliente-12\""))), "unmatched");
  EXPECT_EQ(outcome(post(t, event("evt_m", "PAYMENT_RECEIVED", "pay_m", "\"999999999\""))), "unmatched");
  EXPECT_EQ(due_of(c), "2026-03-10");
  // Not JSON, or no id/event: 400 (Asaas will retry; nothing was stored).
  EXPECT_EQ(post(t, "not json").status, 400u);
  EXPECT_EQ(post(t, R"({"event":"PAYMENT_RECEIVED"})").status, 400u);
}

TEST_F(AsaasPg, AnotherTenantsClientIsNeverMatched) {
  auto a = tenant_with_token();
  auto b = tenant_with_token();
  auto c = client(a);
  // Tenant b's webhook naming tenant a's client id.
  auto reply = post(b, event("evt_1", "PAYMENT_RECEIVED", "pay_1", "\"" + std::to_string(c) + "\""));
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(outcome(reply), "unmatched");
  EXPECT_EQ(due_of(c), "2026-03-10");
  // Tenant a's token does not open tenant b's webhook once b changes its token.
  ASSERT_EQ(call(verb::patch, "/v1/settings", b.owner(), R"({"asaas_webhook_token":"another-token-for-b-0001"})").status, 200u);
  EXPECT_EQ(post(b, event("evt_2", "PAYMENT_RECEIVED", "pay_2", "null")).status, 401u);
}

}  // namespace
}  // namespace disparo::admin::test
