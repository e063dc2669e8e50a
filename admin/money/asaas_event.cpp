#include "admin/money/asaas_event.hpp"

#include <cmath>

#include <boost/json.hpp>

#include "admin/money/http_helpers.hpp"

namespace disparo::admin::money {
namespace {

std::optional<std::string> string_member(const boost::json::object& o, std::string_view key) {
  auto found = o.find(key);
  if (found == o.end() || !found->value().is_string()) return std::nullopt;
  return std::string(found->value().get_string());
}

// BRL amounts arrive as JSON numbers (100, 100.5, 99.99): cents, rounded to the nearest cent.
std::optional<std::int64_t> cents_member(const boost::json::object& o, std::string_view key) {
  auto found = o.find(key);
  if (found == o.end()) return std::nullopt;
  const auto& v = found->value();
  constexpr double kMax = 1e13;  // far beyond any real payment, far inside int64 cents
  if (v.is_int64()) {
    const auto units = v.get_int64();
    if (units < -static_cast<std::int64_t>(kMax / 100) || units > static_cast<std::int64_t>(kMax / 100)) return std::nullopt;
    return units * 100;
  }
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(kMax / 100)) return std::nullopt;
    return static_cast<std::int64_t>(v.get_uint64()) * 100;
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (!std::isfinite(d) || std::fabs(d) > kMax / 100) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(d * 100.0));
  }
  return std::nullopt;
}

std::optional<std::string> date_member(const boost::json::object& o, std::string_view key) {
  auto text = string_member(o, key);
  if (text && text->size() >= 10 && is_iso_date(std::string_view(*text).substr(0, 10))) return text->substr(0, 10);
  return std::nullopt;
}

}  // namespace

Expected<AsaasEvent> parse_asaas_event(std::string_view body) {
  boost::json::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) {
    return make_error(ErrorKind::invalid_argument, "The body is not a JSON object.");
  }
  const auto& root = value.as_object();
  AsaasEvent event;
  auto id = string_member(root, "id");
  auto name = string_member(root, "event");
  if (!id || id->empty() || id->size() > 200 || !name || name->empty() || name->size() > 100) {
    return make_error(ErrorKind::invalid_argument, "An Asaas event needs string members 'id' and 'event'.");
  }
  event.id = std::move(*id);
  event.event = std::move(*name);

  auto payment = root.find("payment");
  if (payment != root.end() && payment->value().is_object()) {
    const auto& p = payment->value().get_object();
    auto pay_id = string_member(p, "id");
    if (pay_id && !pay_id->empty() && pay_id->size() <= 200) {
      AsaasPayment out;
      out.id = std::move(*pay_id);
      out.external_reference = string_member(p, "externalReference");
      out.value_cents = cents_member(p, "value");
      out.billing_type = string_member(p, "billingType").value_or("");
      out.paid_on = date_member(p, "paymentDate");
      if (!out.paid_on) out.paid_on = date_member(p, "clientPaymentDate");
      if (!out.paid_on) out.paid_on = date_member(p, "confirmedDate");
      event.payment = std::move(out);
    }
  }
  return event;
}

AsaasAction classify_asaas_event(std::string_view event) {
  if (event == "PAYMENT_RECEIVED" || event == "PAYMENT_CONFIRMED") return AsaasAction::record;
  if (event == "PAYMENT_REFUNDED" || event == "PAYMENT_DELETED") return AsaasAction::reverse;
  return AsaasAction::ignore;
}

std::string_view method_for_billing_type(std::string_view billing_type) {
  if (billing_type == "PIX") return "pix";
  if (billing_type == "BOLETO") return "boleto";
  if (billing_type == "CREDIT_CARD" || billing_type == "DEBIT_CARD") return "card";
  return "cash";
}

std::optional<std::int64_t> client_id_from_reference(std::string_view reference) { return parse_id(reference); }

}  // namespace disparo::admin::money
