# shellcheck shell=bash
# Configures and builds the whole project with CMake + Ninja. Sourced after common.sh.
# Parallelism: Ninja's default (all cores); set CMAKE_BUILD_PARALLEL_LEVEL to limit it.

DISPARO_BUILD_DIR="$DISPARO_ROOT/build"

# build_project [extra cmake -D options...]
build_project() {
  say "Configuring (CMake + Ninja) into build/"
  local type_arg=()
  # Release-ish by default, but keep whatever build type the developer chose before.
  if ! grep -q '^CMAKE_BUILD_TYPE:STRING=.' "$DISPARO_BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
    type_arg=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
  fi
  cmake -S "$DISPARO_ROOT" -B "$DISPARO_BUILD_DIR" -G Ninja "${type_arg[@]}" "$@" >/dev/null ||
    die "CMake configuration failed (see the messages above)"
  say "Building"
  cmake --build "$DISPARO_BUILD_DIR" || die "the build failed (see the compiler messages above)"
}
