// The HTTP message types of the admin service and small response builders.
//
// Pure values; any thread.
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

namespace disparo::admin {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A response with `body` and the given content type; Content-Length is set.
Response make_response(http::status status, std::string body, std::string_view content_type);
inline Response make_json(http::status status, std::string body) {
  return make_response(status, std::move(body), "application/json");
}

}  // namespace disparo::admin
