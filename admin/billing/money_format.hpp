// How money and dates look to Brazilian people: "R$ 1.234,56", "1234,56", "22/11/2026".
// Pure; any thread. Amounts are integer cents everywhere else; these are for messages and exports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace disparo::admin::billing {

// "R$ 1.234,56" (thousands with '.', decimals with ','); negative amounts "-R$ 5,00".
std::string format_brl(std::int64_t cents);
// "1234,56" / "-0,05": the number Brazilian Excel reads from a CSV cell.
std::string decimal_comma(std::int64_t cents);
// "2026-11-22" (or a longer ISO text starting with a date) -> "22/11/2026"; other text unchanged.
std::string br_date(std::string_view iso);

}  // namespace disparo::admin::billing
