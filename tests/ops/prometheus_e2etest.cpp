// A real Prometheus scrapes the dispatcher, the admin and the sandbox (every second, rules every
// second) while a small load runs: messages through the sandbox, an injected provider error
// (sandbox scripted_errors), webhooks with a bad signature, a campaign run that completes and one
// that fails, and a paused session with messages
// queued behind it. Then, through Prometheus' HTTP API:
//   - every rule is healthy and every metric name a rule selects has series;
//   - every panel query of every dashboard (extracted from the JSON: a new panel is checked
//     without touching this test) returns data;
//   - the expected alerts fire and the others stay quiet;
//   - finally the database refuses connections: DisparoDependencyDown fires for both services.
// Names in tests/ops/pending_metrics.txt (not exported yet) are the documented exception: what
// depends on them is run (it must parse) and reported, not required to return data.
//
// The alert rules are loaded with every `for:` set to 0s, so "fires" is observable within the
// test's deadline; the `for` durations themselves are covered by tests/ops/promtool.
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/ops/ops_artifacts.hpp"
#include "tests/ops/ops_campaigns.hpp"
#include "tests/ops/ops_environment.hpp"
#include "tests/ops/prometheus_server.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::ops::test {
namespace {

using namespace std::chrono_literals;
using disparo::test::eventually;

constexpr const char* kPolicy =
    "UPDATE whatsapp_sessions SET min_interval_ms = 100, jitter_ms = 0, burst = 5 WHERE name = 'principal';";
constexpr const char* kErrorNumber = "+5511999990001";  // the sandbox answers 131026 (permanent)
constexpr const char* kSessionId = "1";                 // the demo session of a fresh database

// Metric names known to be absent: the pending list, plus every recording rule that reads one.
class PendingNames {
 public:
  PendingNames(std::map<std::string, std::string> pending, const std::vector<Rule>& rules)
      : pending_(std::move(pending)) {
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& rule : rules) {
        if (!rule.is_alert && pending_.count(rule.name) == 0 && !reasons(rule.expr).empty()) {
          pending_.emplace(rule.name, "recording rule over " + reasons(rule.expr));
          grew = true;
        }
      }
    }
  }
  // "" when `expr` selects no pending name; else the pending names it selects.
  std::string reasons(const std::string& expr) const {
    std::string names;
    for (const auto& name : metric_names(expr)) {
      if (is_pending(name)) names += (names.empty() ? "" : ", ") + name;
    }
    return names;
  }
  bool is_pending(const std::string& name) const {
    if (pending_.count(name) != 0) return true;
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix) && pending_.count(name.substr(0, name.size() - suffix.size())) != 0) return true;
    }
    return false;
  }

 private:
  std::map<std::string, std::string> pending_;
};

// A copy of alerts.yml with every `for:` at 0s, and the recording rules as they are.
std::vector<std::filesystem::path> rules_for_test(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ifstream in(rules_dir() / "alerts.yml");
  std::ofstream out(dir / "alerts.yml");
  for (std::string line; std::getline(in, line);) {
    const auto key = line.find_first_not_of(' ');
    if (key != std::string::npos && line.compare(key, 5, "for: ") == 0) line = line.substr(0, key) + "for: 0s";
    out << line << "\n";
  }
  return {rules_dir() / "recording.yml", dir / "alerts.yml"};
}

struct ActiveAlert {
  std::string name;
  std::string state;  // pending | firing
  std::map<std::string, std::string> labels;
};

std::vector<ActiveAlert> active_alerts(const PrometheusServer& prometheus) {
  const std::string body = prometheus.get("/api/v1/alerts");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body);
  std::vector<ActiveAlert> alerts;
  for (simdjson::dom::element alert : simdjson::dom::array(root["data"]["alerts"])) {
    ActiveAlert active;
    active.state = std::string(std::string_view(alert["state"]));
    for (auto [key, value] : simdjson::dom::object(alert["labels"])) {
      active.labels.emplace(std::string(key), std::string(std::string_view(value)));
    }
    active.name = active.labels["alertname"];
    alerts.push_back(std::move(active));
  }
  return alerts;
}

