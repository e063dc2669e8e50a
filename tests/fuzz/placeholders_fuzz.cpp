// Fuzzes the placeholder language (campaigns/placeholders.hpp): template texts come from tenants'
// operators through the admin API and are rendered for every client of a campaign. Checks that
// validation never crashes, is deterministic, points at an offset inside the text when it
// refuses, and that a text it accepts renders without leaving a placeholder behind.
#include <string>
#include <string_view>

#include "campaigns/placeholders.hpp"
#include "tests/fuzz/fuzz_target.hpp"

DISPARO_FUZZ_TARGET(placeholders) {
  namespace c = disparo::campaigns;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto first = c::validate_placeholders(text);
  const auto second = c::validate_placeholders(text);
  DISPARO_FUZZ_CHECK(first.has_value() == second.has_value());

  c::RenderContext context;  // brace-free values
  context.nome = "N";
  context.senha = "S";
  context.valor_cents = 123;
  const auto rendered = c::render_text(text, context);
  const auto names = c::placeholders_in(text);

  if (!first) {
    const auto& message = first.error().message;
    DISPARO_FUZZ_CHECK(first.error().kind == disparo::ErrorKind::invalid_argument);
    const auto at = message.rfind("at offset ");
    DISPARO_FUZZ_CHECK(at != std::string::npos);
    const auto offset = std::stoull(message.substr(at + 10));
    DISPARO_FUZZ_CHECK(offset < size);
    DISPARO_FUZZ_CHECK(message.size() < 200);  // the user's text is never echoed unbounded
    return 0;
  }
  for (const auto& name : names) DISPARO_FUZZ_CHECK(c::is_known_placeholder(name));
  // Without escaped braces, a valid text renders with no brace at all.
  if (text.find("{{") == std::string_view::npos && text.find("}}") == std::string_view::npos) {
    DISPARO_FUZZ_CHECK(rendered.find_first_of("{}") == std::string::npos);
  }
  // Rendering is deterministic.
  DISPARO_FUZZ_CHECK(rendered == c::render_text(text, context));
  return 0;
}
