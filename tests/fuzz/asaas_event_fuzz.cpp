// Fuzzes parse_asaas_event, the reader of Asaas webhook bodies (POST /webhooks/asaas/{tenant}),
// which faces the internet. Checks that it never crashes, is deterministic, and that what it
// accepts obeys what apply_asaas_event relies on: non-empty bounded ids, a valid ISO date when a
// payment date is present, and amounts inside the range the database accepts.
#include <string>
#include <string_view>

#include "admin/money/asaas_event.hpp"
#include "admin/money/http_helpers.hpp"
#include "tests/fuzz/fuzz_target.hpp"

DISPARO_FUZZ_TARGET(asaas_event) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto first = disparo::admin::money::parse_asaas_event(body);
  auto second = disparo::admin::money::parse_asaas_event(body);
  DISPARO_FUZZ_CHECK(first.has_value() == second.has_value());
  if (!first) return 0;
  DISPARO_FUZZ_CHECK(!first->id.empty() && first->id.size() <= 200);
  DISPARO_FUZZ_CHECK(!first->event.empty() && first->event.size() <= 100);
  DISPARO_FUZZ_CHECK(first->id == second->id && first->event == second->event);
  if (first->payment) {
    const auto& p = *first->payment;
    DISPARO_FUZZ_CHECK(!p.id.empty() && p.id.size() <= 200);
    if (p.paid_on) DISPARO_FUZZ_CHECK(disparo::admin::money::is_iso_date(*p.paid_on));
    if (p.value_cents) DISPARO_FUZZ_CHECK(*p.value_cents >= -1'000'000'000'000'000 && *p.value_cents <= 1'000'000'000'000'000);
    DISPARO_FUZZ_CHECK(second->payment && second->payment->value_cents == p.value_cents);
    (void)disparo::admin::money::classify_asaas_event(first->event);
    (void)disparo::admin::money::method_for_billing_type(p.billing_type);
  }
  return 0;
}
