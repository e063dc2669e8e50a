// The placeholder language: examples, and properties over generated texts (rapidcheck).
#include "campaigns/placeholders.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace disparo::campaigns {
namespace {

using namespace date::literals;

RenderContext sample_context() {
  RenderContext c;
  c.nome = "Maria";
  c.usuario = "maria01";
  c.senha = "s3nha";
  c.telefone = "+5511987654321";
  c.servidor = "Servidor A";
  c.plano = "Mensal";
  c.empresa = "Loja X";
  c.metodo = "Pix";
  c.valor_cents = 123456;
  c.vencimento = date::sys_days(2026_y / 3 / 5);
  c.today = date::local_days(2026_y / 3 / 2);
  c.now_local_minutes = std::chrono::minutes(9 * 60 + 5);
  return c;
}

TEST(Placeholders, RendersEveryKnownName) {
  const auto c = sample_context();
  EXPECT_EQ(render_text("Olá {nome}, {usuario}/{senha} {telefone} {servidor} {plano} {empresa} {metodo}", c),
            "Olá Maria, maria01/s3nha +5511987654321 Servidor A Mensal Loja X Pix");
  EXPECT_EQ(render_text("{valor} vence {vencimento} em {dias} dias; hoje {data} {hora}", c),
            "R$ 1.234,56 vence 05/03/2026 em 3 dias; hoje 02/03/2026 09:05");
}

TEST(Placeholders, DaysAreAbsoluteAndEmptyWithoutDueDate) {
  auto c = sample_context();
  c.today = date::local_days(2026_y / 4 / 4);  // 30 days after the due date
  EXPECT_EQ(render_text("{dias}", c), "30");
  c.vencimento.reset();
  EXPECT_EQ(render_text("[{dias}][{vencimento}]", c), "[][]");
}

TEST(Placeholders, DoubledBracesAreLiteral) {
  EXPECT_TRUE(validate_placeholders("{{nome}} e }} e {{"));
  EXPECT_EQ(render_text("{{nome}} = {nome}", sample_context()), "{nome} = Maria");
}

TEST(Placeholders, ValidationNamesTheProblemAndItsOffset) {
  auto unknown = validate_placeholders("Olá {name}");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(unknown.error().message, "unknown placeholder {name} at offset 5");

  auto open = validate_placeholders("abc {nome");
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("unbalanced '{' at offset 4"), std::string::npos);

  auto close = validate_placeholders("abc } x");
  ASSERT_FALSE(close);
  EXPECT_NE(close.error().message.find("unbalanced '}' at offset 4"), std::string::npos);

  auto empty = validate_placeholders("x {}");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty placeholder"), std::string::npos);

  EXPECT_FALSE(validate_placeholders("{Nome}"));        // case matters
  EXPECT_FALSE(validate_placeholders("{ nome }"));      // no spaces
  EXPECT_FALSE(validate_placeholders("{nome{nome}}"));  // no nesting
  EXPECT_TRUE(validate_placeholders(""));
  EXPECT_TRUE(validate_placeholders("sem placeholders"));
}

TEST(Placeholders, LongUnknownNamesAreShortenedInTheMessage) {
  const std::string name(500, 'x');
  auto result = validate_placeholders("{" + name + "}");
  ASSERT_FALSE(result);
  EXPECT_LT(result.error().message.size(), 100u);
}

TEST(Placeholders, ListsUsedNamesInOrder) {
  EXPECT_EQ(placeholders_in("{nome} {{x}} {valor} {nome}"),
            (std::vector<std::string>{"nome", "valor", "nome"}));
}

TEST(Formatting, Money) {
  EXPECT_EQ(format_brl(0), "R$ 0,00");
  EXPECT_EQ(format_brl(5), "R$ 0,05");
  EXPECT_EQ(format_brl(100), "R$ 1,00");
  EXPECT_EQ(format_brl(123456), "R$ 1.234,56");
  EXPECT_EQ(format_brl(100000000), "R$ 1.000.000,00");
  EXPECT_EQ(format_brl(-5), "-R$ 0,05");
  EXPECT_EQ(format_brl(INT64_MIN), "-R$ 92.233.720.368.547.758,08");
}

TEST(Formatting, DatesAndTimes) {
  EXPECT_EQ(format_br_date(2026_y / 1 / 9), "09/01/2026");
  EXPECT_EQ(format_hhmm(std::chrono::minutes(0)), "00:00");
  EXPECT_EQ(format_hhmm(std::chrono::minutes(23 * 60 + 59)), "23:59");
}

// --- properties ---------------------------------------------------------------------------------

// Parses what format_brl writes back into cents (the test's own reading of the format).
std::optional<std::int64_t> parse_brl(const std::string& text) {
  std::string_view s = text;
  bool negative = false;
  if (s.starts_with("-")) {
    negative = true;
    s.remove_prefix(1);
  }
  if (!s.starts_with("R$ ")) return std::nullopt;
  s.remove_prefix(3);
  const auto comma = s.find(',');
  if (comma == std::string_view::npos || s.size() - comma != 3) return std::nullopt;
  std::int64_t reais = 0;
  for (std::size_t i = 0; i < comma; ++i) {
    if (s[i] == '.') continue;  // thousands separator (checked separately)
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    reais = reais * 10 + (s[i] - '0');
  }
  const std::int64_t cents = (s[comma + 1] - '0') * 10 + (s[comma + 2] - '0');
  const std::int64_t total = reais * 100 + cents;
  return negative ? -total : total;
}