bool firing(const std::vector<ActiveAlert>& alerts, const std::string& name, const std::string& session) {
  for (const auto& alert : alerts) {
    if (alert.name == name && alert.state == "firing" && (session.empty() || alert.labels.count("session") != 0) &&
        (session.empty() || alert.labels.at("session") == session)) {
      return true;
    }
  }
  return false;
}

std::string describe(const std::vector<ActiveAlert>& alerts) {
  std::string text;
  for (const auto& alert : alerts) {
    text += "  " + alert.name + " (" + alert.state + ")";
    for (const auto& [key, value] : alert.labels) text += " " + key + "=" + value;
    text += "\n";
  }
  return text.empty() ? "  (none)\n" : text;
}

struct RuleState {
  std::string name;
  std::string query;
  std::string health;
  std::string last_error;
};

std::vector<RuleState> rule_states(const PrometheusServer& prometheus) {
  const std::string body = prometheus.get("/api/v1/rules");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body);
  std::vector<RuleState> states;
  for (simdjson::dom::element group : simdjson::dom::array(root["data"]["groups"])) {
    for (simdjson::dom::element rule : simdjson::dom::array(group["rules"])) {
      RuleState state;
      state.name = std::string(std::string_view(rule["name"]));
      state.query = std::string(std::string_view(rule["query"]));
      state.health = std::string(std::string_view(rule["health"]));
      std::string_view error;
      if (rule["lastError"].get(error) == simdjson::SUCCESS) state.last_error = std::string(error);
      states.push_back(std::move(state));
    }
  }
  return states;
}

// Sends the load; returns the ids of the messages that must reach a final provider outcome.
std::vector<std::string> send_load(OpsEnvironment& ops) {
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(ops.accept_text("+55119876543" + std::to_string(10 + i), "ok " + std::to_string(i)));
    ids.push_back(ops.accept_text(kErrorNumber, "fails " + std::to_string(i)));
  }
  // Two provider webhooks with a wrong signature: refused, counted.
  for (int i = 0; i < 2; ++i) {
    http::Request forged;
    forged.method = "POST";
    forged.target = "/webhooks/cloud_api";
    forged.headers = {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", "sha256=00"}};
    forged.body = R"({"object":"whatsapp_business_account","entry":[]})";
    disparo::test::http_call(ops.dispatcher_port(), std::move(forged));
  }
  // Two campaign runs: one completes (one client excluded: blocked), one fails.
  request_campaign_runs(ops);
  return ids;
}

