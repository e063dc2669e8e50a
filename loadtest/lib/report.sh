# shellcheck shell=bash
# Turns the key=value summary of one loadtest/run-benchmarks run into Markdown (the generated
# part of loadtest/RESULTS.md) and a console summary. Sourced by run-benchmarks after common.sh.

REPORT_SUMMARY=""

# v KEY: the value recorded for KEY ("" when absent).
v() { awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$REPORT_SUMMARY"; }

# n KEY: the value with thousands separators (integers and the integer part of decimals).
n() {
  local value
  value=$(v "$1")
  [[ -n $value ]] || {
    echo "—"
    return
  }
  awk -v x="$value" 'BEGIN {
    sign = ""; if (substr(x, 1, 1) == "-") { sign = "-"; x = substr(x, 2) }
    split(x, p, "."); i = p[1]; out = ""
    while (length(i) > 3) { out = "," substr(i, length(i) - 2) out; i = substr(i, 1, length(i) - 3) }
    printf "%s%s%s%s", sign, i, out, (p[2] != "" ? "." p[2] : "")
  }'
}

# mib KEY: bytes as MiB with one decimal.
mib() { awk -v x="$(v "$1")" 'BEGIN { if (x == "") print "—"; else printf "%.1f MiB", x / 1048576 }'; }

# ratio A B: A / B with two decimals ("—" when B is 0 or missing).
ratio() { awk -v a="$(v "$1")" -v b="$(v "$2")" 'BEGIN { if (b + 0 == 0) print "—"; else printf "%.2f", a / b }'; }

# met VALUE OP LIMIT: "**met**" or "**not met**".
met() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
  ok = (op == ">=") ? (a + 0 >= b + 0) : (op == "<") ? (a + 0 < b + 0) : (a + 0 <= b + 0)
  print (a == "" ? "not measured" : ok ? "**met**" : "**not met**") }'; }

# cpu PREFIX: "dispatcher 97 %, postgres 60 %, ..." for one phase.
cpu() {
  local p=$1 name out=""
  for name in dispatcher postgres sandbox redis loadgen; do
    out+="$name $(v "${p}_cpu_${name}_pct") %, "
  done
  echo "${out}others $(v "${p}_cpu_others_pct") % (of $(($(nproc) * 100)) %)"
}

machine_line() {
  local model mem
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$(nproc) cores ($model), $mem RAM, $(uname -sr)"
}

# The build type of the binaries measured (run-benchmarks builds Release; --no-build may reuse another).
build_type_line() {
  local type
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null)
  case $type in
    Release) echo "Release (-O3)" ;;
    RelWithDebInfo) echo "RelWithDebInfo (-O2 -g)" ;;
    "") echo "build type unknown" ;;
    *) echo "$type" ;;
  esac
}

software_line() {
  local pg redis gcc
  pg=$("$(pg_bindir)/postgres" --version | awk '{ print $3 }')
  redis=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
  gcc=$(c++ -dumpfullversion 2>/dev/null || echo "?")
  echo "PostgreSQL $pg (fsync, synchronous_commit, full_page_writes on; shared_buffers 1 GB, max_wal_size 8 GB), Redis $redis, gcc $gcc, $(build_type_line)"
}

# pgss NAME: the top statements of one phase from pg_stat_statements, as a code block.
pgss() {
  local file="$REPORT_DIR/pgss-$1.txt"
  echo '```'
  if [[ -s $file ]]; then cat "$file"; else echo "(not recorded)"; fi
  echo '```'
}

priority_note() {
  [[ -n ${BENCH_NICE:-} ]] || return 0
  printf '\n  Every benchmark process ran at nice %s, so that the compilers at nice 0 took little of its CPU.' "$BENCH_NICE"
}

