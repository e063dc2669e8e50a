// Phone numbers: parse what people type into canonical E.164, with Brazilian rules.
//
// Debian's libphonenumber-dev cannot be installed next to Boost 1.81 (it depends on
// libboost-thread1.74-dev, which conflicts), so this covers what Disparo needs: Brazilian
// numbers in any common input format ("(11) 98765-4321", "011987654321", "+55 11 8765-4321",
// "5511987654321"), the ninth digit on mobiles, and other countries passed through when
// given with "+" and a plausible length. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace disparo::phone {

struct Parsed {
  std::string e164;       // "+5511987654321"
  bool brazilian_mobile;  // true when the ninth-digit rule applied
};

// Returns nullopt when the text is not a plausible phone number.
// `default_country_code` is used when the input has no "+" (Disparo's users are in Brazil).
std::optional<Parsed> normalize(std::string_view input, std::string_view default_country_code = "55");

// The forms a provider may report for one Brazilian mobile: with and without the ninth
// digit, digits only ("5511987654321" and "551187654321"). For other numbers: the digits.
// Used to match a webhook's wa_id back to our stored E.164.
std::string digits_without_ninth(std::string_view e164);

}  // namespace disparo::phone
