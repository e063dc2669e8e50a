// The placeholder language of message templates: "Olá {nome}, seu plano vence em {vencimento}".
//
// A placeholder is a lowercase name between braces; "{{" and "}}" are literal braces. Texts are
// validated when a template is saved (validate_placeholders), so rendering never meets an
// unknown name. Pure functions over values; thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "common/expected.hpp"

namespace disparo::campaigns {

// Every placeholder a template may use. {metodo} (payment method) is only filled for the
// payment confirmation; elsewhere it renders as "".
inline constexpr std::array<std::string_view, 13> kPlaceholders = {
    "nome", "usuario", "senha", "telefone", "servidor", "plano", "valor",
    "vencimento", "dias", "data", "hora", "empresa", "metodo"};

bool is_known_placeholder(std::string_view name);

// Ok, or invalid_argument whose message names the unknown placeholder, the unbalanced brace or
// the empty name, and its byte offset: "unknown placeholder {foo} at offset 4".
Expected<void> validate_placeholders(std::string_view text);

// The names used by a (valid) text, in order of appearance, duplicates kept.
std::vector<std::string> placeholders_in(std::string_view text);

// What placeholders are filled from: one client, its server, plan and tenant, and "now" in the
// tenant's zone.
struct RenderContext {
  std::string nome, usuario, senha, telefone, servidor, plano, empresa, metodo;
  std::int64_t valor_cents = 0;
  std::optional<date::sys_days> vencimento;  // the due date (a local date, as days)
  date::local_days today{};                  // the tenant's local date
  std::chrono::minutes now_local_minutes{0}; // minutes since local midnight
};

// Replaces each placeholder of a text that passed validate_placeholders; "{{"/"}}" become
// "{"/"}". An unknown name (text not validated) is copied through unchanged.
//   {valor} "R$ 1.234,56"  {vencimento}/{data} "dd/mm/yyyy"  {hora} "HH:MM"
//   {dias} |today - vencimento| in days ("" without a due date)
std::string render_text(std::string_view validated_text, const RenderContext& context);

// The value one placeholder renders to ("" for an unknown name).
std::string placeholder_value(std::string_view name, const RenderContext& context);

// Formatting used by render_text, exposed for tests and other callers.
std::string format_brl(std::int64_t cents);           // "R$ 1.234,56", "-R$ 0,05"
std::string format_br_date(date::year_month_day day); // "05/03/2026"
std::string format_hhmm(std::chrono::minutes since_midnight);  // "09:05"

}  // namespace disparo::campaigns
