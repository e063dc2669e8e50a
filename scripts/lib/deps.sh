# shellcheck shell=bash
# The Debian bookworm packages Disparo needs, and installing the missing ones. Sourced after
# common.sh. A machine that already has everything never touches apt (no update, no sudo).

DISPARO_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libboost1.81-dev libasio-dev libhiredis-dev libpq-dev libsimdjson-dev prometheus-cpp-dev
  librapidcheck-dev libtomlplusplus-dev libhowardhinnant-date-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libxlsxwriter-dev
  postgresql postgresql-contrib redis-server wrk prometheus
  clang libclang-rt-14-dev
)

# Prints the packages of DISPARO_PACKAGES that are not installed, one per line.
missing_packages() {
  local installed
  # One dpkg-query for all: unknown packages print nothing (their error goes to /dev/null).
  # dpkg-query exits 1 when any package is unknown, hence the `|| true`.
  installed=$({ dpkg-query -W -f='${Package} ${Status}\n' "${DISPARO_PACKAGES[@]}" 2>/dev/null || true; } |
    awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }')
  local p
  for p in "${DISPARO_PACKAGES[@]}"; do
    grep -qxF "$p" <<<"$installed" || echo "$p"
  done
}

# Installs what is missing. --no-install-recommends matters: libasio-dev recommends
# libboost-dev (1.74), which conflicts with libboost1.81-dev.
install_deps() {
  command -v dpkg-query >/dev/null 2>&1 || die "this needs a Debian (bookworm) machine: dpkg-query not found"
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    say "Debian packages: all ${#DISPARO_PACKAGES[@]} present"
    return 0
  fi
  say "Installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} > 0)); then
    die "still missing after apt-get install: ${missing[*]}"
  fi
}

# Node.js with npm/npx, for the OpenAPI linter (scripts/lint-openapi fetches @redocly/cli from
# the npm registry). A machine that has npx already (any Node.js >= 18) is left alone, so a
# Node.js from elsewhere never meets Debian's npm package.
install_node() {
  if command -v npx >/dev/null 2>&1; then
    return 0
  fi
  say "Installing Node.js and npm (Debian packages) for the OpenAPI linter"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
  command -v npx >/dev/null 2>&1 || die "npx still missing after installing nodejs and npm"
}
