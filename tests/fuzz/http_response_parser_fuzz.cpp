// Fuzzes ResponseParser the way the client feeds it: arbitrary bytes in arbitrary splits, with
// arbitrary limits, then end of stream. Checks split-independence, limits, the bounded buffer,
// and that a response to HEAD never carries a body.
#include <algorithm>

#include "adapters/http/codec.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/split_input.hpp"
#include "tests/http/stream_feed.hpp"

namespace {

using disparo::http::ParseLimits;
using disparo::http::ParseStatus;
using disparo::http::Response;

ParseLimits limits_from(std::uint8_t header, std::uint8_t body) {
  ParseLimits limits;
  limits.header_bytes = 64 + std::size_t{header} * 64;
  limits.body_bytes = body == 255 ? 8 * 1024 * 1024 : static_cast<std::size_t>(body & 0x7F) * 32;
  return limits;
}

bool same(const Response& a, const Response& b) {
  return a.status == b.status && a.headers == b.headers && a.body == b.body &&
         a.keep_alive == b.keep_alive;
}

}  // namespace

DISPARO_FUZZ_TARGET(http_response_parser) {
  namespace http = disparo::http;
  const auto in = disparo::fuzz::split_input(data, size);
  const ParseLimits limits = limits_from(in.settings[0], in.settings[1]);
  const auto split = http::test::feed_responses(in.pieces, limits);
  const auto whole = http::test::feed_responses({in.whole}, limits);

  DISPARO_FUZZ_CHECK(http::test::consistent(split, whole, same));

  std::size_t largest_piece = 0;
  for (const auto& piece : in.pieces) largest_piece = std::max(largest_piece, piece.size());
  DISPARO_FUZZ_CHECK(split.max_pending <= limits.header_bytes + largest_piece);
  for (const Response& r : whole.messages) {
    DISPARO_FUZZ_CHECK(r.body.size() <= limits.body_bytes);
    DISPARO_FUZZ_CHECK(r.status >= 100 && r.status <= 999);
  }

  // One response, maybe to HEAD, then the peer closes: as the client reads it.
  http::ResponseParser parser(limits);
  const bool head = (in.settings[1] & 0x80) != 0;
  if (head) parser.expect_no_body();
  std::size_t consumed = 0;
  ParseStatus status = parser.feed(in.whole, consumed);
  DISPARO_FUZZ_CHECK(consumed <= in.whole.size());
  if (status == ParseStatus::need_more) status = parser.finish_on_eof();
  if (status == ParseStatus::done) {
    const Response r = parser.take();
    if (head) DISPARO_FUZZ_CHECK(r.body.empty());
    DISPARO_FUZZ_CHECK(r.body.size() <= limits.body_bytes);
  }
  return 0;
}
