#include "admin/templates/automations.hpp"

#include <sstream>

#include <date/date.h>

#include "campaigns/client_context.hpp"
#include "campaigns/enqueue.hpp"
#include "campaigns/message_template.hpp"

namespace disparo::admin::templates {
namespace {

std::optional<date::sys_days> iso_day(std::string_view iso) {
  if (iso.size() != 10) return std::nullopt;
  std::istringstream in{std::string(iso)};
  date::sys_days day;
  in >> date::parse("%F", day);
  if (in.fail()) return std::nullopt;
  return day;
}

campaigns::NewMessage automatic(const campaigns::ClientTarget& target, const campaigns::RenderedMessage& rendered,
                                std::string key) {
  campaigns::NewMessage m;
  m.tenant_id = target.tenant_id;
  m.session_id = *target.session_id;
  m.client_id = target.client_id;
  m.recipient = target.phone;
  m.kind = rendered.kind;
  m.content_json = rendered.content_json;
  m.priority = 0;  // transactional: access data and receipts go before marketing
  m.origin = "automation";
  m.idempotency_key = std::move(key);
  return m;
}

}  // namespace

std::string method_label(std::string_view method) {
  if (method == "pix") return "Pix";
  if (method == "card") return "cartão";
  if (method == "boleto") return "boleto";
  return "dinheiro";
}

Expected<std::optional<std::int64_t>> queue_welcome(pg::Connection& tx, std::int64_t tenant_id,
                                                    std::int64_t client_id, SysTime now) {
  auto settings = tx.exec(
      "SELECT s.welcome_template_id FROM tenant_settings s "
      "JOIN message_templates t ON t.id = s.welcome_template_id AND t.tenant_id = s.tenant_id "
      "WHERE s.tenant_id = $1 AND s.welcome_enabled AND t.archived_at IS NULL",
      {std::to_string(tenant_id)});
  if (!settings) return std::move(settings).error();
  if (settings->size() == 0) return std::optional<std::int64_t>();
  auto tmpl = campaigns::load_template(tx, tenant_id, settings->int64(0, 0));
  if (!tmpl) return std::move(tmpl).error();
  auto target = campaigns::load_client_target(tx, tenant_id, client_id, now);
  if (!target) return std::move(target).error();
  if (!target->can_receive_automatic()) return std::optional<std::int64_t>();
  auto rendered = campaigns::render_message(*tmpl, target->context, target->cloud_api());
  if (!rendered) {
    // A Cloud API session and no approved template: WhatsApp would refuse a free-form first
    // message, so no welcome rather than a certain failure.
    if (rendered.error().code == campaigns::kNoProviderTemplate) return std::optional<std::int64_t>();
    return std::move(rendered).error();
  }
  return campaigns::enqueue_message(tx, automatic(*target, *rendered, "welcome:" + std::to_string(client_id)));
}

Expected<std::optional<std::int64_t>> queue_payment_confirmation(pg::Connection& tx, std::int64_t tenant_id,
                                                                 const PaymentFacts& payment, SysTime now) {
  auto settings = tx.exec(
      "SELECT s.payment_confirmation_text, "
      "       (SELECT t.id FROM message_templates t WHERE t.id = s.payment_confirmation_template_id "
      "          AND t.tenant_id = s.tenant_id AND t.archived_at IS NULL) "
      "FROM tenant_settings s WHERE s.tenant_id = $1 AND s.payment_confirmation_enabled",
      {std::to_string(tenant_id)});
  if (!settings) return std::move(settings).error();
  if (settings->size() == 0) return std::optional<std::int64_t>();
  auto target = campaigns::load_client_target(tx, tenant_id, payment.client_id, now);
  if (!target) return std::move(target).error();
  if (!target->can_receive_automatic()) return std::optional<std::int64_t>();
  target->context.valor_cents = payment.amount_cents;
  target->context.metodo = method_label(payment.method);
  if (auto due = iso_day(payment.new_due_date)) target->context.vencimento = due;

  campaigns::MessageTemplate tmpl;
  if (!settings->is_null(0, 1)) {
    auto loaded = campaigns::load_template(tx, tenant_id, settings->int64(0, 1));
    if (!loaded) return std::move(loaded).error();
    tmpl = std::move(*loaded);
  } else {
    tmpl.kind = "text";
    tmpl.body = settings->text(0, 0);
  }
  auto rendered = campaigns::render_message(tmpl, target->context, target->cloud_api());
  if (!rendered && rendered.error().code == campaigns::kNoProviderTemplate) {
    // The client just paid, so a conversation is usually open: the text is the best effort.
    rendered = campaigns::render_message(tmpl, target->context, false);
  }
  if (!rendered) return std::move(rendered).error();
  return campaigns::enqueue_message(tx,
                                    automatic(*target, *rendered, "payment:" + std::to_string(payment.payment_id)));
}

}  // namespace disparo::admin::templates