# report_markdown SUMMARY RUN_DIR: the generated part of RESULTS.md.
report_markdown() {
  REPORT_SUMMARY=$1
  REPORT_DIR=$2
  local commit
  commit=$(git -C "$DISPARO_ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
  local tree="the committed tree"
  # RESULTS.md itself is rewritten by the run; any other change means the code measured is not $commit.
  if ! git -C "$DISPARO_ROOT" diff --quiet HEAD -- . ':!loadtest/RESULTS.md' 2>/dev/null; then
    tree="plus uncommitted changes"
  fi
  cat <<EOF
## Latest run

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit \`$commit\`, $tree
- Machine: $(machine_line)
- Software: $(software_line)
- Command: \`$COMMAND_LINE\` (total $(v total_seconds) s)
- Dispatcher: default settings (database pool 8, idle poll 2 s, at most 1,024 provider requests in flight, claims/records batched up to 500, one event-loop thread), log level info${BENCH_DISPATCHER_ENV:+, plus $BENCH_DISPATCHER_ENV}
- The machine is shared: "others" in the CPU lines is CPU used by processes outside the benchmark
  during that phase (other engineers' compilers and tests), out of $(($(nproc) * 100)) %.$(priority_note)

### Against the targets

| Target | Measured | Physical limit here | Verdict |
|---|---|---|---|
| Durable acceptance ≥ 50,000 msg/s | $(n ingest_msgs_per_s) msg/s (batches of 1,000, $(v ingest_connections) connections; p50 $(v ingest_req_p50_ms) ms, p99 $(v ingest_req_p99_ms) ms per request) | raw \`COPY\` $(n physical_copy_single_rows_per_s) rows/s; API/COPY = $(v ratio_api_to_copy_single) | $(met "$(v ingest_msgs_per_s)" ">=" 50000) |
| Dispatch ≥ 10,000 msg/s | $(n dispatch_many_sends_per_s_steady) sends/s steady with $(n dispatch_many_sessions) sessions ($(n dispatch_many_sends_per_s_peak_1s) in the best second) | sandbox send endpoint under wrk: $(n wrk_sandbox_send_req_per_s) req/s; durable commits: $(n pg_commits_per_s_c4) /s over 4 connections | $(met "$(v dispatch_many_sends_per_s_steady)" ">=" 10000) |
| Lateness p99 < 10 ms | p99 $(v lateness_p99_ms) ms (p50 $(v lateness_p50_ms) ms, max $(v lateness_max_ms) ms; $(v lateness_early) early) | — | $(met "$(v lateness_p99_ms)" "<" 10) |
| ≤ 1 KiB resident per queued message | $(v memory_bytes_per_queued_message) bytes per message ($(n memory_queued) queued) | — | $(met "$(v memory_bytes_per_queued_message)" "<=" 1024) |

### 0. What this disk and PostgreSQL allow

| | figure |
|---|---|
| one 8 kB write + \`fdatasync\` (pg_test_fsync) | $(n fdatasync_per_s) /s ($(v fdatasync_us) µs each) |
| durable one-row transactions (pgbench), 1 connection | $(n pg_commits_per_s_c1) commits/s |
| same, 4 connections (the dispatcher's pool size) | $(n pg_commits_per_s_c4) commits/s |
| same, 16 connections | $(n pg_commits_per_s_c16) commits/s |

Every durable state change costs one WAL flush; concurrent transactions share a flush (group commit),
so commits/s grow with the number of connections committing at once, not with CPU.

### 1. Durable acceptance (\`disparo-bench-ingest\`)

$(n ingest_messages) text messages (~120-byte bodies) to the demo tenant's default session, POSTed as
$(n ingest_requests_ok) batches of $(n ingest_batch) over $(v ingest_connections) keep-alive connections, one request in flight each.

| | rate | notes |
|---|---|---|
| **POST /v1/messages (dispatcher)** | **$(n ingest_msgs_per_s) msg/s** | $(v ingest_seconds) s; per request p50 $(v ingest_req_p50_ms) ms, p90 $(v ingest_req_p90_ms) ms, p99 $(v ingest_req_p99_ms) ms, max $(v ingest_req_max_ms) ms; $(v ingest_requests_failed) failed |
| dispatcher store functions in-process, 1 connection | $(n store_path_msgs_per_s) msg/s | its SQL without HTTP: $(v store_path_sql_ms_per_batch) ms SQL + $(v store_path_parse_ms_per_batch) ms JSON parsing per 1,000 |
| raw \`COPY\`, one transaction | $(n physical_copy_single_rows_per_s) rows/s | scratch copy of \`messages\` (same columns, checks, indexes and fillfactor) |
| \`COPY\` per 1,000 + 2 event rows each, commit per batch | $(n physical_copy_batched_with_events_rows_per_s) rows/s | the same durable unit of work as one POST |
| \`INSERT … SELECT unnest(arrays)\` per 1,000, 1 connection | $(n physical_unnest_batched_rows_per_s) rows/s | reference |

Nothing acknowledged was lost: $(n ingest_acked_incl_warmup) messages acknowledged with 202 (warm-up included),
$(n ingest_stored_incl_warmup) rows counted by \`SELECT count(*)\` afterwards, **$(v ingest_lost) lost**.

CPU during the POSTs: $(cpu ingest).

Dispatcher HTTP ceiling (wrk, \`GET /healthz\`, 16 connections): $(n wrk_dispatcher_healthz_req_per_s) req/s.

PostgreSQL's top statements during the POSTs and the in-process store path (pg_stat_statements):
$(pgss ingest)

### 2. Dispatch through the sandbox (\`disparo-bench-dispatch\`)

Sessions are created paused, the messages are POSTed (batches of 1,000, 2 connections), then every
session is resumed in one \`UPDATE\` ("release": a campaign starting with a full queue).

| | 1 session | $(n dispatch_many_sessions) sessions |
|---|---|---|
| messages accepted (enqueue rate) | $(n dispatch_solo_messages_acked) ($(n dispatch_solo_enqueue_msgs_per_s) msg/s) | $(n dispatch_many_messages_acked) ($(n dispatch_many_enqueue_msgs_per_s) msg/s; $(v dispatch_many_enqueue_batches_failed) batches failed, $(v dispatch_many_enqueue_batches_not_sent) not sent by the 60 s deadline) |
| all sent within the deadline | $(v dispatch_solo_finished) ($(n dispatch_solo_not_sent) not sent, $(v dispatch_solo_dispatch_seconds) s) | $(v dispatch_many_finished) ($(n dispatch_many_not_sent) not sent, $(v dispatch_many_dispatch_seconds) s) |
| **sends/s, steady** (10th–90th percentile send) | **$(n dispatch_solo_sends_per_s_steady)** | **$(n dispatch_many_sends_per_s_steady)** |
| sends/s, first to last | $(n dispatch_solo_sends_per_s_overall) | $(n dispatch_many_sends_per_s_overall) |
| sends/s, best second | $(n dispatch_solo_sends_per_s_peak_1s) | $(n dispatch_many_sends_per_s_peak_1s) |
| first send after the release | $(v dispatch_solo_first_send_after_release_ms) ms | $(v dispatch_many_first_send_after_release_ms) ms |
| release → sent p50 / p99 / max | $(v dispatch_solo_release_to_sent_p50_ms) / $(v dispatch_solo_release_to_sent_p99_ms) / $(v dispatch_solo_release_to_sent_max_ms) ms | $(v dispatch_many_release_to_sent_p50_ms) / $(v dispatch_many_release_to_sent_p99_ms) / $(v dispatch_many_release_to_sent_max_ms) ms |
| accept → sent p50 / p99 / max (includes the wait for the release) | $(v dispatch_solo_accept_to_sent_p50_ms) / $(v dispatch_solo_accept_to_sent_p99_ms) / $(v dispatch_solo_accept_to_sent_max_ms) ms | $(v dispatch_many_accept_to_sent_p50_ms) / $(v dispatch_many_accept_to_sent_p99_ms) / $(v dispatch_many_accept_to_sent_max_ms) ms |
| dispatcher RSS: before sessions → queue filled → after run | $(mib dispatch_solo_rss_before_sessions_bytes) → $(mib dispatch_solo_rss_enqueued_bytes) → $(mib dispatch_solo_rss_after_run_bytes) | $(mib dispatch_many_rss_before_sessions_bytes) → $(mib dispatch_many_rss_enqueued_bytes) → $(mib dispatch_many_rss_after_run_bytes) |
| sandbox RSS after the run | | $(mib sandbox_rss_after_dispatch_bytes) |

Physical limit on loopback (wrk, 1 thread, 16 connections, ${WRK_SECONDS:-5} s each, against a second sandbox whose webhooks are held back;
every benchmark sandbox runs with \`--records lean\`: it keeps each request's time, status and ids, not its headers and body):

| | req/s | p50 | p99 |
|---|---|---|---|
| sandbox \`GET /healthz\` | $(n wrk_sandbox_healthz_req_per_s) | $(v wrk_sandbox_healthz_p50) | $(v wrk_sandbox_healthz_p99) |
| sandbox \`POST /v24.0/{id}/messages\` (Cloud API body) | $(n wrk_sandbox_send_req_per_s) | $(v wrk_sandbox_send_p50) | $(v wrk_sandbox_send_p99) |
| dispatcher \`GET /healthz\` | $(n wrk_dispatcher_healthz_req_per_s) | $(v wrk_dispatcher_healthz_p50) | $(v wrk_dispatcher_healthz_p99) |

Dispatch rate / sandbox ceiling = $(ratio dispatch_many_sends_per_s_steady wrk_sandbox_send_req_per_s).
The sandbox answers each send and posts its three statuses (sent, delivered, read, 100 ms apart) back
to the dispatcher in signed webhooks of up to 100 statuses each (\`loadtest/bench-sandbox-behaviour.json\`;
Meta aggregates up to 1,000); the dispatcher stores every POST before answering and applies them in
batches. Status reports applied by the last send of the $(n dispatch_many_sessions)-session run:
$(n dispatch_many_status_reports_by_last_send), against $(n dispatch_many_messages_acked) sends; the rest
were stored and applied after the last send: every message read "read"
$(v dispatch_many_all_read_after_last_send_s) s after the last send (watched on the dispatcher's
count of applied "read" reports, then confirmed once in PostgreSQL) (all read within 120 s:
$(v dispatch_many_all_read)). From the first send to the last "read",
$(n dispatch_many_sent_and_read_per_s) messages/s were sent and read.

WAL written during the $(n dispatch_many_sessions)-session run, per message (its acceptance, claim,
outcome record and three status reports, the webhooks stored, and the rest of the dispatcher's
writes meanwhile):
$(v dispatch_many_wal_records_per_send) records, $(v dispatch_many_wal_fpi_per_send) full-page
images, $(n dispatch_many_wal_bytes_per_send) bytes.
Updates of message rows in that run: $(n dispatch_many_message_updates), of which
$(n dispatch_many_message_hot_updates) HOT (new version on the row's own page, no index entry
written). Almost all of them change \`status\`, which the queue's partial indexes name, so they
cannot be; making the status reports HOT was measured and not kept (hand-written part below).

CPU, 1 session: $(cpu dispatch_solo).
CPU, $(n dispatch_many_sessions) sessions: $(cpu dispatch_many).

What the dispatcher's PostgreSQL connections were doing (pg_stat_activity every 200 ms; WALWrite/WALSync =
waiting for the WAL flush of a commit, CPU = executing, idle = pooled connection unused):
- 1 session: $(v dispatch_solo_pg_backends)
- $(n dispatch_many_sessions) sessions: $(v dispatch_many_pg_backends)

PostgreSQL's top statements, 1 session:
$(pgss dispatch-solo)

PostgreSQL's top statements, $(n dispatch_many_sessions) sessions:
$(pgss dispatch-many)

Sends per second as the sandbox saw them, from the first send — 1 session:
\`$(v dispatch_solo_per_second)\`

$(n dispatch_many_sessions) sessions:
\`$(v dispatch_many_per_second)\`

### 3. Lateness of scheduled messages (\`disparo-bench-lateness\`)

$(n lateness_messages_acked) messages over $(n lateness_sessions) sessions (min_interval 0), \`send_at\` spread evenly over
$(v lateness_spread_s) s starting 5 s after posting began (posting ended $(v lateness_lead_margin_s) s before the first \`send_at\`),
an offered rate of $(n lateness_offered_per_s) msg/s.
Lateness = sandbox receive time − \`send_at\`.

| p50 | p90 | p99 | max | early (before send_at) | not sent |
|---|---|---|---|---|---|
| $(v lateness_p50_ms) ms | $(v lateness_p90_ms) ms | $(v lateness_p99_ms) ms | $(v lateness_max_ms) ms | $(v lateness_early) | $(v lateness_not_sent) |

CPU while they were due: $(cpu lateness).

PostgreSQL connections of the dispatcher: $(v lateness_pg_backends).

PostgreSQL's top statements:
$(pgss lateness)

### 4. Memory per queued message

| dispatcher VmRSS | |
|---|---|
| idle, after start-up | $(mib memory_rss_idle_bytes) |
| after accepting $(n ingest_acked_incl_warmup) messages through the API | $(mib memory_rss_after_api_ingest_bytes) |
| with $(n memory_queued) messages queued ($(n memory_queued_via_api) of them through the API, the rest inserted in SQL), 10 s later | $(mib memory_rss_queued_bytes) |
| **per queued message** | **$(v memory_bytes_per_queued_message) bytes** |
EOF
}

# report_console SUMMARY: the headline figures.
report_console() {
  REPORT_SUMMARY=$1
  note "ingest:    $(n ingest_msgs_per_s) msg/s durable (p50 $(v ingest_req_p50_ms) ms, p99 $(v ingest_req_p99_ms) ms per 1,000), lost $(v ingest_lost); raw COPY $(n physical_copy_single_rows_per_s) rows/s"
  note "dispatch:  $(n dispatch_many_sends_per_s_steady) sends/s with $(n dispatch_many_sessions) sessions, $(n dispatch_solo_sends_per_s_steady) with 1; sandbox ceiling $(n wrk_sandbox_send_req_per_s) req/s"
  note "           accept->sent p50 $(v dispatch_many_accept_to_sent_p50_ms) ms, p99 $(v dispatch_many_accept_to_sent_p99_ms) ms"
  note "commits:   fdatasync $(n fdatasync_per_s)/s; pgbench $(n pg_commits_per_s_c1) / $(n pg_commits_per_s_c4) / $(n pg_commits_per_s_c16) commits/s with 1 / 4 / 16 connections"
  note "lateness:  p50 $(v lateness_p50_ms) ms, p99 $(v lateness_p99_ms) ms, max $(v lateness_max_ms) ms, early $(v lateness_early)"
  note "memory:    $(v memory_bytes_per_queued_message) bytes per queued message (idle $(mib memory_rss_idle_bytes), with $(n memory_queued) queued $(mib memory_rss_queued_bytes))"
}

# update_results FILE REPORT: replaces the generated block of FILE with REPORT (creates FILE).
update_results() {
  local file=$1 report=$2 begin="<!-- BEGIN GENERATED by loadtest/run-benchmarks: edits inside are lost -->"
  local end="<!-- END GENERATED -->"
  if [[ ! -f $file ]] || ! grep -qF "$begin" "$file"; then
    {
      echo "# Disparo benchmark results"
      echo
      echo "$begin"
      echo "$end"
      echo
      echo "## Where the time goes"
      echo
      echo "(written by hand after a run)"
    } >"$file"
  fi
  awk -v begin="$begin" -v end="$end" -v report="$report" '
    $0 == begin { print; while ((getline line < report) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }' "$file" >"$file.tmp"
  mv "$file.tmp" "$file"
}
