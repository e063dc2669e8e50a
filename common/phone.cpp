#include "common/phone.hpp"

#include <array>

namespace disparo::phone {
namespace {

// Longest digit string worth looking at: "00" + 15 digits of E.164, with some slack. Anything
// longer is rejected before any other work.
constexpr std::size_t kMaxDigits = 20;

// The 67 Brazilian area codes (DDD) in use, from ANATEL's numbering plan.
constexpr std::array<int, 67> kAreaCodes = {
    11, 12, 13, 14, 15, 16, 17, 18, 19,  // São Paulo
    21, 22, 24, 27, 28,                  // Rio de Janeiro, Espírito Santo
    31, 32, 33, 34, 35, 37, 38,          // Minas Gerais
    41, 42, 43, 44, 45, 46, 47, 48, 49,  // Paraná, Santa Catarina
    51, 53, 54, 55,                      // Rio Grande do Sul
    61, 62, 63, 64, 65, 66, 67, 68, 69,  // Centro-Oeste, Tocantins, Acre, Rondônia
    71, 73, 74, 75, 77, 79,              // Bahia, Sergipe
    81, 82, 83, 84, 85, 86, 87, 88, 89,  // Nordeste
    91, 92, 93, 94, 95, 96, 97, 98, 99,  // Norte, Maranhão
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_formatting(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')';
}

bool is_area_code(std::string_view two_digits) {
  const int ddd = (two_digits[0] - '0') * 10 + (two_digits[1] - '0');
  for (int known : kAreaCodes) {
    if (known == ddd) return true;
  }
  return false;
}

// `national`: DDD + subscriber number, digits only.
std::optional<Parsed> brazilian(std::string_view national) {
  if (national.size() != 10 && national.size() != 11) return std::nullopt;
  const std::string_view ddd = national.substr(0, 2);
  const std::string_view subscriber = national.substr(2);
  if (!is_area_code(ddd)) return std::nullopt;
  std::string e164 = "+55";
  e164 += ddd;
  const char first = subscriber.front();
  if (subscriber.size() == 9) {
    if (first != '9') return std::nullopt;
    e164 += subscriber;
    return Parsed{std::move(e164), true};
  }
  if (first >= '6' && first <= '9') {  // a mobile still written without the ninth digit
    e164 += '9';
    e164 += subscriber;
    return Parsed{std::move(e164), true};
  }
  if (first >= '2' && first <= '5') {  // a landline
    e164 += subscriber;
    return Parsed{std::move(e164), false};
  }
  return std::nullopt;
}

// `digits`: country code and national number, without "+" or "00".
std::optional<Parsed> international(std::string_view digits) {
  if (digits.empty() || digits.front() == '0') return std::nullopt;
  if (digits.substr(0, 2) == "55") {
    std::string_view national = digits.substr(2);
    // "+55 (011) 98765-4321": people keep the trunk 0 after the country code.
    if ((national.size() == 11 || national.size() == 12) && national.front() == '0') {
      national.remove_prefix(1);
    }
    return brazilian(national);
  }
  if (digits.size() < 8 || digits.size() > 15) return std::nullopt;
  return Parsed{"+" + std::string(digits), false};
}

// `digits` written without "+" or "00" in Brazil.
std::optional<Parsed> brazilian_national(std::string_view digits) {
  if (digits.front() == '0') {
    // Trunk 0: "0 AA NNNNNNNNN" (11 or 12 digits) or with a carrier selection code
    // "0 XX AA NNNNNNNNN" (13 or 14 digits). Lengths never overlap, so they decide.
    if (digits.size() == 11 || digits.size() == 12) return brazilian(digits.substr(1));
    if (digits.size() == 13 || digits.size() == 14) return brazilian(digits.substr(3));
    return std::nullopt;
  }
  if (digits.size() == 10 || digits.size() == 11) return brazilian(digits);
  // Already with the country code, as in a provider's wa_id ("5511987654321").
  if ((digits.size() == 12 || digits.size() == 13) && digits.substr(0, 2) == "55") {
    return brazilian(digits.substr(2));
  }
  return std::nullopt;
}

bool is_country_code(std::string_view cc) {
  if (cc.empty() || cc.size() > 3 || cc.front() == '0') return false;
  for (char c : cc) {
    if (!is_digit(c)) return false;
  }
  return true;
}

}  // namespace

std::optional<Parsed> normalize(std::string_view input, std::string_view default_country_code) {
  if (!is_country_code(default_country_code)) return std::nullopt;
  std::string digits;
  bool plus = false;
  for (char c : input) {
    if (is_digit(c)) {
      if (digits.size() == kMaxDigits) return std::nullopt;
      digits += c;
    } else if (c == '+') {
      if (plus || !digits.empty()) return std::nullopt;
      plus = true;
    } else if (!is_formatting(c)) {
      return std::nullopt;
    }
  }
  if (digits.empty()) return std::nullopt;
  if (plus) return international(digits);
  if (digits.size() > 2 && digits[0] == '0' && digits[1] == '0') {
    return international(std::string_view(digits).substr(2));
  }
  if (default_country_code == "55") return brazilian_national(digits);
  std::string_view national = digits;
  if (national.front() == '0') national.remove_prefix(1);  // trunk prefix
  if (national.empty() || national.front() == '0') return std::nullopt;
  return international(std::string(default_country_code) + std::string(national));
}

std::string digits_without_ninth(std::string_view e164) {
  std::string digits;
  for (char c : e164) {
    if (is_digit(c)) digits += c;
  }
  // 55 AA 9 [6-9]NNNNNNN: drop the 9 at index 4.
  if (digits.size() == 13 && digits.compare(0, 2, "55") == 0 && digits[4] == '9' &&
      digits[5] >= '6' && digits[5] <= '9') {
    digits.erase(4, 1);
  }
  return digits;
}

std::optional<std::string> e164_from_wa_id(std::string_view wa_id) {
  std::string_view user = wa_id;
  if (const auto at = wa_id.find('@'); at != std::string_view::npos) {
    const std::string_view server = wa_id.substr(at + 1);
    if (server != "s.whatsapp.net" && server != "c.us") return std::nullopt;  // groups, LIDs
    user = wa_id.substr(0, at);
    // Baileys adds ":<device>" for a user's companion devices.
    if (const auto colon = user.find(':'); colon != std::string_view::npos) {
      user = user.substr(0, colon);
    }
  }
  if (user.empty() || user.size() > 15) return std::nullopt;
  for (char c : user) {
    if (!is_digit(c)) return std::nullopt;
  }
  auto parsed = international(user);
  if (!parsed) return std::nullopt;
  return std::move(parsed->e164);
}

}  // namespace disparo::phone
