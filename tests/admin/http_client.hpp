// A small blocking HTTP/1.1 client for the admin's in-process tests: one request per
// connection, on its own io_context, under a deadline (throws std::runtime_error past it).
// Any test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace disparo::admin::test {

struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto found = headers.find(lower_name);
    return found == headers.end() ? std::string() : found->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

HttpReply http_call(std::uint16_t port, boost::beast::http::verb method, const std::string& target,
                    const std::string& body = {}, const Headers& headers = {},
                    std::chrono::milliseconds deadline = std::chrono::seconds(5));

// Sends `raw` bytes as they are and returns what the server answers before closing (for
// malformed and oversized requests).
std::string raw_call(std::uint16_t port, const std::string& raw,
                     std::chrono::milliseconds deadline = std::chrono::seconds(5));

}  // namespace disparo::admin::test
