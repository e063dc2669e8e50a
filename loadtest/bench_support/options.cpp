#include "loadtest/bench_support/options.hpp"

#include <cstdio>
#include <stdexcept>

namespace disparo::bench {

Options::Options(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.starts_with("--")) throw std::invalid_argument("unexpected argument: " + arg);
    arg = arg.substr(2);
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      values_[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (i + 1 < argc && !std::string(argv[i + 1]).starts_with("--")) {
      values_[arg] = argv[++i];
    } else {
      values_[arg] = "true";
    }
  }
}

std::string Options::text(const std::string& name, const std::string& fallback) const {
  auto found = values_.find(name);
  return found == values_.end() ? fallback : found->second;
}

std::string Options::required(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end() || found->second.empty()) throw std::invalid_argument("--" + name + " is required");
  return found->second;
}

std::int64_t Options::integer(const std::string& name, std::int64_t fallback) const {
  auto found = values_.find(name);
  if (found == values_.end()) return fallback;
  try {
    std::size_t used = 0;
    const auto value = std::stoll(found->second, &used);
    if (used != found->second.size()) throw std::invalid_argument("trailing characters");
    return value;
  } catch (const std::exception&) {
    throw std::invalid_argument("--" + name + " must be an integer, not " + found->second);
  }
}

bool Options::flag(const std::string& name) const {
  auto found = values_.find(name);
  return found != values_.end() && (found->second == "true" || found->second == "1");
}

void Summary::add(const std::string& name, double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  lines_.emplace_back(name, text);
}

void Summary::add(const std::string& name, std::int64_t value) { lines_.emplace_back(name, std::to_string(value)); }

void Summary::add(const std::string& name, const std::string& value) { lines_.emplace_back(name, value); }

void Summary::write() const {
  for (const auto& [name, value] : lines_) std::printf("  %-40s %s\n", name.c_str(), value.c_str());
  std::fflush(stdout);
  if (path_.empty()) return;
  std::ofstream out(path_, std::ios::trunc);
  for (const auto& [name, value] : lines_) out << name << '=' << value << '\n';
  if (!out) throw std::runtime_error("cannot write " + path_);
}

}  // namespace disparo::bench