RC_GTEST_PROP(FormattingProps, MoneyRoundTrips, ()) {
  const auto cents = *rc::gen::inRange<std::int64_t>(-100'000'000'000'00, 100'000'000'000'00);
  const auto text = format_brl(cents);
  RC_ASSERT(parse_brl(text) == std::optional<std::int64_t>(cents));
  // Thousands separators: every group after the first has exactly three digits.
  const auto digits = text.substr(text.find("R$ ") + 3, text.find(',') - text.find("R$ ") - 3);
  std::size_t run = 0;
  for (char ch : digits) {
    if (ch == '.') {
      RC_ASSERT(run > 0u);
      run = 0;
    } else {
      ++run;
    }
  }
  RC_ASSERT(run == 3u || digits.find('.') == std::string::npos);
}

RC_GTEST_PROP(FormattingProps, DatesRoundTrip, ()) {
  const auto days = *rc::gen::inRange(-100'000, 100'000);
  const date::year_month_day ymd{date::sys_days(date::days(days))};
  if (static_cast<int>(ymd.year()) < 1000 || static_cast<int>(ymd.year()) > 9999) return;
  const auto text = format_br_date(ymd);
  RC_ASSERT(text.size() == 10u);
  const int d = std::stoi(text.substr(0, 2)), m = std::stoi(text.substr(3, 2)), y = std::stoi(text.substr(6, 4));
  RC_ASSERT(date::year(y) / date::month(static_cast<unsigned>(m)) / date::day(static_cast<unsigned>(d)) == ymd);
}

RC_GTEST_PROP(FormattingProps, DaysIsTheDistanceToTheDueDate, ()) {
  auto c = sample_context();
  const auto today = *rc::gen::inRange(0, 40'000);
  const auto due = *rc::gen::inRange(0, 40'000);
  c.today = date::local_days(date::days(today));
  c.vencimento = date::sys_days(date::days(due));
  RC_ASSERT(render_text("{dias}", c) == std::to_string(std::abs(today - due)));
}

// A piece of a template text and what it must render to.
struct Piece {
  std::string text;
  std::string name;  // placeholder name, or "" for a literal
};

rc::Gen<Piece> piece() {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::container<std::string>(rc::gen::suchThat(rc::gen::character<char>(), [](char c) {
                     return c != '{' && c != '}';
                   })),
                   [](std::string s) { return Piece{s, ""}; }),
      rc::gen::element(Piece{"{{", ""}, Piece{"}}", ""}),
      rc::gen::map(rc::gen::elementOf(kPlaceholders),
                   [](std::string_view n) { return Piece{"{" + std::string(n) + "}", std::string(n)}; }));
}

RC_GTEST_PROP(PlaceholderProps, ValidTextsRenderPieceByPiece, ()) {
  const auto pieces = *rc::gen::container<std::vector<Piece>>(piece());
  auto c = sample_context();
  c.nome = *rc::gen::container<std::string>(rc::gen::character<char>());  // may hold braces
  std::string text, expected;
  std::vector<std::string> names;
  for (const auto& p : pieces) {
    text += p.text;
    if (!p.name.empty()) {
      expected += placeholder_value(p.name, c);
      names.push_back(p.name);
    } else if (p.text == "{{") {
      expected += "{";
    } else if (p.text == "}}") {
      expected += "}";
    } else {
      expected += p.text;
    }
  }
  RC_ASSERT(validate_placeholders(text).has_value());
  RC_ASSERT(placeholders_in(text) == names);
  RC_ASSERT(render_text(text, c) == expected);
}

RC_GTEST_PROP(PlaceholderProps, RenderOfValidatedTextLeavesNoKnownPlaceholder, ()) {
  // Without escaped braces and with brace-free values, no "{name}" survives rendering.
  std::vector<Piece> pieces = *rc::gen::container<std::vector<Piece>>(piece());
  std::string text;
  for (const auto& p : pieces) {
    if (p.text != "{{" && p.text != "}}") text += p.text;
  }
  RC_PRE(validate_placeholders(text).has_value());
  const auto out = render_text(text, sample_context());
  for (auto name : kPlaceholders) RC_ASSERT(out.find("{" + std::string(name) + "}") == std::string::npos);
}

RC_GTEST_PROP(PlaceholderProps, EveryUnknownNameIsRejected, ()) {
  const auto name = *rc::gen::nonEmpty(rc::gen::container<std::string>(
      rc::gen::oneOf(rc::gen::inRange('a', static_cast<char>('z' + 1)), rc::gen::inRange('0', static_cast<char>('9' + 1)),
                     rc::gen::just('_'))));
  RC_PRE(!is_known_placeholder(name));
  const auto prefix = *rc::gen::container<std::string>(
      rc::gen::suchThat(rc::gen::character<char>(), [](char c) { return c != '{' && c != '}'; }));
  auto result = validate_placeholders(prefix + "{" + name + "}");
  RC_ASSERT(!result.has_value());
  RC_ASSERT(result.error().kind == ErrorKind::invalid_argument);
  RC_ASSERT(result.error().message.find("unknown placeholder") != std::string::npos);
  RC_ASSERT(result.error().message.find("at offset " + std::to_string(prefix.size())) != std::string::npos);
}

RC_GTEST_PROP(PlaceholderProps, ArbitraryTextNeverBreaksTheParser, (const std::string& text)) {
  const auto valid = validate_placeholders(text);
  const auto names = placeholders_in(text);
  const auto out = render_text(text, sample_context());
  if (valid) {
    for (const auto& n : names) RC_ASSERT(is_known_placeholder(n));
  } else {
    RC_ASSERT(!valid.error().message.empty());
  }
  // Rendering an invalid text keeps its text (the offending parts are copied through).
  if (!valid) RC_ASSERT(!out.empty());
}

}  // namespace
}  // namespace disparo::campaigns
