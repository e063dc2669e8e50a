#include "common/prometheus_text.hpp"

#include <charconv>

namespace disparo {
namespace {

// The value of one sample line ("name{labels} value [timestamp]"), if it parses.
bool sample_value(std::string_view line, double& value) {
  const auto labels_end = line.rfind('}');
  const auto gap = line.find(' ', labels_end == std::string_view::npos ? 0 : labels_end);
  if (gap == std::string_view::npos) return false;
  const auto value_start = line.find_first_not_of(' ', gap);
  if (value_start == std::string_view::npos) return false;
  auto text = line.substr(value_start);
  text = text.substr(0, text.find(' '));  // drop a timestamp
  if (text == "+Inf" || text == "-Inf" || text == "NaN") return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

double metric_sum(std::string_view exposition, std::string_view name, std::string_view labels) {
  double total = 0;
  bool found = false;
  while (!exposition.empty()) {
    const auto newline = exposition.find('\n');
    const auto line = exposition.substr(0, newline);
    exposition = newline == std::string_view::npos ? std::string_view{} : exposition.substr(newline + 1);
    if (!line.starts_with(name) || line.size() == name.size()) continue;
    const char after = line[name.size()];
    if (after != '{' && after != ' ') continue;
    if (!labels.empty()) {
      // Label values may hold braces and spaces (route="/v1/sessions/{id}/state"): the label set
      // ends at the line's last '}', after which only the value and a timestamp follow.
      const auto close = line.rfind('}');
      if (after != '{' || close == std::string_view::npos ||
          line.substr(0, close).find(labels) == std::string_view::npos) {
        continue;
      }
    }
    double value = 0;
    if (!sample_value(line, value)) continue;
    total += value;
    found = true;
  }
  return found ? total : -1;
}

}  // namespace disparo
