# shellcheck shell=bash
# A private Redis server under .local/: start (daemonized, with a pid file), wait, stop.
# Sourced after common.sh. Settings go to <dir>/redis.conf, written before each start, so that
# paths with spaces survive (redis parses its command line like a config file).

# Quotes a value for redis.conf.
redis_conf_quote() {
  local v=${1//\\/\\\\}
  printf '"%s"' "${v//\"/\\\"}"
}

# The pid of the server started from DIR, if it is alive and is a redis-server.
redis_pid() {
  local dir=$1 pid
  [[ -s $dir/redis.pid ]] || return 1
  pid=$(<"$dir/redis.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server* ]] || return 1
  echo "$pid"
}

redis_running() { redis_pid "$1" >/dev/null; }

# True when 127.0.0.1:PORT answers and is the server whose pid is EXPECTED (not someone else's).
redis_answers_as() {
  local port=$1 expected=$2 info
  info=$(redis-cli -h 127.0.0.1 -p "$port" INFO server 2>/dev/null) || return 1
  grep -q "^process_id:${expected}\b" <<<"$info"
}

# redis_start DIR PORT LOGFILE PERSIST: PERSIST=yes keeps an append-only file in DIR (the
# development instance); PERSIST=no keeps nothing on disk (tests).
# Returns 1 when the server does not come up (the caller shows the log; see log_since).
redis_start() {
  local dir=$1 port=$2 log=$3 persist=$4
  mkdir -p "$dir" "$(dirname "$log")"
  touch "$log"
  rm -f "$dir/redis.pid"
  local log_offset
  log_offset=$(log_size "$log")
  {
    echo "# Written by scripts/lib/redis.sh before each start; edits are lost."
    echo "bind 127.0.0.1"
    echo "port $port"
    echo "protected-mode yes"
    echo "daemonize yes"
    echo "pidfile $(redis_conf_quote "$dir/redis.pid")"
    echo "logfile $(redis_conf_quote "$log")"
    echo "dir $(redis_conf_quote "$dir")"
    echo 'save ""'
    if [[ $persist == yes ]]; then
      echo "appendonly yes"
      echo "appendfsync everysec"
    else
      echo "appendonly no"
    fi
  } >"$dir/redis.conf"
  redis-server "$dir/redis.conf" 9>&- || return 1
  # The daemon writes its pid file only once it listens; a bind failure ends it before that.
  local deadline=$((SECONDS + 30)) pid
  while ((SECONDS < deadline)); do
    if pid=$(redis_pid "$dir") && redis_answers_as "$port" "$pid"; then
      return 0
    fi
    if log_since "$log" "$log_offset" | grep -q -e 'Could not create server' -e '# Fatal' -e 'Aborting'; then
      return 1
    fi
    sleep 0.2
  done
  return 1
}

# Stops the server started from DIR (by its pid file only: never a server we did not start).
redis_stop() {
  local dir=$1 pid
  pid=$(redis_pid "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "Redis (pid $pid) did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$dir/redis.pid"
}

# redis_start_free DIR FIRST_PORT LOGFILE PERSIST: like pg_start_free; sets REDIS_PORT.
redis_start_free() {
  local dir=$1 port=$2 log=$3 persist=$4 attempt offset
  for attempt in 1 2 3 4 5; do
    port=$(first_free_port "$port" 200) || die "no free port for Redis from $2 upwards"
    offset=$(log_size "$log")
    if redis_start "$dir" "$port" "$log" "$persist"; then
      # shellcheck disable=SC2034  # the result, read by the caller
      REDIS_PORT=$port
      return 0
    fi
    if ! log_since "$log" "$offset" | grep -q 'Address already in use'; then
      break
    fi
    note "port $port was taken meanwhile (attempt $attempt); trying the next one"
    port=$((port + 1))
  done
  show_log_tail "$log" 30
  die "Redis did not start (log: ${log#"$DISPARO_ROOT"/})"
}
