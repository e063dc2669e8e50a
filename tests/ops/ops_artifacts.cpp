#include "tests/ops/ops_artifacts.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <simdjson.h>

namespace disparo::ops::test {
namespace {

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& dir,
                                                        std::string_view extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw std::runtime_error("no *" + std::string(extension) + " file in " + dir.string());
  return files;
}

std::string string_field(simdjson::dom::element object, const char* key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

void collect_panels(simdjson::dom::array panels, const std::string& dashboard,
                    std::vector<DashboardQuery>& out) {
  for (simdjson::dom::element panel : panels) {
    simdjson::dom::array nested;
    if (panel["panels"].get(nested) == simdjson::SUCCESS) collect_panels(nested, dashboard, out);
    simdjson::dom::array targets;
    if (panel["targets"].get(targets) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element target : targets) {
      std::string expr = string_field(target, "expr");
      if (!expr.empty()) out.push_back({dashboard, string_field(panel, "title"), std::move(expr), false});
    }
  }
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// Index just past the bracket that closes the one at `open` (strings skipped).
std::size_t skip_group(std::string_view text, std::size_t open, char open_char, char close_char) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'' || c == '`') {
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == open_char) {
      ++depth;
    } else if (c == close_char && --depth == 0) {
      return i + 1;
    }
  }
  return text.size();
}

std::size_t skip_space(std::string_view text, std::size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

const std::set<std::string, std::less<>>& keywords() {
  static const std::set<std::string, std::less<>> words = {
      "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "offset", "inf", "nan", "atan2",
      // aggregations, which may be followed by `by (...)` before their parenthesis
      "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
      "count_values", "group"};
  return words;
}

void collect_names(std::string_view expr, std::set<std::string>& names) {
  std::size_t i = 0;
  while (i < expr.size()) {
    const char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      for (++i; i < expr.size() && expr[i] != c; ++i) {
        if (expr[i] == '\\') ++i;
      }
      ++i;
    } else if (c == '#') {
      while (i < expr.size() && expr[i] != '\n') ++i;
    } else if (c == '{') {
      i = skip_group(expr, i, '{', '}');
    } else if (c == '[') {
      i = skip_group(expr, i, '[', ']');
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '.')) ++i;
    } else if (is_identifier_start(c)) {
      const std::size_t start = i;
      while (i < expr.size() && is_identifier_char(expr[i])) ++i;
      const std::string word(expr.substr(start, i - start));
      const std::size_t next = skip_space(expr, i);
      const bool call = next < expr.size() && expr[next] == '(';
      if (word == "by" || word == "without" || word == "on" || word == "ignoring" ||
          word == "group_left" || word == "group_right") {
        if (call) i = skip_group(expr, next, '(', ')');  // a label list, not metrics
      } else if (word == "label_values" && call) {
        // Grafana: label_values(label) or label_values(selector, label).
        const std::size_t end = skip_group(expr, next, '(', ')');
        const std::string_view args = expr.substr(next + 1, end - next - 2);
        const std::size_t comma = args.rfind(',');
        if (comma != std::string_view::npos) collect_names(args.substr(0, comma), names);
        i = end;
      } else if (!call && keywords().count(word) == 0) {
        names.insert(word);
      }
    } else {
      ++i;
    }
  }
}

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string unquote(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

std::size_t indent_of(const std::string& line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

}  // namespace

std::filesystem::path source_dir() { return DISPARO_SOURCE_DIR; }
std::filesystem::path dashboards_dir() { return source_dir() / "dashboards" / "grafana" / "dashboards"; }
std::filesystem::path rules_dir() { return source_dir() / "dashboards" / "prometheus" / "rules"; }
std::filesystem::path golden_dir() { return source_dir() / "tests" / "golden"; }

std::vector<DashboardQuery> dashboard_queries(const std::filesystem::path& dir) {
  std::vector<DashboardQuery> queries;
  simdjson::dom::parser parser;
  for (const auto& file : files_with_extension(dir, ".json")) {
    const std::string text = read_file(file);
    simdjson::dom::element root;
    if (parser.parse(text).get(root) != simdjson::SUCCESS) {
      throw std::runtime_error(file.string() + " is not valid JSON");
    }
    const std::string name = file.filename().string();
    simdjson::dom::array panels;
    if (root["panels"].get(panels) == simdjson::SUCCESS) collect_panels(panels, name, queries);
    simdjson::dom::array variables;
    if (root["templating"]["list"].get(variables) == simdjson::SUCCESS) {
      for (simdjson::dom::element variable : variables) {
        if (string_field(variable, "type") != "query") continue;
        std::string expr = string_field(variable, "definition");
        if (expr.empty()) expr = string_field(variable["query"], "query");
        if (!expr.empty()) {
          queries.push_back({name, "variable " + string_field(variable, "name"), std::move(expr), true});
        }
      }
    }
  }
  return queries;
}

std::string substitute_variables(std::string expr, std::string_view rate_interval) {
  replace_all(expr, "$__rate_interval", rate_interval);
  replace_all(expr, "$__interval", rate_interval);
  replace_all(expr, "$__range", "5m");
  for (const char* name : {"tenant", "session"}) {
    replace_all(expr, "${" + std::string(name) + "}", ".*");
    replace_all(expr, "$" + std::string(name), ".*");
  }
  return expr;
}

std::set<std::string> metric_names(std::string_view expr) {
  std::set<std::string> names;
  collect_names(expr, names);
  return names;
}

std::vector<Rule> read_rules(const std::filesystem::path& dir) {
  std::vector<Rule> rules;
  for (const auto& file : files_with_extension(dir, ".yml")) {
    std::istringstream in(read_file(file));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string text = trim(lines[i]);
      for (const char* key : {"- record:", "- alert:"}) {
        if (text.starts_with(key)) {
          rules.push_back({file.filename().string(), unquote(trim(text.substr(std::string_view(key).size()))),
                           std::string_view(key) == "- alert:", {}});
        }
      }
      if (!text.starts_with("expr:")) continue;
      if (rules.empty()) throw std::runtime_error(file.string() + ": expr before any rule");
      const std::string value = trim(text.substr(5));
      if (value.starts_with("|") || value.starts_with(">")) {
        const std::size_t key_indent = indent_of(lines[i]);
        std::string block;
        while (i + 1 < lines.size() && (trim(lines[i + 1]).empty() || indent_of(lines[i + 1]) > key_indent)) {
          block += lines[++i] + "\n";
        }
        rules.back().expr = block;
      } else {
        rules.back().expr = unquote(value);
      }
    }
  }
  return rules;
}

