# shellcheck shell=bash
# Shared helpers for the scripts in scripts/: messages, the repository paths, running a command
# as root, free-port checks and waiting on a condition with a deadline. Sourced, never executed.

# The repository root, whatever the caller's working directory.
DISPARO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
# shellcheck disable=SC2034  # used by the scripts that source this
DISPARO_LOCAL="$DISPARO_ROOT/.local"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[31merror:\033[0m %s\n' "$*" >&2
  exit 1
}

# No colours when the output is not a terminal (CI logs, pipes).
if [[ ! -t 1 ]]; then
  say() { printf '==> %s\n' "$*"; }
fi
if [[ ! -t 2 ]]; then
  warn() { printf 'warning: %s\n' "$*" >&2; }
  die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
  }
fi

is_root() { [[ $(id -u) -eq 0 ]]; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (install sudo, or run this once as root)"
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1. Uses bash's /dev/tcp so it needs
# no extra tool; a listener on 0.0.0.0 or on 127.0.0.1 both count.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints who holds a port, when `ss` is there to tell (iproute2 is not always installed).
describe_port() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/      /'
  fi
}

# Prints the first port from $1 upwards (at most $2 tries) on which nothing listens.
first_free_port() {
  local port=$1 tries=${2:-100}
  while ((tries-- > 0)); do
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  return 1
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds or the
# deadline passes (then returns 1).
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      warn "gave up after ${seconds}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# Prints the last lines of a log file, indented, to stderr.
show_log_tail() {
  local file=$1 lines=${2:-40}
  if [[ -s $file ]]; then
    printf -- '--- last %s lines of %s ---\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf -- '--- end of %s ---\n' "$file" >&2
  else
    printf '(%s is empty or missing)\n' "$file" >&2
  fi
}

# The size of a log file now, and what was written to it since then: a server's start attempt
# is judged by its own lines, not by an earlier run's.
log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
log_since() { tail -c "+$(($2 + 1))" "$1" 2>/dev/null; }

# Takes an exclusive lock on a file for the lifetime of this shell, so two copies of a script
# never manage the same servers. Fails with a clear message when another copy holds it.
# The lock lives on fd 9; every long-lived child is started with `9>&-` so that a server left
# behind by a killed script does not keep holding it.
take_lock() {
  local file=$1 who=$2
  mkdir -p "$(dirname "$file")"
  exec 9>"$file"
  if ! flock -n 9; then
    die "$who is already running in this checkout (lock $file). Stop it first (Ctrl-C in its terminal)."
  fi
}

# True while process $1 exists and is not a zombie (a container without an init may leave
# exited daemons unreaped, and kill -0 succeeds on those).
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  # The state follows the command name, which is in parentheses and may contain spaces.
  state=$(sed -e 's/.*) //' -e 's/ .*//' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}
