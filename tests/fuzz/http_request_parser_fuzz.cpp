// Fuzzes RequestParser the way the server feeds it: arbitrary bytes in arbitrary splits, with
// arbitrary limits. Checks that any split gives the same requests as the whole stream, that the
// caller's buffer stays bounded, that limits hold, and that every parsed request survives our
// serializer unchanged.
#include <algorithm>

#include "adapters/http/codec.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/split_input.hpp"
#include "tests/http/stream_feed.hpp"

namespace {

using disparo::http::ParseLimits;
using disparo::http::ParseStatus;
using disparo::http::Request;

ParseLimits limits_from(std::uint8_t header, std::uint8_t body) {
  ParseLimits limits;
  limits.header_bytes = 64 + std::size_t{header} * 64;                     // 64 B .. 16 KiB
  limits.body_bytes = body == 255 ? 8 * 1024 * 1024 : std::size_t{body} * 16;  // 0 .. 4 KiB, 8 MiB
  return limits;
}

bool same(const Request& a, const Request& b) {
  return a.method == b.method && a.target == b.target && a.headers == b.headers &&
         a.body == b.body && a.keep_alive == b.keep_alive;
}

}  // namespace

DISPARO_FUZZ_TARGET(http_request_parser) {
  namespace http = disparo::http;
  const auto in = disparo::fuzz::split_input(data, size);
  const ParseLimits limits = limits_from(in.settings[0], in.settings[1]);
  const auto split = http::test::feed_requests(in.pieces, limits);
  const auto whole = http::test::feed_requests({in.whole}, limits);

  // How bytes arrive never changes what they mean (see consistent() for the two allowed
  // differences in the outcome).
  DISPARO_FUZZ_CHECK(http::test::consistent(split, whole, same));

  std::size_t largest_piece = 0;
  for (const auto& piece : in.pieces) largest_piece = std::max(largest_piece, piece.size());
  DISPARO_FUZZ_CHECK(split.max_pending <= limits.header_bytes + largest_piece);

  for (const Request& request : whole.messages) {
    DISPARO_FUZZ_CHECK(request.body.size() <= limits.body_bytes);
    DISPARO_FUZZ_CHECK(!request.method.empty());
    // What we parsed, we can send on: serialize and parse again.
    const auto again = http::test::feed_requests({http::serialize(request, "fuzz.test")});
    DISPARO_FUZZ_CHECK(again.status == ParseStatus::need_more);
    DISPARO_FUZZ_CHECK(again.messages.size() == 1);
    const Request& copy = again.messages[0];
    DISPARO_FUZZ_CHECK(copy.method == request.method);
    DISPARO_FUZZ_CHECK(copy.target == request.target);
    DISPARO_FUZZ_CHECK(copy.body == request.body);
    DISPARO_FUZZ_CHECK(copy.keep_alive == request.keep_alive);
  }
  return 0;
}
