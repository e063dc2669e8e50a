// The Grafana dashboards and Prometheus rules, read as files (no server): dashboard conventions
// (datasource variable, tenant/session variables, every panel described, with a unit, on the
// templated datasource, rates over $__rate_interval), and every metric name they select is either
// exported (tests/golden/*.txt), a recording rule, or listed in tests/ops/pending_metrics.txt.
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/ops/ops_artifacts.hpp"

namespace disparo::ops::test {
namespace {

std::vector<std::string> golden_families() {
  std::vector<std::string> lines;
  for (const char* file : {"dispatcher_metrics.txt", "admin_metrics.txt", "sandbox_metrics.txt"}) {
    const auto more = read_lines(golden_dir() / file);
    lines.insert(lines.end(), more.begin(), more.end());
  }
  return lines;
}

std::set<std::string> golden_names(const std::vector<std::string>& families) {
  std::set<std::string> names;
  for (const auto& line : families) names.insert(line.substr(0, line.find(' ')));
  return names;
}

// `expr` with the contents of its quoted strings removed.
std::string without_strings(const std::string& expr) {
  std::string out;
  char quote = 0;
  for (const char c : expr) {
    if (quote == 0) {
      out += c;
      if (c == '"' || c == '\'') quote = c;
    } else if (c == quote) {
      out += c;
      quote = 0;
    }
  }
  return out;
}

// A pending name matches its histogram series too (x_bucket for pending x).
bool is_pending(const std::string& name, const std::map<std::string, std::string>& pending) {
  if (pending.count(name) != 0) return true;
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (name.ends_with(suffix) && pending.count(name.substr(0, name.size() - suffix.size())) != 0) return true;
  }
  return false;
}

TEST(MetricNames, FindsMetricsButNotLabelsFunctionsOrStrings) {
  EXPECT_EQ(metric_names(R"(histogram_quantile(0.95, sum by (route, le) (rate(x_bucket{job=~"disparo-.*"}[5m]))))"),
            (std::set<std::string>{"x_bucket"}));
  EXPECT_EQ(metric_names("a > on (tenant, session) b * on (s) group_left (x) max by (s) (c) unless d"),
            (std::set<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(metric_names("time() - 10800 % 86400 < 4.3e4 and ignoring (le) job:y:rate5m # z comment"),
            (std::set<std::string>{"job:y:rate5m"}));
  EXPECT_EQ(metric_names(R"(label_values(m{tenant=~"$tenant"}, session))"), (std::set<std::string>{"m"}));
  EXPECT_EQ(metric_names("label_values(tenant)"), (std::set<std::string>{}));
  EXPECT_EQ(metric_names("topk(10, sum without (instance) (increase(q_total[1h])))"),
            (std::set<std::string>{"q_total"}));
}

TEST(MetricNames, VariablesBecomeAllAndFixedRanges) {
  EXPECT_EQ(substitute_variables(R"(rate(x{tenant=~"$tenant", session=~"${session}"}[$__rate_interval]) + increase(y[$__range]))"),
            R"(rate(x{tenant=~".*", session=~".*"}[1m]) + increase(y[5m]))");
}

TEST(Dashboards, FollowTheConventions) {
  simdjson::dom::parser parser;
  std::set<std::string> uids;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dashboards_dir())) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    simdjson::dom::element root;
    ASSERT_EQ(parser.load(entry.path().string()).get(root), simdjson::SUCCESS) << name;
    std::string_view uid;
    ASSERT_EQ(root["uid"].get(uid), simdjson::SUCCESS) << name << ": no uid";
    EXPECT_TRUE(uids.insert(std::string(uid)).second) << name << ": uid " << uid << " used twice";
    EXPECT_TRUE(root["id"].is_null()) << name << ": id must be null in a provisioned file";

    std::set<std::string> variables;
    for (simdjson::dom::element variable : simdjson::dom::array(root["templating"]["list"])) {
      variables.insert(std::string(std::string_view(variable["name"])));
      if (std::string_view(variable["name"]) == "datasource") {
        EXPECT_EQ(std::string_view(variable["type"]), "datasource") << name;
        EXPECT_EQ(std::string_view(variable["query"]), "prometheus") << name;
      }
    }
    for (const char* wanted : {"datasource", "tenant", "session"}) {
      EXPECT_EQ(variables.count(wanted), 1u) << name << ": no variable " << wanted;
    }

    for (simdjson::dom::element panel : simdjson::dom::array(root["panels"])) {
      const std::string title{std::string_view(panel["title"])};
      if (std::string_view(panel["type"]) == "row") continue;
      std::string_view text;
      EXPECT_TRUE(panel["description"].get(text) == simdjson::SUCCESS && !text.empty())
          << name << " / " << title << ": no description";
      EXPECT_TRUE(panel["fieldConfig"]["defaults"]["unit"].get(text) == simdjson::SUCCESS && !text.empty())
          << name << " / " << title << ": no unit";
      EXPECT_EQ(std::string_view(panel["datasource"]["uid"]), "${datasource}") << name << " / " << title;
      simdjson::dom::array targets;
      ASSERT_EQ(panel["targets"].get(targets), simdjson::SUCCESS) << name << " / " << title << ": no targets";
      EXPECT_GT(targets.size(), 0u) << name << " / " << title;
    }
  }
  EXPECT_EQ(files, 4u) << "Overview, Session drill-down, Service health, Campaigns";
}

