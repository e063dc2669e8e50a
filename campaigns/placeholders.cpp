#include "campaigns/placeholders.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace disparo::campaigns {
namespace {

// One step of the scanner shared by validate, placeholders_in and render: a literal run, an
// escaped brace, a placeholder name, or an error at `offset`.
struct Token {
  enum class Kind { literal, placeholder, error } kind = Kind::literal;
  std::string_view text;  // literal text (an escaped brace is the single brace) or the name
  std::size_t offset = 0;
  std::string error;
};

bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Scans from `at`, returns the token and advances `at`.
Token next_token(std::string_view text, std::size_t& at) {
  Token token;
  token.offset = at;
  const char c = text[at];
  if (c == '{') {
    if (at + 1 < text.size() && text[at + 1] == '{') {
      token.text = text.substr(at, 1);
      at += 2;
      return token;
    }
    const auto close = text.find_first_of("{}", at + 1);
    if (close == std::string_view::npos || text[close] == '{') {
      token.kind = Token::Kind::error;
      token.error = "unbalanced '{' at offset " + std::to_string(at) + " (write {{ for a literal brace)";
      at = text.size();
      return token;
    }
    const auto name = text.substr(at + 1, close - at - 1);
    token.text = name;
    token.kind = Token::Kind::placeholder;
    if (name.empty()) {
      token.kind = Token::Kind::error;
      token.error = "empty placeholder {} at offset " + std::to_string(at);
    } else if (!std::all_of(name.begin(), name.end(), name_char) || !is_known_placeholder(name)) {
      token.kind = Token::Kind::error;
      // Bound what we echo back: the name comes from the user and may be long.
      const auto shown = name.substr(0, 40);
      token.error = "unknown placeholder {" + std::string(shown) + (name.size() > 40 ? "..." : "") +
                    "} at offset " + std::to_string(at);
    }
    at = close + 1;
    return token;
  }
  if (c == '}') {
    if (at + 1 < text.size() && text[at + 1] == '}') {
      token.text = text.substr(at, 1);
      at += 2;
      return token;
    }
    token.kind = Token::Kind::error;
    token.error = "unbalanced '}' at offset " + std::to_string(at) + " (write }} for a literal brace)";
    at = text.size();
    return token;
  }
  const auto end = text.find_first_of("{}", at);
  const auto stop = end == std::string_view::npos ? text.size() : end;
  token.text = text.substr(at, stop - at);
  at = stop;
  return token;
}

std::string two(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", v % 100);
  return buf;
}

}  // namespace

bool is_known_placeholder(std::string_view name) {
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), name) != kPlaceholders.end();
}

Expected<void> validate_placeholders(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    auto token = next_token(text, at);
    if (token.kind == Token::Kind::error) return make_error(ErrorKind::invalid_argument, token.error);
  }
  return {};
}

std::vector<std::string> placeholders_in(std::string_view text) {
  std::vector<std::string> names;
  std::size_t at = 0;
  while (at < text.size()) {
    auto token = next_token(text, at);
    if (token.kind == Token::Kind::placeholder) names.emplace_back(token.text);
  }
  return names;
}

std::string format_brl(std::int64_t cents) {
  // Work on the magnitude in unsigned arithmetic so INT64_MIN does not overflow.
  const bool negative = cents < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  std::string reais = std::to_string(magnitude / 100);
  std::string grouped;
  const std::size_t lead = reais.size() % 3 == 0 ? 3 : reais.size() % 3;
  grouped.append(reais, 0, lead);
  for (std::size_t i = lead; i < reais.size(); i += 3) {
    grouped += '.';
    grouped.append(reais, i, 3);
  }
  std::string out = negative ? "-R$ " : "R$ ";
  out += grouped;
  out += ',';
  out += two(static_cast<unsigned>(magnitude % 100));
  return out;
}

std::string format_br_date(date::year_month_day day) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(day.day()),
                static_cast<unsigned>(day.month()), static_cast<int>(day.year()));
  return buf;
}

std::string format_hhmm(std::chrono::minutes since_midnight) {
  auto m = since_midnight.count() % (24 * 60);
  if (m < 0) m += 24 * 60;
  return two(static_cast<unsigned>(m / 60)) + ":" + two(static_cast<unsigned>(m % 60));
}

std::string placeholder_value(std::string_view name, const RenderContext& c) {
  if (name == "nome") return c.nome;
  if (name == "usuario") return c.usuario;
  if (name == "senha") return c.senha;
  if (name == "telefone") return c.telefone;
  if (name == "servidor") return c.servidor;
  if (name == "plano") return c.plano;
  if (name == "empresa") return c.empresa;
  if (name == "metodo") return c.metodo;
  if (name == "valor") return format_brl(c.valor_cents);
  if (name == "vencimento") return c.vencimento ? format_br_date(date::year_month_day{*c.vencimento}) : "";
  if (name == "data") return format_br_date(date::year_month_day{c.today});
  if (name == "hora") return format_hhmm(c.now_local_minutes);
  if (name == "dias") {
    if (!c.vencimento) return "";
    const auto diff = c.today.time_since_epoch().count() - c.vencimento->time_since_epoch().count();
    return std::to_string(diff < 0 ? -diff : diff);
  }
  return "";
}

std::string render_text(std::string_view text, const RenderContext& context) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t start = at;
    auto token = next_token(text, at);
    switch (token.kind) {
      case Token::Kind::literal: out += token.text; break;
      case Token::Kind::placeholder: out += placeholder_value(token.text, context); break;
      case Token::Kind::error:
        // Not validated: copy the offending stretch through rather than lose text. An unbalanced
        // brace ends the scan (at = size), so this copies everything from it.
        out += text.substr(start, at - start);
        break;
    }
  }
  return out;
}

}  // namespace disparo::campaigns
