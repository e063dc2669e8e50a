// HttpConnection: one blocking keep-alive HTTP/1.1 connection to a loopback server, for load
// generators that want one request in flight per connection and exact per-request timing.
//
// Plain POSIX sockets, no event loop: a benchmark thread owns one HttpConnection and uses it from
// that thread only. Each send/recv call is bounded (30 s unless told). Failures are values; a POST is never retried (it may have been acted on), a
// GET is retried once on a fresh connection when the server closed an idle one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/expected.hpp"

namespace disparo::bench {

struct HttpResponse {
  int status = 0;
  std::string body;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpConnection {
 public:
  // Each send/recv call waits at most `io_timeout_s` seconds.
  HttpConnection(std::string host, unsigned short port, int io_timeout_s = 30);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  Expected<HttpResponse> request(std::string_view method, std::string_view target,
                                 std::string_view body = {}, const HeaderList& headers = {});

 private:
  Expected<void> connect();
  void close();
  Expected<HttpResponse> exchange(const std::string& head, std::string_view body);
  Expected<void> fill();  // reads more bytes into buffer_

  std::string host_;
  unsigned short port_;
  int io_timeout_s_;
  int fd_ = -1;
  std::string buffer_;  // received bytes not consumed yet
};

// "http://127.0.0.1:8080" -> host and port (paths ignored); throws std::invalid_argument.
std::pair<std::string, unsigned short> host_port(std::string_view url);

}  // namespace disparo::bench
