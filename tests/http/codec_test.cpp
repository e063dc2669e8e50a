// The HTTP codec and message helpers, without sockets: byte-boundary splits, chunked bodies,
// pipelining, limits, malformed input, and rapidcheck properties for the round trip.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "adapters/http/codec.hpp"
#include "adapters/http/message.hpp"
#include "tests/http/stream_feed.hpp"

namespace disparo::http {
namespace {

using test::feed_requests;
using test::feed_responses;

const std::string kPost =
    "POST /v1/messages?tenant=7 HTTP/1.1\r\n"
    "Host: disparo.local\r\n"
    "Content-Type: application/json\r\n"
    "X-Request-Id: abc\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "{\"to\":\"5511\"}";

const std::string kChunked =
    "POST /upload HTTP/1.1\r\n"
    "Host: h\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5;ext=1\r\nhello\r\n"
    "7\r\n, world\r\n"
    "0\r\n"
    "X-Trailer: t\r\n"
    "\r\n";

TEST(RequestParser, ParsesSimplePost) {
  const auto run = feed_requests({kPost});
  ASSERT_EQ(run.status, ParseStatus::need_more);
  ASSERT_EQ(run.messages.size(), 1u);
  const Request& r = run.messages[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/messages?tenant=7");
  EXPECT_EQ(r.path(), "/v1/messages");
  EXPECT_EQ(r.query_param("tenant"), "7");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("X-REQUEST-ID"), "abc");
  EXPECT_EQ(r.body, "{\"to\":\"5511\"}");
  EXPECT_TRUE(r.keep_alive);
}

TEST(RequestParser, SameResultAtEveryByteBoundary) {
  for (const std::string& wire : {kPost, kChunked}) {
    const auto whole = feed_requests({wire});
    ASSERT_EQ(whole.messages.size(), 1u);
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
      const auto split = feed_requests({wire.substr(0, cut), wire.substr(cut)});
      ASSERT_EQ(split.messages.size(), 1u) << "cut at " << cut;
      EXPECT_EQ(split.messages[0].body, whole.messages[0].body) << "cut at " << cut;
      EXPECT_EQ(split.messages[0].headers, whole.messages[0].headers) << "cut at " << cut;
    }
    // And one byte at a time.
    std::vector<std::string> bytes;
    for (char c : wire) bytes.emplace_back(1, c);
    const auto dribble = feed_requests(bytes);
    ASSERT_EQ(dribble.messages.size(), 1u);
    EXPECT_EQ(dribble.messages[0].body, whole.messages[0].body);
  }
}

TEST(RequestParser, DecodesChunkedBody) {
  const auto run = feed_requests({kChunked});
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].body, "hello, world");
}

TEST(RequestParser, TwoPipelinedRequestsInOneBuffer) {
  const std::string get = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const auto run = feed_requests({get + kPost});
  ASSERT_EQ(run.messages.size(), 2u);
  EXPECT_EQ(run.messages[0].target, "/a");
  EXPECT_EQ(run.messages[1].target, "/v1/messages?tenant=7");
  EXPECT_EQ(run.messages[1].body, "{\"to\":\"5511\"}");
  EXPECT_EQ(run.leftover, 0u);
}

TEST(RequestParser, KeepAliveFollowsVersionAndConnectionHeader) {
  EXPECT_FALSE(feed_requests({"GET / HTTP/1.0\r\n\r\n"}).messages.at(0).keep_alive);
  EXPECT_TRUE(
      feed_requests({"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"}).messages.at(0).keep_alive);
  EXPECT_FALSE(
      feed_requests({"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"}).messages.at(0).keep_alive);
}

TEST(RequestParser, HeaderOverLimitIsTooLarge) {
  ParseLimits limits;
  limits.header_bytes = 256;
  const std::string wire = "GET / HTTP/1.1\r\nX-Big: " + std::string(400, 'a') + "\r\n\r\n";
  EXPECT_EQ(feed_requests({wire}, limits).status, ParseStatus::too_large);
  // Also when it arrives in small pieces (the caller's buffer must stay bounded).
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i < wire.size(); i += 10) pieces.push_back(wire.substr(i, 10));
  const auto run = feed_requests(pieces, limits);
  EXPECT_EQ(run.status, ParseStatus::too_large);
  EXPECT_LE(run.max_pending, 256u + 10u);
}

