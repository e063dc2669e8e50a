// Phone numbers: parse what people type into canonical E.164, with Brazilian rules.
//
// Debian's libphonenumber-dev cannot be installed next to Boost 1.81 (it depends on
// libboost-thread1.74-dev, which conflicts), so this covers what Disparo needs: Brazilian
// numbers in any common input format ("(11) 98765-4321", "011987654321", "0 21 11 98765-4321",
// "+55 11 8765-4321", "5511987654321", "0055 11 98765 4321"), the ninth digit on mobiles, and
// other countries passed through when given with "+" (or "00") and a plausible length.
// Pure functions; thread-safe.
//
// Brazilian rules (ANATEL numbering plan):
// - the national number is a 2-digit area code (DDD, one of the 67 in use, 11..99) and an
//   8- or 9-digit subscriber number;
// - 9 digits starting with 9: a mobile;
// - 8 digits starting with 6, 7, 8 or 9: a mobile written without the ninth digit (the "9" was
//   prepended nationwide in 2012-2016); normalize adds the 9;
// - 8 digits starting with 2, 3, 4 or 5: a landline, kept as is;
// - anything else (service numbers, 0300/0800, short codes) is rejected.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace disparo::phone {

struct Parsed {
  std::string e164;       // "+5511987654321"; always matches ^\+[1-9][0-9]{7,14}$
  bool brazilian_mobile;  // a Brazilian mobile: e164 has the ninth digit (given or added)
};

// Returns nullopt when the text is not a plausible phone number.
// Accepted formatting: spaces, tabs, '-', '.', '(', ')' anywhere; one '+' before the first digit.
// Without "+" or "00" the number is national to `default_country_code` (Disparo's users are in
// Brazil): for "55" the Brazilian forms above, with or without the trunk "0" and carrier code
// ("0 XX AA NNNNNNNNN"), or already prefixed with 55 ("5511987654321"); for another country
// code a single trunk "0" is dropped and the code prepended. normalize is idempotent on e164.
std::optional<Parsed> normalize(std::string_view input,
                                std::string_view default_country_code = "55");

// The identity key of a number, as providers may report it: for a Brazilian mobile the digits
// without the ninth digit ("+5511987654321" -> "551187654321", i.e. 55 + DDD + last 8 digits);
// for any other number its digits ("+551133334444" -> "551133334444"). Two spellings of one
// Brazilian mobile have the same key, so it is what contacts are matched on.
// Only mobiles that existed before the ninth digit (9 then 6..9) lose it: "+5511923456789" keeps
// it, since "551123456789" is the key of the landline +55 11 2345-6789.
std::string digits_without_ninth(std::string_view e164);

// Turns a wa_id reported by a provider back into our canonical E.164: Cloud API "wa_id" or
// "from" ("551187654321", maybe missing the ninth digit) or an Evolution/Baileys JID
// ("551187654321@s.whatsapp.net", "5511987654321:7@s.whatsapp.net", "...@c.us"). The digits are
// always international (no default country). Returns nullopt for group JIDs ("@g.us"), LIDs
// ("@lid") and anything that is not a plausible number.
// e164_from_wa_id(digits_without_ninth(x.e164)) == x.e164 for every normalized mobile x.
std::optional<std::string> e164_from_wa_id(std::string_view wa_id);

}  // namespace disparo::phone
