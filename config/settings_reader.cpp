#include "config/settings_reader.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>
#include <system_error>

#include <toml++/toml.h>

#include "common/log.hpp"

namespace disparo::config {
namespace {

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

constexpr std::size_t kMaxFileBytes = 1 << 20;  // a configuration file, not a data set

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// What the value must be, phrased to follow "<key>: ".
std::string requirement(const KeyRule& rule) {
  switch (rule.type) {
    case ValueType::integer:
      return "must be an integer " + std::to_string(rule.min) + ".." + std::to_string(rule.max);
    case ValueType::log_level:
      return "must be one of debug, info, warn, error";
    case ValueType::boolean:
      return "must be true or false";
    case ValueType::text:
      if (rule.min <= 0) return "must be a string";
      if (rule.min == 1) return "must be a non-empty string";
      return std::string("must be a string of at least ") + std::to_string(rule.min) +
             " characters" + (rule.empty_ok ? " (or empty)" : "");
  }
  return "has an unsupported type";
}

// Whether a value of the right variant alternative is within the rule.
bool acceptable(const KeyRule& rule, const Value& value) {
  switch (rule.type) {
    case ValueType::integer: {
      const std::int64_t v = std::get<std::int64_t>(value);
      return v >= rule.min && v <= rule.max;
    }
    case ValueType::boolean: {
      const std::int64_t v = std::get<std::int64_t>(value);
      return v == 0 || v == 1;
    }
    case ValueType::log_level: {
      log::Level ignored{};
      return log::parse_level(std::get<std::string>(value), ignored);
    }
    case ValueType::text: {
      const std::string& v = std::get<std::string>(value);
      if (v.empty() && rule.empty_ok) return true;
      return static_cast<std::int64_t>(v.size()) >= rule.min;
    }
  }
  return false;
}

// The TOML node as a Value of the type the rule wants; nullopt when it has another type.
std::optional<Value> from_toml(const KeyRule& rule, const toml::node& node) {
  if (rule.type == ValueType::integer) {
    if (const auto* v = node.as_integer()) return Value{v->get()};
    return std::nullopt;
  }
  if (rule.type == ValueType::boolean) {
    if (const auto* v = node.as_boolean()) return Value{std::int64_t{v->get() ? 1 : 0}};
    return std::nullopt;
  }
  if (const auto* v = node.as_string()) return Value{v->get()};
  return std::nullopt;
}

std::optional<Value> from_environment(const KeyRule& rule, const std::string& text) {
  if (rule.type == ValueType::boolean) {
    if (text == "true" || text == "1") return Value{std::int64_t{1}};
    if (text == "false" || text == "0") return Value{std::int64_t{0}};
    return std::nullopt;
  }
  if (rule.type != ValueType::integer) return Value{text};
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return Value{v};
}

std::string line_of(const toml::node& node) {
  const auto line = node.source().begin.line;
  return line > 0 ? " (line " + std::to_string(line) + ")" : std::string();
}

const KeyRule* find_rule(std::span<const KeyRule> rules, std::string_view section,
                         std::string_view name, std::size_t* index) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].section == section && rules[i].name == name) {
      *index = i;
      return &rules[i];
    }
  }
  return nullptr;
}

bool has_section(std::span<const KeyRule> rules, std::string_view section) {
  for (const KeyRule& rule : rules) {
    if (rule.section == section) return true;
  }
  return false;
}

Expected<std::string> read_file(const std::string& path) {
  errno = 0;
  FilePtr file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int err = errno;
    return make_error(ErrorKind::not_found,
                      path + ": cannot open: " + std::generic_category().message(err));
  }
  std::string content;
  char buf[8192];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) {
    content.append(buf, n);
    if (content.size() > kMaxFileBytes) {
      return make_error(ErrorKind::invalid_argument, path + ": larger than 1 MiB");
    }
  }
  if (std::ferror(file.get())) {
    return make_error(ErrorKind::not_found, path + ": cannot read");
  }
  return content;
}

void read_table(std::span<const KeyRule> rules, const std::string& path, const toml::table& root,
                std::vector<std::optional<Value>>& values, std::vector<std::string>& problems) {
  for (const auto& [section_key, section_node] : root) {
    const std::string_view section = section_key.str();
    if (!has_section(rules, section)) {
      problems.push_back(path + ": " + std::string(section) + ": unknown section" +
                         line_of(section_node));
      continue;
    }
    const toml::table* table = section_node.as_table();
    if (table == nullptr) {
      problems.push_back(path + ": " + std::string(section) + ": must be a table [" +
                         std::string(section) + "]" + line_of(section_node));
      continue;
    }
    for (const auto& [name_key, node] : *table) {
      const std::string_view name = name_key.str();
      std::size_t index = 0;
      const KeyRule* rule = find_rule(rules, section, name, &index);
      const std::string where = path + ": " + std::string(section) + "." + std::string(name);
      if (rule == nullptr) {
        problems.push_back(where + ": unknown key" + line_of(node));
        continue;
      }
      std::optional<Value> value = from_toml(*rule, node);
      if (!value || !acceptable(*rule, *value)) {
        problems.push_back(where + ": " + requirement(*rule) + line_of(node));
        continue;
      }
      values[index] = std::move(value);
    }
  }
}

}  // namespace

std::string environment_name(const KeyRule& rule) {
  return "DISPARO_" + upper(rule.section) + "_" + upper(rule.name);
}

Expected<std::vector<std::optional<Value>>> read_settings(std::span<const KeyRule> rules,
                                                          const std::string& path,
                                                          const Environment& env) {
  std::vector<std::optional<Value>> values(rules.size());
  std::vector<std::string> problems;

  if (!path.empty()) {
    Expected<std::string> content = read_file(path);
    if (!content) return std::move(content).error();
    // toml++ reports syntax errors by exception (it is built with them); they stay here.
    try {
      const toml::table root = toml::parse(*content, path);
      read_table(rules, path, root, values, problems);
    } catch (const toml::parse_error& e) {
      const auto& begin = e.source().begin;
      return make_error(ErrorKind::invalid_argument, path + ":" + std::to_string(begin.line) + ":" +
                                                         std::to_string(begin.column) + ": " +
                                                         std::string(e.description()));
    }
  }

  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string name = environment_name(rules[i]);
    const auto it = env.find(name);
    if (it == env.end()) continue;
    std::optional<Value> value = from_environment(rules[i], it->second);
    if (!value || !acceptable(rules[i], *value)) {
      problems.push_back("environment " + name + ": " + requirement(rules[i]));
      continue;
    }
    values[i] = std::move(value);
  }

  if (!problems.empty()) {
    std::string message;
    for (const std::string& problem : problems) {
      if (!message.empty()) message += "; ";
      message += problem;
    }
    return make_error(ErrorKind::invalid_argument, std::move(message));
  }
  return values;
}

}  // namespace disparo::config
