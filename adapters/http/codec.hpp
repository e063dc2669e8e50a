// HTTP/1.1 codec: bytes <-> Request/Response, built on Beast's buffer-oriented parser.
//
// This is the only place that includes Beast on the dispatcher side; codec.cpp never includes
// <asio.hpp> (DESIGN.md: Beast runs on Boost.Asio, the dispatcher on standalone Asio, and the
// two may not share a translation unit). Parsers enforce header and body size limits.
// A parser is used by one coroutine at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/http/message.hpp"

namespace disparo::http {

struct ParseLimits {
  std::size_t header_bytes = 16 * 1024;
  std::size_t body_bytes = 8 * 1024 * 1024;
};

enum class ParseStatus {
  need_more,     // feed more bytes
  done,          // a whole message is ready: take() it
  error,         // malformed; error_message() says why
  too_large,     // a header or the body exceeds its limit
};

class RequestParser {
 public:
  explicit RequestParser(ParseLimits limits = {});
  ~RequestParser();
  RequestParser(RequestParser&&) noexcept;
  RequestParser& operator=(RequestParser&&) noexcept;

  // Consumes bytes from `data`; `consumed` says how many were used (the rest belong to the next
  // message on a keep-alive connection and must be fed again after take()).
  ParseStatus feed(std::string_view data, std::size_t& consumed);
  // Takes the parsed message and resets the parser for the next one. Headers keep their order,
  // except that fields of one name (case-insensitive) are grouped where the first one stood.
  Request take();
  const std::string& error_message() const;
  // True while the header of the current request is parsed, its body is incomplete and it asks
  // "Expect: 100-continue": the server answers "100 Continue" so the client sends the body
  // (curl and PHP wait a second for it on every POST over 1 KiB).
  bool expects_continue() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ResponseParser {
 public:
  explicit ResponseParser(ParseLimits limits = {});
  ~ResponseParser();
  ResponseParser(ResponseParser&&) noexcept;
  ResponseParser& operator=(ResponseParser&&) noexcept;

  // For a response to HEAD, call expect_no_body() before feeding.
  void expect_no_body();
  ParseStatus feed(std::string_view data, std::size_t& consumed);
  // At EOF: a response delimited by connection close is complete now.
  ParseStatus finish_on_eof();
  Response take();
  const std::string& error_message() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serializes as HTTP/1.1 with Content-Length (1xx, 204 and 304 carry no body: none is sent); Date
// is not added. Content-Length, Transfer-Encoding and Connection headers set by the caller are
// replaced: framing comes from the body, and `keep_alive == false` writes "Connection: close".
// CR, LF and NUL in header values become spaces and headers with an invalid name are dropped, so
// a value cannot smuggle a header or a second message. `host` fills the Host header of requests
// unless the request carries one.
std::string serialize(const Response& response);
std::string serialize(const Request& request, std::string_view host);
// Appends to `out` (the server reuses one buffer per connection and batches pipelined answers).
void append_serialized(std::string& out, const Response& response);
void append_serialized(std::string& out, const Request& request, std::string_view host);

}  // namespace disparo::http
