# shellcheck shell=bash
# A private PostgreSQL server under .local/: init, start, wait, stop, and a psql helper.
# Sourced after common.sh.
#
# Layout of one instance ("home" is e.g. .local/postgres):
#   <home>/data           the cluster (initdb), owned by whoever runs PostgreSQL
#   <home>/.s.PGSQL.<p>   its unix socket, so it never needs /var/run/postgresql
# Authentication is `trust`: the server only listens on 127.0.0.1 and a socket in a private
# folder, which is fine for a local development or test database and nothing else.
#
# initdb and postgres refuse to run as root, so as root every PostgreSQL binary runs as the
# `postgres` system user (created by the Debian package) through runuser, and the home folder
# belongs to that user.

# The server binaries: PostgreSQL 15 on bookworm, else the newest installed, or $DISPARO_PG_BIN.
pg_bindir() {
  if [[ -n ${DISPARO_PG_BIN:-} ]]; then
    echo "$DISPARO_PG_BIN"
  elif [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
    echo /usr/lib/postgresql/15/bin
  else
    local d
    d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n $d ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (package postgresql)"
    echo "$d"
  fi
}

# Runs a PostgreSQL binary as the user that owns the cluster, from / (the postgres user may not
# be allowed into the caller's working directory). Closes the script's lock fd (see take_lock).
pg_as_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

# As root, makes sure the postgres user can reach $1: every ancestor folder that it cannot
# traverse gets o+x (only traversal, not listing), top-down, and we say which.
pg_make_reachable() {
  is_root || return 0
  local path=$1 d="" part
  local -a parts
  IFS=/ read -r -a parts <<<"${path#/}"
  for part in "${parts[@]}"; do
    d="$d/$part"
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      chmod o+x "$d"
      note "made $d traversable (o+x) so that the postgres user can reach its data"
    fi
  done
}

# Creates a folder (and its log file) owned by the cluster's user.
pg_own() {
  if is_root; then
    chown postgres:postgres "$@"
  fi
}

# pg_init HOME LOGFILE: creates the cluster in HOME/data unless it already exists.
pg_init() {
  local home=$1 log=$2 bin
  bin=$(pg_bindir)
  mkdir -p "$home" "$(dirname "$log")"
  touch "$log"
  pg_own "$home" "$log"
  pg_make_reachable "$home"
  pg_make_reachable "$(dirname "$log")"
  if [[ -s $home/data/PG_VERSION ]]; then
    return 0
  fi
  say "Creating a PostgreSQL cluster in ${home#"$DISPARO_ROOT"/}/data"
  rm -rf "$home/data"
  mkdir -m 700 "$home/data"
  pg_own "$home/data"
  if ! pg_as_owner "$bin/initdb" -D "$home/data" -U postgres --auth=trust -E UTF8 --no-locale \
    >>"$log" 2>&1; then
    show_log_tail "$log"
    die "initdb failed"
  fi
  # Our settings live in disparo.conf, rewritten before every start (port, socket, tuning).
  printf "\n# Written by scripts/lib/postgres.sh\ninclude_if_exists 'disparo.conf'\n" |
    pg_as_owner tee -a "$home/data/postgresql.conf" >/dev/null
}

# Quotes a value for postgresql.conf.
pg_conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# pg_write_conf HOME PORT [setting=value...]: the settings for the next start.
pg_write_conf() {
  local home=$1 port=$2
  shift 2
  local sockdir=$home
  # A unix socket path must fit in 107 bytes; in a deeply nested checkout use TCP only.
  if ((${#sockdir} + 16 > 100)); then
    sockdir=""
  fi
  {
    echo "# Written by scripts/lib/postgres.sh before each start; edits are lost."
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = $(pg_conf_quote "$sockdir")"
    local kv
    for kv in "$@"; do
      echo "${kv%%=*} = ${kv#*=}"
    done
  } | pg_as_owner tee "$home/data/disparo.conf" >/dev/null
}

# True when the cluster in HOME/data has a live postmaster.
pg_running() {
  local home=$1 bin
  [[ -f $home/data/postmaster.pid ]] || return 1
  bin=$(pg_bindir)
  pg_as_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1
}

# pg_start HOME PORT LOGFILE [setting=value...]: starts and waits until it accepts connections.
# Returns 1 when the server does not come up (the caller shows the log; see log_since).
pg_start() {
  local home=$1 port=$2 log=$3 bin
  shift 3
  bin=$(pg_bindir)
  pg_write_conf "$home" "$port" "$@"
  if ! pg_as_owner "$bin/pg_ctl" -D "$home/data" -l "$log" -w -t 60 start >/dev/null 2>&1; then
    return 1
  fi
  # pg_ctl -w waited for "ready"; one real query proves the TCP listener is ours and answers.
  wait_until 30 "PostgreSQL on 127.0.0.1:$port" pg_ping "$port"
}

# Stops the cluster if it runs: fast shutdown (rolls back open sessions), immediate if that hangs.
pg_stop() {
  local home=$1 bin
  pg_running "$home" || return 0
  bin=$(pg_bindir)
  if ! pg_as_owner "$bin/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
    warn "PostgreSQL in $home did not stop within 60 s; forcing an immediate shutdown"
    pg_as_owner "$bin/pg_ctl" -D "$home/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
}

# pg_sql PORT DB SQL: runs SQL as the postgres superuser over TCP, prints unaligned tuples.
pg_sql() {
  local port=$1 db=$2 sql=$3 bin
  bin=$(pg_bindir)
  PGCONNECT_TIMEOUT=5 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -tA -h 127.0.0.1 -p "$port" \
    -U postgres -d "$db" -c "$sql"
}

pg_ping() { pg_sql "$1" postgres "SELECT 1" >/dev/null 2>&1; }

# pg_start_free HOME FIRST_PORT LOGFILE [setting=value...]: starts on the first free port from
# FIRST_PORT upwards and sets PG_PORT. If another program takes the port between our check and
# the server's bind, tries the next one (a few times).
pg_start_free() {
  local home=$1 port=$2 log=$3 attempt offset
  shift 3
  for attempt in 1 2 3 4 5; do
    port=$(first_free_port "$port" 200) || die "no free port for PostgreSQL from $2 upwards"
    offset=$(log_size "$log")
    if pg_start "$home" "$port" "$log" "$@"; then
      # shellcheck disable=SC2034  # the result, read by the caller
      PG_PORT=$port
      return 0
    fi
    if ! log_since "$log" "$offset" | grep -q 'Address already in use'; then
      break
    fi
    note "port $port was taken meanwhile (attempt $attempt); trying the next one"
    port=$((port + 1))
  done
  show_log_tail "$log" 30
  die "PostgreSQL did not start (log: ${log#"$DISPARO_ROOT"/})"
}
