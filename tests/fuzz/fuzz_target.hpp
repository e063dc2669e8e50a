// DISPARO_FUZZ_TARGET(name) { ... }: one fuzz entry point, compiled two ways.
//
// Always as `int disparo::fuzz::run_<name>(const std::uint8_t*, std::size_t)`, which
// fuzz_corpus_replay_test calls on every seed in tests/fuzz/corpus/<name>/ (so seeds and past
// crashes are replayed in every CI run, with gcc and no libFuzzer). With DISPARO_FUZZ_MAIN (set
// by CMake for the libFuzzer binary <name>_fuzz) it also defines LLVMFuzzerTestOneInput.
// An entry point returns 0 and aborts (std::abort) when an invariant breaks.
//
// Adding a target: write tests/fuzz/<name>_fuzz.cpp with DISPARO_FUZZ_TARGET(<name>), add
// X(<name>) to targets.hpp, a disparo_add_fuzz_target() line to tests/fuzz/CMakeLists.txt, and
// seeds under corpus/<name>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "common/unix_time.hpp"

#ifdef DISPARO_FUZZ_MAIN
#define DISPARO_FUZZ_DEFINE_MAIN(name)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    return ::disparo::fuzz::run_##name(data, size);                                    \
  }
#else
#define DISPARO_FUZZ_DEFINE_MAIN(name)
#endif

#define DISPARO_FUZZ_TARGET(name)                                     \
  namespace disparo::fuzz {                                           \
  int run_##name(const std::uint8_t* data, std::size_t size);         \
  }                                                                   \
  DISPARO_FUZZ_DEFINE_MAIN(name)                                      \
  int ::disparo::fuzz::run_##name(const std::uint8_t* data, std::size_t size)

namespace disparo::fuzz {
// Provider times a parser returns (unix seconds) stay in [0, this] (common/unix_time.hpp).
using disparo::kLatestUnixSeconds;
}  // namespace disparo::fuzz

// Aborts with a message when `condition` is false: libFuzzer records the input as a crash.
#define DISPARO_FUZZ_CHECK(condition)                                                       \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
