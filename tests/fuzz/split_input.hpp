// Turns a fuzz input into harness settings and a byte stream cut into pieces, so one input says
// both what arrives and how it is split across reads (the parsers must give the same answer for
// any split). Pure; used by the fuzz entry points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace disparo::fuzz {

struct SplitInput {
  std::uint8_t settings[2] = {0, 0};  // steering bytes, meaning chosen by each target
  std::vector<std::string> pieces;    // the stream, cut
  std::string whole;                  // the stream, uncut
};

// Byte 0 and 1 are settings, byte 2 seeds the cut lengths (0: one piece), the rest is the stream.
inline SplitInput split_input(const std::uint8_t* data, std::size_t size) {
  SplitInput in;
  std::size_t at = 0;
  for (std::uint8_t& s : in.settings) s = at < size ? data[at++] : 0;
  std::uint32_t seed = at < size ? data[at++] : 0;
  in.whole.assign(reinterpret_cast<const char*>(data) + at, size - at);
  if (seed == 0) {
    in.pieces.push_back(in.whole);
    return in;
  }
  std::size_t pos = 0;
  while (pos < in.whole.size()) {
    seed = seed * 1103515245u + 12345u;  // a tiny LCG: the same input always cuts the same way
    const std::size_t len = 1 + (seed >> 16) % 64;
    in.pieces.push_back(in.whole.substr(pos, len));
    pos += len;
  }
  return in;
}

}  // namespace disparo::fuzz
