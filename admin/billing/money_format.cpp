#include "admin/billing/money_format.hpp"

namespace disparo::admin::billing {
namespace {

// Magnitude of cents without overflow for INT64_MIN.
std::uint64_t magnitude(std::int64_t cents) {
  return cents < 0 ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
}

std::string two_digits(std::uint64_t v) {
  std::string out;
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
  return out;
}

}  // namespace

std::string format_brl(std::int64_t cents) {
  const auto m = magnitude(cents);
  std::string units = std::to_string(m / 100);
  std::string grouped;
  const std::size_t n = units.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) grouped.push_back('.');
    grouped.push_back(units[i]);
  }
  return std::string(cents < 0 ? "-" : "") + "R$ " + grouped + "," + two_digits(m % 100);
}

std::string decimal_comma(std::int64_t cents) {
  const auto m = magnitude(cents);
  return std::string(cents < 0 ? "-" : "") + std::to_string(m / 100) + "," + two_digits(m % 100);
}

std::string br_date(std::string_view iso) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return std::string(iso);
  std::string out;
  out.append(iso.substr(8, 2)).push_back('/');
  out.append(iso.substr(5, 2)).push_back('/');
  out.append(iso.substr(0, 4));
  return out;
}

}  // namespace disparo::admin::billing