TEST(Dashboards, RatesUseRateIntervalAndRecordingRulesOrHistogramBuckets) {
  // rate()/irate() over $__rate_interval (Grafana widens it to the scrape interval); increase()
  // over the dashboard range or a fixed hour for "per hour" counts.
  const std::regex rate_range(R"(\b(i?rate|increase)\([^\[\)]*\[([^\]]+)\])");
  const std::regex quantile(R"(histogram_quantile\()");
  for (const auto& query : dashboard_queries(dashboards_dir())) {
    if (query.is_variable) continue;
    const std::string expr = without_strings(query.expr);  // `[45]..` in a label regex is no range
    for (std::sregex_iterator it(expr.begin(), expr.end(), rate_range), end; it != end; ++it) {
      const std::string function = (*it)[1];
      const std::string range = (*it)[2];
      const bool ok = function == "increase" ? (range == "$__range" || range == "1h") : range == "$__rate_interval";
      EXPECT_TRUE(ok) << query.dashboard << " / " << query.panel << ": " << function << " over [" << range << "]";
    }
    if (std::regex_search(expr, quantile)) {
      EXPECT_NE(query.expr.find("_bucket"), std::string::npos) << query.dashboard << " / " << query.panel;
      EXPECT_NE(query.expr.find("le)"), std::string::npos)
          << query.dashboard << " / " << query.panel << ": quantiles need `by (..., le)`";
    }
  }
}

TEST(Dashboards, EveryMetricTheySelectIsExportedRecordedOrPending) {
  const auto families = golden_families();
  const auto exported = golden_names(families);
  const auto pending = read_pending_metrics();
  std::set<std::string> recorded;
  for (const auto& rule : read_rules(rules_dir())) {
    if (!rule.is_alert) recorded.insert(rule.name);
  }
  std::set<std::string> used;
  auto check = [&](const std::string& where, const std::string& expr) {
    for (const auto& name : metric_names(expr)) {
      used.insert(family_of(name, families));
      used.insert(name);
      const bool known = exported.count(family_of(name, families)) != 0 || recorded.count(name) != 0 ||
                         is_pending(name, pending) || name == "up";
      EXPECT_TRUE(known) << where << " selects " << name
                         << ", which no service exports (tests/golden/*.txt), no recording rule makes, "
                            "and tests/ops/pending_metrics.txt does not list";
    }
  };
  for (const auto& query : dashboard_queries(dashboards_dir())) {
    check(query.dashboard + " / " + query.panel, query.expr);
  }
  for (const auto& rule : read_rules(rules_dir())) {
    ASSERT_FALSE(rule.expr.empty()) << rule.file << ": rule " << rule.name << " has no expr";
    check(rule.file + " / " + rule.name, rule.expr);
  }

  for (const auto& [name, reason] : pending) {
    EXPECT_EQ(exported.count(name), 0u)
        << name << " is exported now (tests/golden/*.txt): delete its line from tests/ops/pending_metrics.txt "
                   "so that prometheus_e2etest checks it for real";
    bool referenced = used.count(name) != 0;
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) referenced |= used.count(name + suffix) != 0;
    EXPECT_TRUE(referenced) << name << " is listed in tests/ops/pending_metrics.txt but nothing uses it";
  }
}

TEST(Rules, EveryAlertHasSeverityAndRunbookAnnotations) {
  // The annotations themselves are checked by promtool's unit tests (tests/ops/promtool); here
  // only that no alert was added without them.
  const auto rules = read_rules(rules_dir());
  std::size_t alerts = 0;
  for (const auto& rule : rules) alerts += rule.is_alert ? 1 : 0;
  EXPECT_GE(alerts, 10u);
  std::ifstream in(rules_dir() / "alerts.yml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\n          severity: "), alerts);
  EXPECT_EQ(count("\n          summary: "), alerts);
  EXPECT_EQ(count("\n          description: "), alerts);
  EXPECT_EQ(count("\n          runbook: "), alerts);
}

}  // namespace
}  // namespace disparo::ops::test
