// The three preset campaigns a tenant enables with one call: recovery (overdue for 30 days, an
// offer to come back), referral reminder (10 days before the due date) and post-sale follow-up
// (15 days after signing up), each with its own pt-BR text template.
//
// Their schedules run every day: the audience matches clients whose due date (or creation) is
// exactly day_offset days from today, so a schedule that skipped a weekday would skip every
// client whose day fell on it.
#include <algorithm>
#include <array>

#include <boost/json.hpp>

#include "admin/campaigns/campaign_store.hpp"

namespace disparo::admin::campaigns {
namespace {

constexpr int kEveryDay = 0x7F;

struct Preset {
  std::string_view key;
  std::string_view campaign_name;
  std::string_view kind;
  std::string_view status;
  std::string_view anchor;
  int day_offset;
  std::string_view time;
  std::string_view text;
};

// {valor} is the client's amount (or its plan's price): the offer of the recovery text.
constexpr std::array<Preset, 3> kPresets{{
    {"recovery", "Recuperação: vencidos há 30 dias", "recovery", "any", "due_date", 30, "10:00",
     "Olá, {nome}! Sentimos sua falta. Seu plano {plano} está vencido desde {vencimento}. "
     "Volte hoje por apenas {valor} e reative seu acesso na hora. "
     "É só responder esta mensagem que a gente renova para você. {empresa}"},
    {"referral", "Indicação: 10 dias antes do vencimento", "referral", "active", "due_date", -10, "11:00",
     "Olá, {nome}! Seu plano {plano} vence em {vencimento}. Sabia que dá para renovar sem pagar? "
     "Indique um amigo para a {empresa}: quando ele assinar, você ganha um mês grátis. "
     "Mande aqui o contato de quem você quer indicar."},
    {"post_sale", "Pós-venda: 15 dias de cliente", "post_sale", "any", "created", 15, "14:00",
     "Olá, {nome}! Você está com a {empresa} há 15 dias. Está tudo certo com o seu acesso "
     "({servidor}, usuário {usuario})? Se precisar de qualquer ajuda, é só responder esta mensagem."},
}};

const Preset* find_preset(std::string_view key) {
  for (const auto& p : kPresets) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace

bool is_preset(std::string_view preset) { return find_preset(preset) != nullptr; }

CampaignFields preset_fields(std::string_view preset) {
  const auto* p = find_preset(preset);
  CampaignFields f;
  if (!p) return f;
  f.name = p->campaign_name;
  f.kind = p->kind;
  f.audience_status = p->status;
  f.audience_anchor = p->anchor;
  f.day_offset = p->day_offset;
  f.schedule_days = kEveryDay;
  f.schedule_time = std::string(p->time);
  f.interval_seconds = 60;
  f.active = true;
  return f;
}

std::string preset_template_text(std::string_view preset) {
  const auto* p = find_preset(preset);
  return p ? std::string(p->text) : std::string();
}

Validated<PresetInput> read_preset_input(const boost::json::object& body) {
  // The campaign's own reader judges each member; only these may be overridden.
  auto read = read_campaign_input(body, false);
  std::vector<FieldError> errors = std::move(read.errors);
  for (const auto& member : body) {
    std::string_view key(member.key().data(), member.key().size());
    const bool allowed = key == "name" || key == "schedule_days" || key == "schedule_time" || key == "active" ||
                         key == "interval_seconds" || key == "server_ids";
    const bool reported = std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == key; });
    if (!allowed && !reported) errors.push_back({std::string(key), "is not a field a preset accepts"});
  }
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  PresetInput out;
  out.name = read.value->name;
  out.schedule_days = read.value->schedule_days;
  out.schedule_time = read.value->schedule_time;
  out.interval_seconds = read.value->interval_seconds;
  out.active = read.value->active;
  out.server_ids = read.value->server_ids;
  return {std::move(out), {}};
}

Expected<StoreAnswer> create_preset(pg::Connection& conn, std::int64_t tenant_id, std::string_view preset,
                                    const PresetInput& input) {
  if (!is_preset(preset)) return not_found_error("preset");
  CampaignFields fields = preset_fields(preset);
  CampaignInput overrides;
  overrides.name = input.name;
  overrides.schedule_days = input.schedule_days;
  overrides.schedule_time = input.schedule_time;
  overrides.interval_seconds = input.interval_seconds;
  overrides.active = input.active;
  overrides.server_ids = input.server_ids;
  apply_input(fields, overrides);
  const std::string text = preset_template_text(preset);

  // Template and campaign commit together: a refused campaign leaves no orphan template.
  std::vector<FieldError> refused;
  auto result = pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<StoreAnswer> {
    auto made = c.exec(
        "INSERT INTO message_templates (tenant_id, name, kind, body) VALUES ($1, $2, 'text', $3) "
        "ON CONFLICT (tenant_id, name) DO NOTHING "
        "RETURNING id, name, kind, body, disparo_rfc3339(created_at)",
        {param(tenant_id), param(fields.name), param(text)});
    if (!made) return std::move(made).error();
    if (made->size() == 0) {
      return make_error(ErrorKind::conflict, "A template named '" + fields.name +
                                                 "' already exists; pass another \"name\" for this preset.");
    }
    fields.template_id = made->int64(0, 0);
    boost::json::object tmpl{{"id", made->int64(0, 0)},
                             {"name", made->text(0, 1)},
                             {"kind", made->text(0, 2)},
                             {"body", made->text(0, 3)},
                             {"created_at", made->text(0, 4)}};
    auto campaign = insert_campaign(c, tenant_id, fields, std::string(preset));
    if (!campaign) return std::move(campaign).error();
    if (!campaign->errors.empty()) {
      // An error value rolls the template back; the field errors are answered below.
      refused = std::move(campaign->errors);
      return make_error(ErrorKind::invalid_argument, "preset refused");
    }
    StoreAnswer answer;
    answer.body = boost::json::object{{"template", std::move(tmpl)}, {"campaign", std::move(campaign->body)}};
    return answer;
  });
  if (!refused.empty()) return StoreAnswer{nullptr, std::move(refused)};
  return result;
}

}  // namespace disparo::admin::campaigns
