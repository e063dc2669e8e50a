// http_call: one blocking HTTP/1.1 exchange with a server on 127.0.0.1, for tests.
//
// Built on the project's codec and a plain socket (no event loop), with a timeout; throws
// std::runtime_error on connection failures so a test fails with the reason. Any thread.
#pragma once

#include <chrono>
#include <string>

#include "adapters/http/message.hpp"

namespace disparo::test {

http::Response http_call(unsigned short port, http::Request request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Shorthands.
http::Response http_get(unsigned short port, std::string target, std::string bearer = {});
http::Response http_post_json(unsigned short port, std::string target, std::string body,
                              std::string bearer = {});

}  // namespace disparo::test
