#!/usr/bin/env bash
# ctest ops_promtool_rules: checks the Prometheus rules in dashboards/prometheus/rules with
# `promtool check rules --lint-fatal`, runs the unit tests in tests/ops/promtool with
# `promtool test rules` (promtool 2.42 syntax), and checks that every alert has at least one test
# where it fires and one where it must stay silent.
#
#   tests/ops/run_promtool.sh [repository root]
#
# Fails (never skips) when promtool is missing: it comes with Debian's `prometheus` package.
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
rules_dir=$root/dashboards/prometheus/rules
tests_dir=$root/tests/ops/promtool

if ! command -v promtool >/dev/null 2>&1; then
  echo "FAIL: promtool not found in PATH. Install Debian's prometheus package" \
    "(scripts/install-deps does it, or: apt-get install --no-install-recommends prometheus)." >&2
  exit 1
fi

shopt -s nullglob
rule_files=("$rules_dir"/*.yml)
test_files=("$tests_dir"/*.test.yml)
((${#rule_files[@]} > 0)) || { echo "FAIL: no rule files in $rules_dir" >&2; exit 1; }
((${#test_files[@]} > 0)) || { echo "FAIL: no promtool tests in $tests_dir" >&2; exit 1; }

status=0
echo "== promtool check rules --lint-fatal"
promtool check rules --lint-fatal "${rule_files[@]}" || status=1

echo "== promtool test rules"
# promtool resolves rule_files relative to each test file.
(cd "$tests_dir" && promtool test rules "${test_files[@]##*/}") || status=1

echo "== every alert has a firing test and a silent test"
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "${rule_files[@]}")
[[ -n $alerts ]] || { echo "FAIL: no alerts found in $rules_dir" >&2; exit 1; }
for alert in $alerts; do
  # For each `alertname: X` line, the next line says what is expected: `exp_alerts: []` (silent)
  # or `exp_alerts:` followed by a list (fires).
  read -r fires silent < <(awk -v name="$alert" '
    $1 == "alertname:" && $2 == name { want = 1; next }
    want && $1 == "exp_alerts:" { if ($2 == "[]") s++; else f++; want = 0 }
    END { print f + 0, s + 0 }' "${test_files[@]}")
  if ((fires == 0 || silent == 0)); then
    echo "FAIL: alert $alert has $fires firing and $silent silent test case(s); it needs both" >&2
    status=1
  else
    echo "  $alert: $fires firing, $silent silent"
  fi
done

if ((status != 0)); then
  echo "FAIL: see the messages above (rules in dashboards/prometheus/rules, tests in tests/ops/promtool)" >&2
fi
exit "$status"