TEST(RequestParser, BodyOverLimitIsTooLarge) {
  ParseLimits limits;
  limits.body_bytes = 8;
  EXPECT_EQ(feed_requests({"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n123456789"}, limits).status,
            ParseStatus::too_large);
  EXPECT_EQ(feed_requests({kChunked}, limits).status, ParseStatus::too_large);
  // At the limit is fine.
  EXPECT_EQ(feed_requests({"POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678"}, limits)
                .messages.size(),
            1u);
}

TEST(RequestParser, EndlessChunkHeaderIsTooLarge) {
  ParseLimits limits;
  limits.header_bytes = 128;
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5";
  std::vector<std::string> pieces{head};
  for (int i = 0; i < 50; ++i) pieces.push_back(";a=" + std::string(20, 'b'));
  const auto run = feed_requests(pieces, limits);
  EXPECT_NE(run.status, ParseStatus::need_more);
  EXPECT_LE(run.max_pending, 128u + 23u);
}

TEST(RequestParser, MalformedInputIsAnError) {
  for (const std::string wire : {
           "GARBAGE\r\n\r\n",
           "GET / HTTP/9.9\r\n\r\n",
           "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "GET /\x01 HTTP/1.1\r\n\r\n",
       }) {
    const auto run = feed_requests({wire});
    EXPECT_EQ(run.status, ParseStatus::error) << wire;
    EXPECT_TRUE(run.messages.empty()) << wire;
    EXPECT_FALSE(run.error.empty()) << wire;
  }
}

TEST(RequestParser, ErrorIsSticky) {
  RequestParser parser;
  std::size_t consumed = 0;
  EXPECT_EQ(parser.feed("NOT HTTP\r\n\r\n", consumed), ParseStatus::error);
  EXPECT_EQ(parser.feed("GET / HTTP/1.1\r\n\r\n", consumed), ParseStatus::error);
  EXPECT_EQ(consumed, 0u);
}

TEST(RequestParser, ExpectsContinueOnlyWhileBodyIsMissing) {
  RequestParser parser;
  std::size_t consumed = 0;
  const std::string head =
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  EXPECT_EQ(parser.feed(head, consumed), ParseStatus::need_more);
  EXPECT_EQ(consumed, head.size());
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_EQ(parser.feed("abc", consumed), ParseStatus::done);
  EXPECT_FALSE(parser.expects_continue());
  EXPECT_EQ(parser.take().body, "abc");
}

TEST(ResponseParser, ContentLengthChunkedAndEof) {
  auto run = feed_responses({"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok"});
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].status, 202);
  EXPECT_EQ(run.messages[0].body, "ok");

  run = feed_responses(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"});
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].body, "abc");

  ResponseParser parser;
  std::size_t consumed = 0;
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil eof", consumed),
            ParseStatus::need_more);
  EXPECT_EQ(parser.finish_on_eof(), ParseStatus::done);
  const Response r = parser.take();
  EXPECT_EQ(r.body, "until eof");
  EXPECT_FALSE(r.keep_alive);
}

TEST(ResponseParser, NoBodyForHeadAnd204) {
  ResponseParser head;
  head.expect_no_body();
  std::size_t consumed = 0;
  EXPECT_EQ(head.feed("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", consumed),
            ParseStatus::done);
  EXPECT_TRUE(head.take().body.empty());

  const auto run = feed_responses({"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n"
                                   "Content-Length: 1\r\n\r\nx"});
  ASSERT_EQ(run.messages.size(), 2u);
  EXPECT_EQ(run.messages[0].status, 204);
  EXPECT_EQ(run.messages[1].body, "x");
}

TEST(ResponseParser, StatusBelow100IsAnError) {
  const auto run = feed_responses({"HTTP/1.1 002 OK\r\nContent-Length: 0\r\n\r\n"});
  EXPECT_EQ(run.status, ParseStatus::error);
  EXPECT_TRUE(run.messages.empty());
}

TEST(ResponseParser, EofBeforeAnythingOrMidBodyIsAnError) {
  ResponseParser empty;
  EXPECT_EQ(empty.finish_on_eof(), ParseStatus::error);
  ResponseParser partial;
  std::size_t consumed = 0;
  EXPECT_EQ(partial.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", consumed),
            ParseStatus::need_more);
  EXPECT_EQ(partial.finish_on_eof(), ParseStatus::error);
}