TEST(PrometheusE2e, PanelsAndRulesHaveDataAndTheExpectedAlertsFire) {
  const auto started = std::chrono::steady_clock::now();
  const auto rules = read_rules(rules_dir());
  const PendingNames pending(read_pending_metrics(), rules);
  OpsEnvironment ops(kPolicy);

  // The injected provider error (sandbox behaviour contract, /tmp/sandbox-contract.md).
  http::Request behaviour;
  behaviour.method = "PUT";
  behaviour.target = "/_sandbox/behaviour";
  behaviour.headers = {{"Content-Type", "application/json"}};
  behaviour.body = std::string(R"({"scripted_errors":[{"to":")") + kErrorNumber + R"(","code":131026,"times":0}]})";
  const auto put = disparo::test::http_call(ops.sandbox_port(), std::move(behaviour));
  const bool errors_injected = put.status == 200;
  EXPECT_TRUE(errors_injected) << "PUT /_sandbox/behaviour answered " << put.status << " " << put.body
                               << ": the sandbox cannot inject provider errors, so the error alerts cannot be checked";

  const auto rules_dir_for_test = std::filesystem::temp_directory_path() /
                                  ("disparo_ops_rules_" + std::to_string(::getpid()));
  PrometheusServer prometheus(
      {{"disparo-dispatcher", ops.dispatcher_port()}, {"disparo-admin", ops.admin_port()},
       {"disparo-sandbox", ops.sandbox_port()}},
      rules_for_test(rules_dir_for_test));

  // Targets up before the load: the counters' first samples must be the values before it, or
  // increase() cannot see the first increments.
  for (const char* job : {"disparo-dispatcher", "disparo-admin", "disparo-sandbox"}) {
    const std::string expr = std::string("up{job=\"") + job + "\"} == 1";
    EXPECT_TRUE(eventually([&] { return prometheus.query(expr).result_count == 1; }, 20s, 250ms))
        << job << " is not scraped successfully\n" << prometheus.get("/api/v1/targets");
  }

  // Campaigns first; their run counters must be scraped at 0 before the runs (see ops_campaigns.hpp).
  create_campaigns(ops);
  EXPECT_TRUE(eventually([&] {
    return prometheus.query("disparo_campaign_runs_total{kind=\"recovery\", result=\"failed\"} == 0").result_count == 1;
  }, 20s, 250ms)) << "the campaign counters were not exported at 0\n" << ops.logs();

  // Load: 6 messages that go through, 6 the provider refuses, 2 forged webhooks, 2 campaign runs.
  const auto ids = send_load(ops);
  std::string last;
  const bool settled = eventually([&] {
    for (const auto& id : ids) {
      last = ops.message_status(id);
      if (last == "accepted" || last == "queued" || last == "sending") return false;
    }
    return true;
  }, 40s, 200ms);
  ASSERT_TRUE(settled) << "messages still waiting (last status " << last << ")\n" << ops.logs();
  ASSERT_TRUE(eventually([&] { return campaign_runs_finished(ops); }, 30s, 200ms))
      << "the campaign runs did not finish\n" << ops.logs();

  // The sandbox's own metrics saw the load: the injected error and the webhooks it posted.
  for (const char* expr : {"disparo_sandbox_injected_errors_total{kind=\"scripted_error\"} >= 6",
                           "disparo_sandbox_webhooks_total{provider=\"cloud_api\", result=\"delivered\"} > 0",
                           "sum(disparo_sandbox_http_requests_total{route=\"cloud_api_messages\"}) >= 12"}) {
    EXPECT_TRUE(eventually([&] { return prometheus.query(expr).result_count == 1; }, 15s, 250ms))
        << expr << "\n" << prometheus.query(expr).body;
  }

  // A paused session with messages queued behind it.
  const auto paused = disparo::test::http_post_json(ops.dispatcher_port(), std::string("/v1/sessions/") + kSessionId + "/pause",
                                                    R"({"reason":"ops e2e"})", ops.e2e().api_key());
  ASSERT_EQ(paused.status, 200) << paused.body;
  for (int i = 0; i < 3; ++i) ops.accept_text("+55119876543" + std::to_string(20 + i), "waits");

  // Expected alerts: fire (the `for` was removed), unless they depend on a pending metric.
  struct Expected {
    std::string alert;
    std::string session;
    bool needs_errors;
  };
  const std::vector<Expected> expected = {{"DisparoSessionPaused", kSessionId, false},
                                          {"DisparoSessionErrorRatioHigh", kSessionId, true},
                                          {"DisparoWebhookSignatureFailures", "", false},
                                          {"DisparoCampaignRunFailed", "", false}};
  std::map<std::string, std::string> alert_exprs;
  for (const auto& rule : rules) {
    if (rule.is_alert) alert_exprs[rule.name] = rule.expr;
  }
  std::vector<Expected> required;
  for (const auto& want : expected) {
    ASSERT_EQ(alert_exprs.count(want.alert), 1u) << want.alert << " is not in alerts.yml";
    const std::string why = pending.reasons(alert_exprs[want.alert]);
    if (!why.empty()) {
      std::cout << "[ excused ] alert " << want.alert << " is not required to fire: it reads " << why << "\n";
    } else if (want.needs_errors && !errors_injected) {
      std::cout << "[ excused ] alert " << want.alert << ": no provider error could be injected\n";
    } else {
      required.push_back(want);
    }
  }
  std::vector<ActiveAlert> alerts;
  const bool all_fired = eventually([&] {
    alerts = active_alerts(prometheus);
    for (const auto& want : required) {
      if (!firing(alerts, want.alert, want.session)) return false;
    }
    return true;
  }, 60s, 500ms);
  EXPECT_TRUE(all_fired) << "expected firing:" << [&] {
    std::string names;
    for (const auto& want : required) names += " " + want.alert + (want.session.empty() ? "" : "{session=" + want.session + "}");
    return names;
  }() << "\nactive alerts:\n" << describe(alerts) << ops.logs();
  for (const char* quiet : {"DisparoDispatcherDown", "DisparoAdminDown", "DisparoDependencyDown",
                            "DisparoMessagesStuck", "DisparoStatusWebhooksSilent"}) {
    for (const auto& alert : alerts) {
      EXPECT_NE(alert.name, quiet) << "must stay quiet under this load:\n" << describe(alerts);
    }
  }

  // Rules: all loaded, healthy, and every metric they select has series (or is pending).
  std::vector<RuleState> states;
  const bool evaluated = eventually([&] {
    states = rule_states(prometheus);
    for (const auto& state : states) {
      if (state.health != "ok") return false;
    }
    return !states.empty();
  }, 20s, 250ms);
  EXPECT_EQ(states.size(), rules.size()) << "rules loaded by Prometheus vs rules in the files";
  for (const auto& state : states) {
    EXPECT_EQ(state.health, "ok") << state.name << ": " << state.last_error;
  }
  EXPECT_TRUE(evaluated);
  std::set<std::string> names;
  for (const auto& rule : rules) {
    for (const auto& name : metric_names(rule.expr)) names.insert(name);
  }
  for (const auto& name : names) {
    if (pending.is_pending(name)) {
      std::cout << "[ excused ] metric " << name << " (pending)\n";
      continue;
    }
    const std::string expr = "count({__name__=\"" + name + "\"})";
    EXPECT_TRUE(eventually([&] { return prometheus.query(expr).result_count > 0; }, 15s, 250ms))
        << "the rules select " << name << " but Prometheus has no series of it";
  }

  // Every panel query and variable of every dashboard.
  std::size_t checked = 0;
  std::size_t excused = 0;
  for (const auto& query : dashboard_queries(dashboards_dir())) {
    const std::string where = query.dashboard + " / " + query.panel;
    if (query.is_variable) {  // Grafana's label_values(): its metric must exist
      for (const auto& name : metric_names(query.expr)) {
        if (pending.is_pending(name)) continue;
        EXPECT_GT(prometheus.query("count(" + name + ")").result_count, 0u) << where << ": " << name;
      }
      continue;
    }
    const std::string expr = substitute_variables(query.expr);
    const std::string why = pending.reasons(expr);
    PrometheusServer::QueryResult result;
    const bool has_data = eventually([&] {
      result = prometheus.query(expr);
      return !result.error.empty() || result.result_count > 0 || !why.empty();
    }, 15s, 250ms);
    EXPECT_EQ(result.error, "") << where << ": Prometheus refused the query\n  " << expr;
    if (!why.empty()) {
      ++excused;
      std::cout << "[ excused ] " << where << " (reads " << why << ")\n";
      continue;
    }
    ++checked;
    EXPECT_TRUE(has_data && result.result_count > 0) << where << ": no data\n  " << expr << "\n  " << result.body;
  }
  std::cout << "[ panels  ] " << checked << " queries returned data, " << excused
            << " excused (pending metrics)\n";
  EXPECT_GT(checked, 10u);

  // Last: the database becomes unreachable (no new connection, the open ones terminated). Both
  // services' periodic probes fail and DisparoDependencyDown fires for postgres, per job.
  ops.e2e().database().set_access(false);
  const bool dependency_down = eventually([&] {
    alerts = active_alerts(prometheus);
    bool dispatcher = false;
    bool admin = false;
    for (const auto& alert : alerts) {
      if (alert.name != "DisparoDependencyDown" || alert.state != "firing") continue;
      const auto label = [&alert](const char* name) {
        const auto found = alert.labels.find(name);
        return found == alert.labels.end() ? std::string() : found->second;
      };
      if (label("dependency") != "postgres") continue;
      dispatcher = dispatcher || label("job") == "disparo-dispatcher";
      admin = admin || label("job") == "disparo-admin";
    }
    return dispatcher && admin;
  }, 30s, 500ms);
  ops.e2e().database().set_access(true);
  EXPECT_TRUE(dependency_down) << "DisparoDependencyDown{dependency=\"postgres\"} should fire for both jobs\n"
                               << describe(alerts);

  std::error_code ignored;
  std::filesystem::remove_all(rules_dir_for_test, ignored);
  std::cout << "[ time    ] " << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
}

}  // namespace
}  // namespace disparo::ops::test