std::map<std::string, std::string> read_pending_metrics() {
  const auto file = source_dir() / "tests" / "ops" / "pending_metrics.txt";
  std::map<std::string, std::string> pending;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) {
    const std::string text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const std::size_t space = text.find_first_of(" \t");
    if (space == std::string::npos) throw std::runtime_error(file.string() + ": no reason given for " + text);
    pending.emplace(text.substr(0, space), trim(text.substr(space)));
  }
  return pending;
}

std::vector<std::string> family_lines(std::string_view exposition) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(exposition)};
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("# TYPE ")) continue;
    std::istringstream fields(line.substr(7));
    std::string name;
    std::string type;
    fields >> name >> type;
    lines.push_back(name + " " + type);
  }
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) {
    const std::string text = trim(line);
    if (!text.empty() && text.front() != '#') lines.push_back(text);
  }
  return lines;
}

std::string family_of(const std::string& series_name, const std::vector<std::string>& families) {
  for (const auto& line : families) {
    const std::string name = line.substr(0, line.find(' '));
    const std::string type = line.substr(line.find(' ') + 1);
    if (name == series_name) return name;
    if (type != "histogram" && type != "summary") continue;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (series_name == name + suffix) return name;
    }
  }
  return series_name;
}

std::string diff_lines(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  const std::set<std::string> want(expected.begin(), expected.end());
  const std::set<std::string> have(actual.begin(), actual.end());
  std::string text;
  for (const auto& line : want) {
    if (have.count(line) == 0) text += "-" + line + "   (in the golden file, not exported)\n";
  }
  for (const auto& line : have) {
    if (want.count(line) == 0) text += "+" + line + "   (exported, not in the golden file)\n";
  }
  return text;
}

}  // namespace disparo::ops::test