TEST(Serialize, ResponseHasLengthAndConnectionClose) {
  Response r = json_response(201, "{}");
  r.keep_alive = false;
  r.headers.emplace_back("Content-Length", "999");  // ignored: framing comes from the body
  EXPECT_EQ(serialize(r),
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: 2\r\n\r\n{}");
  Response none;
  none.status = 204;
  none.body = "dropped";
  EXPECT_EQ(serialize(none), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(Serialize, RequestSetsHostAndLength) {
  Request get;
  get.method = "GET";
  get.target = "/x?y=1";
  EXPECT_EQ(serialize(get, "example.test:8080"),
            "GET /x?y=1 HTTP/1.1\r\nHost: example.test:8080\r\n\r\n");
  Request post;
  post.method = "POST";
  post.target = "/";
  post.headers.emplace_back("host", "given");
  EXPECT_EQ(serialize(post, "ignored"), "POST / HTTP/1.1\r\nHost: given\r\nContent-Length: 0\r\n\r\n");
}

TEST(Serialize, HeaderValuesCannotInjectHeaders) {
  Response r;
  r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=1");
  r.headers.emplace_back("Bad Name", "v");
  const auto run = feed_responses({serialize(r)});
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_FALSE(run.messages[0].header("Set-Cookie"));
  EXPECT_FALSE(run.messages[0].header("Bad Name"));
  EXPECT_EQ(run.messages[0].header("X-Evil"), "a  Set-Cookie: x=1");
}

// ---------------------------------------------------------------------------------------------
// Properties

rc::Gen<std::string> token(std::size_t max_len) {
  static const std::string kChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
  return rc::gen::suchThat(
      rc::gen::container<std::string>(rc::gen::elementOf(kChars)),
      [max_len](const std::string& s) { return !s.empty() && s.size() <= max_len; });
}

rc::Gen<std::string> target() {
  static const std::string kChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?=&%+!$'()*,;:@";
  return rc::gen::map(rc::gen::container<std::string>(rc::gen::elementOf(kChars)),
                      [](std::string s) { return "/" + s; });
}

rc::Gen<std::string> header_value() {
  // Visible ASCII and obs-text, with inner spaces; no leading or trailing whitespace (a parser
  // trims it).
  return rc::gen::map(rc::gen::container<std::string>(rc::gen::oneOf(
                          rc::gen::inRange<char>(0x21, 0x7F), rc::gen::just(' '),
                          rc::gen::map(rc::gen::inRange<int>(0x80, 0x100),
                                       [](int c) { return static_cast<char>(c); }))),
                      [](std::string s) {
                        while (!s.empty() && s.back() == ' ') s.pop_back();
                        while (!s.empty() && s.front() == ' ') s.erase(0, 1);
                        return s;
                      });
}

bool is_framing(std::string_view name) {
  for (std::string_view f : {"host", "content-length", "transfer-encoding", "connection"}) {
    if (find_header(Headers{{std::string(name), ""}}, f)) return true;
  }
  return false;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The parser groups fields of the same name (case-insensitively) at the first one's place; the
// order that matters (among fields of one name) is kept. Compare in that light.
Headers without_framing(const Headers& headers) {
  Headers out;
  for (const auto& h : headers) {
    if (!is_framing(h.first)) out.push_back(h);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return lower(a.first) < lower(b.first); });
  return out;
}

// Cuts `wire` at arbitrary points.
std::vector<std::string> split(const std::string& wire, const std::vector<std::size_t>& cuts) {
  std::vector<std::string> pieces;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    const std::size_t len = wire.empty() ? 0 : cut % (wire.size() - at + 1);
    pieces.push_back(wire.substr(at, len));
    at += len;
  }
  pieces.push_back(wire.substr(at));
  return pieces;
}

RC_GTEST_PROP(CodecProperty, RequestRoundTrips, ()) {
  Request in;
  in.method = *token(12);
  in.target = *target();
  const auto names = *rc::gen::container<std::vector<std::string>>(token(20));
  for (const auto& name : names) in.headers.emplace_back(name, *header_value());
  in.body = *rc::gen::arbitrary<std::string>();
  in.keep_alive = *rc::gen::arbitrary<bool>();
  const auto cuts = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 64));

  const std::string wire = serialize(in, "example.test");
  const auto run = feed_requests(split(wire, cuts));
  RC_ASSERT(run.status == ParseStatus::need_more);
  RC_ASSERT(run.messages.size() == 1u);
  const Request& out = run.messages[0];
  RC_ASSERT(out.method == in.method);
  RC_ASSERT(out.target == in.target);
  RC_ASSERT(out.body == in.body);
  RC_ASSERT(out.keep_alive == in.keep_alive);
  RC_ASSERT(out.header("host") == std::optional<std::string_view>("example.test"));
  RC_ASSERT(without_framing(out.headers) == without_framing(in.headers));
}

