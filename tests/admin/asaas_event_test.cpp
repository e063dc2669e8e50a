// The tolerant reader of Asaas webhook events (admin/money/asaas_event.hpp).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "admin/money/asaas_event.hpp"

namespace disparo::admin::money {
namespace {

TEST(AsaasEvent, ReadsTheDocumentedEnvelope) {
  auto e = parse_asaas_event(R"({"id":"evt_05b708f961d739ea7eba7e4db318f621&368604920","event":"PAYMENT_RECEIVED",
    "dateCreated":"2024-06-12 16:45:03","payment":{"object":"payment","id":"pay_080225913252","value":100.5,
    "netValue":98.51,"billingType":"PIX","status":"RECEIVED","externalReference":"42","paymentDate":"2024-06-12",
    "clientPaymentDate":"2024-06-11","confirmedDate":"2024-06-12","someFutureField":{"x":[1]}}})");
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(e->event, "PAYMENT_RECEIVED");
  ASSERT_TRUE(e->payment.has_value());
  EXPECT_EQ(e->payment->id, "pay_080225913252");
  EXPECT_EQ(e->payment->value_cents, 10050);
  EXPECT_EQ(e->payment->billing_type, "PIX");
  EXPECT_EQ(e->payment->external_reference, "42");
  EXPECT_EQ(e->payment->paid_on, "2024-06-12");
}

TEST(AsaasEvent, FallsBackThroughPaymentDates) {
  auto card = parse_asaas_event(R"({"id":"e","event":"PAYMENT_CONFIRMED","payment":{"id":"p","value":39.9,
    "paymentDate":null,"clientPaymentDate":null,"confirmedDate":"2026-03-05","externalReference":null}})");
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->payment->paid_on, "2026-03-05");
  EXPECT_EQ(card->payment->value_cents, 3990);
  EXPECT_FALSE(card->payment->external_reference.has_value());
  auto none = parse_asaas_event(R"({"id":"e","event":"PAYMENT_RECEIVED","payment":{"id":"p","value":"10"}})");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->payment->paid_on.has_value());
  EXPECT_FALSE(none->payment->value_cents.has_value());  // a string is not an amount
}

TEST(AsaasEvent, RefusesWhatIsNotAnEvent) {
  EXPECT_FALSE(parse_asaas_event("").has_value());
  EXPECT_FALSE(parse_asaas_event("[]").has_value());
  EXPECT_FALSE(parse_asaas_event(R"({"event":"PAYMENT_RECEIVED"})").has_value());
  EXPECT_FALSE(parse_asaas_event(R"({"id":"x","event":7})").has_value());
  // A payment of the wrong shape leaves it empty; the event itself is fine.
  auto odd = parse_asaas_event(R"({"id":"x","event":"PAYMENT_RECEIVED","payment":"pay_1"})");
  ASSERT_TRUE(odd.has_value());
  EXPECT_FALSE(odd->payment.has_value());
}

TEST(AsaasEvent, ClassifiesEventsAndMethods) {
  EXPECT_EQ(classify_asaas_event("PAYMENT_RECEIVED"), AsaasAction::record);
  EXPECT_EQ(classify_asaas_event("PAYMENT_CONFIRMED"), AsaasAction::record);
  EXPECT_EQ(classify_asaas_event("PAYMENT_REFUNDED"), AsaasAction::reverse);
  EXPECT_EQ(classify_asaas_event("PAYMENT_DELETED"), AsaasAction::reverse);
  EXPECT_EQ(classify_asaas_event("PAYMENT_OVERDUE"), AsaasAction::ignore);
  EXPECT_EQ(classify_asaas_event("payment_received"), AsaasAction::ignore);
  EXPECT_EQ(method_for_billing_type("PIX"), "pix");
  EXPECT_EQ(method_for_billing_type("BOLETO"), "boleto");
  EXPECT_EQ(method_for_billing_type("CREDIT_CARD"), "card");
  EXPECT_EQ(method_for_billing_type("UNDEFINED"), "cash");
  EXPECT_EQ(client_id_from_reference("42"), 42);
  EXPECT_FALSE(client_id_from_reference("cliente-42").has_value());
}

RC_GTEST_PROP(AsaasEventProps, ValuesBecomeCentsRoundedToTheCent, ()) {
  const auto cents = *rc::gen::inRange<std::int64_t>(0, 100'000'000);
  const std::string value = std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100);
  auto e = parse_asaas_event(R"({"id":"e","event":"PAYMENT_RECEIVED","payment":{"id":"p","value":)" + value + "}}");
  RC_ASSERT(e.has_value());
  RC_ASSERT(e->payment->value_cents == cents);
}

RC_GTEST_PROP(AsaasEventProps, NeverThrowsOnArbitraryBytes, (std::string body)) {
  auto e = parse_asaas_event(body);
  if (e) RC_ASSERT(!e->id.empty() && !e->event.empty());
}

}  // namespace
}  // namespace disparo::admin::money
