// Reading the operations artefacts for tests: the Grafana dashboards' PromQL (extracted from the
// JSON, so a new panel is checked without touching a test), the Prometheus rule files, the golden
// metric lists, the list of metrics the dashboards use before any service exports them
// (tests/ops/pending_metrics.txt), and the metric families of a /metrics exposition.
//
// Pure functions over files and strings; any thread. Malformed files throw std::runtime_error
// naming the file.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace disparo::ops::test {

// The repository root (compiled in by tests/ops/CMakeLists.txt).
std::filesystem::path source_dir();
std::filesystem::path dashboards_dir();   // dashboards/grafana/dashboards
std::filesystem::path rules_dir();        // dashboards/prometheus/rules
std::filesystem::path golden_dir();       // tests/golden

// One PromQL expression of a dashboard: a panel target, or a template variable's query.
struct DashboardQuery {
  std::string dashboard;  // file name
  std::string panel;      // panel title, or "variable <name>"
  std::string expr;       // as written, with Grafana variables
  bool is_variable = false;
};
// Every panel target (rows' nested panels included) and every query variable of every *.json in
// `dir`, in file order.
std::vector<DashboardQuery> dashboard_queries(const std::filesystem::path& dir);

// The expression Grafana would send with every label variable set to "All" (.*), and its
// interval variables replaced by fixed ranges ($__rate_interval -> `rate_interval`).
std::string substitute_variables(std::string expr, std::string_view rate_interval = "1m");

// The metric names a PromQL expression selects: identifiers outside strings, braces and
// grouping clauses that are not functions, keywords or durations. Grafana's label_values(m, l)
// yields m.
std::set<std::string> metric_names(std::string_view expr);

// One rule of a Prometheus rule file.
struct Rule {
  std::string file;
  std::string name;  // the record name or the alert name
  bool is_alert = false;
  std::string expr;
};
std::vector<Rule> read_rules(const std::filesystem::path& dir);  // every *.yml in dir

// Metric name -> why it is not exported yet (tests/ops/pending_metrics.txt).
std::map<std::string, std::string> read_pending_metrics();

// "name type" lines of an exposition (from its # TYPE lines), sorted, one per family.
std::vector<std::string> family_lines(std::string_view exposition);
std::vector<std::string> read_lines(const std::filesystem::path& file);  // without blank/# lines

// The family a series name belongs to, given the "name type" family lines: x_bucket, x_sum and
// x_count belong to histogram x. Returns the name itself when no family matches.
std::string family_of(const std::string& series_name, const std::vector<std::string>& families);

// A unified-style listing of the differences: "-line" only in `expected`, "+line" only in `actual`.
std::string diff_lines(const std::vector<std::string>& expected, const std::vector<std::string>& actual);

}  // namespace disparo::ops::test
