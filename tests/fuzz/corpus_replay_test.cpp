// Runs every fuzz entry point (targets.hpp) over its seed corpus in tests/fuzz/corpus/<name>/,
// plus a few edge inputs. Built with the ordinary compiler in every build, so seeds and saved
// crash inputs are replayed in CI without libFuzzer. A target without seeds fails: a new target
// must ship some.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/targets.hpp"

#define DISPARO_DECLARE_FUZZ_TARGET(name) \
  namespace disparo::fuzz {               \
  int run_##name(const std::uint8_t* data, std::size_t size); \
  }
DISPARO_FUZZ_TARGETS(DISPARO_DECLARE_FUZZ_TARGET)
#undef DISPARO_DECLARE_FUZZ_TARGET

namespace {

struct FuzzTarget {
  const char* name;
  int (*run)(const std::uint8_t*, std::size_t);
};

#define DISPARO_LIST_FUZZ_TARGET(name) FuzzTarget{#name, &disparo::fuzz::run_##name},
const FuzzTarget kTargets[] = {DISPARO_FUZZ_TARGETS(DISPARO_LIST_FUZZ_TARGET)};
#undef DISPARO_LIST_FUZZ_TARGET

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

int run_on(const FuzzTarget& target, const std::string& bytes) {
  return target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

class CorpusReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(CorpusReplay, EverySeedRunsClean) {
  const FuzzTarget& target = GetParam();
  const std::filesystem::path dir = std::filesystem::path(DISPARO_FUZZ_CORPUS_DIR) / target.name;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << "no seed corpus at " << dir;
  std::vector<std::filesystem::path> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) seeds.push_back(entry.path());
  }
  std::sort(seeds.begin(), seeds.end());
  ASSERT_FALSE(seeds.empty()) << "add seeds to " << dir;
  for (const auto& seed : seeds) {
    SCOPED_TRACE(seed.string());
    const std::string bytes = read_file(seed);
    EXPECT_EQ(run_on(target, bytes), 0);
    // The same stream under other settings and cuts (the first three bytes steer the harness).
    for (char steer : {'\x00', '\x01', '\x07', '\x80', '\xff'}) {
      std::string varied = bytes;
      for (std::size_t i = 0; i < std::min<std::size_t>(3, varied.size()); ++i) varied[i] = steer;
      EXPECT_EQ(run_on(target, varied), 0);
    }
  }
}

TEST_P(CorpusReplay, EdgeInputsRunClean) {
  const FuzzTarget& target = GetParam();
  EXPECT_EQ(target.run(nullptr, 0), 0);
  for (const std::string& bytes : {std::string(1, '\0'), std::string(3, '\xff'),
                                  std::string(4096, '\r'), std::string(70000, 'A')}) {
    EXPECT_EQ(run_on(target, bytes), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, CorpusReplay, ::testing::ValuesIn(kTargets),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
