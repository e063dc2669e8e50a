// Test helper: feeds a parser the way a connection does (append what arrived, feed the pending
// bytes, drop what was consumed, take() every complete message), piece by piece. Used by the
// codec tests and the fuzz targets. Single-threaded, no I/O.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/http/codec.hpp"

namespace disparo::http::test {

template <class Message>
struct FeedRun {
  std::vector<Message> messages;
  ParseStatus status = ParseStatus::need_more;  // the last status (need_more: stream ended cleanly)
  std::string error;
  std::size_t leftover = 0;     // bytes fed but not consumed at the end
  std::size_t max_pending = 0;  // the largest the caller's buffer ever was
};

template <class Parser, class Message>
FeedRun<Message> feed_stream(const std::vector<std::string>& pieces, ParseLimits limits) {
  constexpr std::size_t kMaxMessages = 10'000;  // a parser that never stops is a bug too
  Parser parser(limits);
  FeedRun<Message> run;
  std::string pending;
  for (const std::string& piece : pieces) {
    pending += piece;
    run.max_pending = std::max(run.max_pending, pending.size());
    for (;;) {
      std::size_t consumed = 0;
      const ParseStatus status = parser.feed(pending, consumed);
      if (consumed > pending.size()) {
        run.status = ParseStatus::error;
        run.error = "parser consumed more than it was given";
        return run;
      }
      pending.erase(0, consumed);
      run.status = status;
      if (status == ParseStatus::done) {
        run.messages.push_back(parser.take());
        if (run.messages.size() >= kMaxMessages) return run;
        continue;
      }
      if (status != ParseStatus::need_more) {
        run.error = parser.error_message();
        run.leftover = pending.size();
        return run;
      }
      break;
    }
  }
  run.leftover = pending.size();
  return run;
}

// Whether two runs over the same bytes, cut differently, agree. The messages parsed must match;
// the outcome may differ in two known ways: a limit can trip at another point (the parser bounds
// only what it must buffer), and a malformed header that arrives in pieces may be reported
// later: Beast waits for the blank line before it parses the fields, so a stream that ends
// before one is "need more" cut up and "error" whole. Both still reject; neither accepts.
template <class Message, class Same>
bool consistent(const FeedRun<Message>& a, const FeedRun<Message>& b, Same same) {
  const std::size_t common = std::min(a.messages.size(), b.messages.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (!same(a.messages[i], b.messages[i])) return false;
  }
  if (a.status == ParseStatus::too_large || b.status == ParseStatus::too_large) return true;
  if (a.messages.size() != b.messages.size()) return false;
  if (a.status == b.status) return true;
  const auto late_error = [](ParseStatus x, ParseStatus y) {
    return x == ParseStatus::need_more && y == ParseStatus::error;
  };
  return late_error(a.status, b.status) || late_error(b.status, a.status);
}

inline FeedRun<Request> feed_requests(const std::vector<std::string>& pieces,
                                      ParseLimits limits = {}) {
  return feed_stream<RequestParser, Request>(pieces, limits);
}

inline FeedRun<Response> feed_responses(const std::vector<std::string>& pieces,
                                        ParseLimits limits = {}) {
  return feed_stream<ResponseParser, Response>(pieces, limits);
}

}  // namespace disparo::http::test
