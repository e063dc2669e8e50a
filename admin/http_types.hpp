// The HTTP message types of the admin service and small response builders.
//
// Pure values; any thread (a BodySource is pulled by the HttpServer on its loop thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/expected.hpp"

namespace disparo::admin {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;

// A body produced piece by piece after the head has been sent (exports of any size): the
// HttpServer pulls next() on its loop thread and writes each piece before asking for the next,
// so only one piece is in memory at a time. next() may offload blocking work (with_db).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The next piece; an empty string ends the body. An error cannot change the status any more
  // (the head is gone): the server closes the connection without ending the body, so the
  // client sees a truncated message rather than a complete wrong one.
  virtual boost::asio::awaitable<Expected<std::string>> next() = 0;
  // The whole body's size when known up front (sent as Content-Length), else nullopt (sent with
  // chunked transfer encoding).
  virtual std::optional<std::uint64_t> size() const { return std::nullopt; }
};

// A response: a Beast message with a string body, or, when `stream` is set, with its body taken
// from the stream instead (body() is then ignored and Content-Length is set by the server).
struct Response : http::response<http::string_body> {
  using Message = http::response<http::string_body>;
  using Message::Message;
  Response() = default;
  Response(Message message) : Message(std::move(message)) {}  // NOLINT: implicit on purpose
  std::shared_ptr<BodySource> stream;
};

// A response with `body` and the given content type; Content-Length is set.
Response make_response(http::status status, std::string body, std::string_view content_type);
inline Response make_json(http::status status, std::string body) {
  return make_response(status, std::move(body), "application/json");
}

}  // namespace disparo::admin
