# shellcheck shell=bash
# Disparo's own processes (dispatcher, admin, sandbox) as children of scripts/run: start with a
# log and a pid file, wait for /healthz, stop politely. Sourced after common.sh.

declare -A SERVICE_PID=()
declare -A SERVICE_LOG=()
declare -A SERVICE_LOG_OFFSET=()
DISPARO_PIDS="$DISPARO_LOCAL/run"

# service_start NAME LOGFILE COMMAND...: starts COMMAND in the background, stdin closed, stdout
# and stderr appended to LOGFILE. Use `env VAR=value ...` in COMMAND for its environment.
service_start() {
  local name=$1 log=$2
  shift 2
  mkdir -p "$(dirname "$log")" "$DISPARO_PIDS"
  SERVICE_LOG_OFFSET[$name]=$(log_size "$log")
  printf '\n=== %s: %s started by scripts/run ===\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
  # Own session: a terminal Ctrl-C reaches only scripts/run, whose trap then stops the services
  # in order (otherwise a service could exit first and look like a crash).
  setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  SERVICE_PID[$name]=$!
  SERVICE_LOG[$name]=$log
  echo "$!" >"$DISPARO_PIDS/$name.pid"
}

# Prints the last lines that NAME wrote since scripts/run started it.
service_show_log() {
  local name=$1
  printf -- '--- last lines of %s ---\n' "${SERVICE_LOG[$name]#"$DISPARO_ROOT"/}" >&2
  log_since "${SERVICE_LOG[$name]}" "${SERVICE_LOG_OFFSET[$name]}" | tail -n 40 >&2
  printf -- '--- end ---\n' >&2
}

# service_wait_healthy NAME URL SECONDS: polls URL until it answers 2xx. Dies (after showing the
# log) when the process exits first or the deadline passes.
service_wait_healthy() {
  local name=$1 url=$2 seconds=$3
  local pid=${SERVICE_PID[$name]} deadline=$((SECONDS + seconds))
  while :; do
    if ! pid_alive "$pid"; then
      local status=0
      wait "$pid" 2>/dev/null || status=$?
      service_show_log "$name"
      die "$name exited during start-up (status $status); its log is ${SERVICE_LOG[$name]#"$DISPARO_ROOT"/}"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      note "$name is up ($url)"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      service_show_log "$name"
      die "$name did not answer $url within ${seconds}s"
    fi
    sleep 0.2
  done
}

# Stops a process: SIGTERM, then SIGKILL after SECONDS. Reaps it when it is our child.
stop_pid() {
  local pid=$1 name=$2 seconds=${3:-30}
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + seconds))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$name (pid $pid) did not stop within ${seconds}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
}

# service_stop NAME...: stops the named services in that order.
service_stop() {
  local name
  for name in "$@"; do
    [[ -n ${SERVICE_PID[$name]:-} ]] || continue
    if pid_alive "${SERVICE_PID[$name]}"; then
      stop_pid "${SERVICE_PID[$name]}" "$name"
      note "$name stopped"
    fi
    unset "SERVICE_PID[$name]"
    rm -f "$DISPARO_PIDS/$name.pid"
  done
}

# service_stop_leftover NAME BINARY: a previous scripts/run that was killed (kill -9, closed
# terminal) may have left NAME running; stop it if its pid file points at BINARY.
service_stop_leftover() {
  local name=$1 binary=$2 file="$DISPARO_PIDS/$1.pid" pid
  [[ -s $file ]] || return 0
  pid=$(<"$file")
  rm -f "$file"
  [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 0
  # The pid may have been reused: only a process started from our binary is ours to stop.
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$binary" || return 0
  note "stopping $name (pid $pid) left over from an earlier scripts/run"
  stop_pid "$pid" "$name"
}
