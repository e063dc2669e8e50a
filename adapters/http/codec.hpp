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
  // Takes the parsed message and resets the parser for the next one.
  Request take();
  const std::string& error_message() const;

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

// Serializes with Content-Length, Date is not added. `host` fills the Host header of requests.
std::string serialize(const Response& response);
std::string serialize(const Request& request, std::string_view host);

}  // namespace disparo::http