RC_GTEST_PROP(CodecProperty, ResponseRoundTrips, ()) {
  Response in;
  in.status = *rc::gen::inRange(200, 600);
  const auto names = *rc::gen::container<std::vector<std::string>>(token(20));
  for (const auto& name : names) in.headers.emplace_back(name, *header_value());
  const bool bodiless = in.status == 204 || in.status == 304;
  in.body = bodiless ? std::string() : *rc::gen::arbitrary<std::string>();
  in.keep_alive = *rc::gen::arbitrary<bool>();
  const auto cuts = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 64));

  const auto run = feed_responses(split(serialize(in), cuts));
  RC_ASSERT(run.messages.size() == 1u);
  const Response& out = run.messages[0];
  RC_ASSERT(out.status == in.status);
  RC_ASSERT(out.body == in.body);
  RC_ASSERT(out.keep_alive == in.keep_alive);
  RC_ASSERT(without_framing(out.headers) == without_framing(in.headers));
}

RC_GTEST_PROP(CodecProperty, ArbitraryBytesNeverCrashOrOverrunTheBuffer, ()) {
  ParseLimits limits;
  limits.header_bytes = *rc::gen::inRange<std::size_t>(16, 2048);
  limits.body_bytes = *rc::gen::inRange<std::size_t>(0, 4096);
  // Half the time start with a valid-looking head so the body and chunk states are reached.
  std::string prefix = *rc::gen::element<std::string>(
      "", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\n", "GET / HTTP/1.1\r\n");
  auto pieces = *rc::gen::container<std::vector<std::string>>(rc::gen::arbitrary<std::string>());
  pieces.insert(pieces.begin(), prefix);
  const auto run = feed_requests(pieces, limits);
  // Whatever the bytes, what stays unparsed is bounded by the header limit plus one read.
  std::size_t largest_piece = 0;
  for (const auto& p : pieces) largest_piece = std::max(largest_piece, p.size());
  RC_ASSERT(run.max_pending <= limits.header_bytes + largest_piece);
  for (const auto& m : run.messages) RC_ASSERT(m.body.size() <= limits.body_bytes);

  const auto responses = feed_responses(pieces, limits);
  for (const auto& m : responses.messages) RC_ASSERT(m.body.size() <= limits.body_bytes);
}

// ---------------------------------------------------------------------------------------------
// Message helpers

TEST(Message, QueryParamDecodes) {
  Request r;
  r.target = "/p?a=1&name=Jo%C3%A3o+Silva&flag&empty=&a=2&x%5Fy=z#frag";
  EXPECT_EQ(r.path(), "/p");
  EXPECT_EQ(r.query_param("a"), "1");
  EXPECT_EQ(r.query_param("name"), "Jo\xC3\xA3o Silva");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("x_y"), "z");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
  r.target = "/nothing";
  EXPECT_EQ(r.query_param("a"), std::nullopt);
  EXPECT_EQ(r.path(), "/nothing");
}

TEST(Message, PercentDecodeKeepsPlusAndBadEscapes) {
  EXPECT_EQ(percent_decode("a+b%20c"), "a+b c");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(percent_decode("%41%62"), "Ab");
}

TEST(Message, SetReplacesCaseInsensitively) {
  Response r;
  r.headers = {{"X-A", "1"}, {"x-a", "2"}, {"Other", "o"}};
  r.set("X-a", "3");
  EXPECT_EQ(r.headers, (Headers{{"X-A", "3"}, {"Other", "o"}}));
  r.set("New", "n");
  EXPECT_EQ(r.header("new"), "n");
}

TEST(Message, ProblemResponseIsEscapedJson) {
  const Response r =
      problem_response(422, "invalid-phone", "Invalid \"phone\"", "line\nbreak\\ and \x01 ctl");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r.body,
            "{\"type\":\"https://disparo.dev/problems/invalid-phone\",\"title\":\"Invalid "
            "\\\"phone\\\"\",\"status\":422,\"detail\":\"line\\nbreak\\\\ and \\u0001 ctl\"}");
}

TEST(Message, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(299), "Success");
  EXPECT_EQ(reason_phrase(599), "Server Error");
}

}  // namespace
}  // namespace disparo::http
