#include "tests/support/http_call.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/http/codec.hpp"

namespace disparo::test {
namespace {

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

void wait_ready(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd p{fd, events, 0};
  if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
    throw std::runtime_error("http_call: timed out");
  }
}

}  // namespace

http::Response http_call(unsigned short port, http::Request request, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Socket socket;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("http_call: connect to port " + std::to_string(port) + ": " + std::strerror(errno));
  }
  request.keep_alive = false;
  const std::string wire = http::serialize(request, "127.0.0.1:" + std::to_string(port));
  std::size_t written = 0;
  while (written < wire.size()) {
    wait_ready(socket.fd(), POLLOUT, deadline);
    const auto n = ::send(socket.fd(), wire.data() + written, wire.size() - written, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error(std::string("http_call: send: ") + std::strerror(errno));
    written += static_cast<std::size_t>(n);
  }
  http::ResponseParser parser;
  if (request.method == "HEAD") parser.expect_no_body();
  std::string pending;
  char buffer[16384];
  for (;;) {
    wait_ready(socket.fd(), POLLIN, deadline);
    const auto n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
    if (n < 0) throw std::runtime_error(std::string("http_call: recv: ") + std::strerror(errno));
    if (n == 0) {
      if (parser.finish_on_eof() == http::ParseStatus::done) return parser.take();
      throw std::runtime_error("http_call: connection closed before a whole response");
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t consumed = 0;
    const auto status = parser.feed(pending, consumed);
    pending.erase(0, consumed);
    if (status == http::ParseStatus::done) return parser.take();
    if (status == http::ParseStatus::error || status == http::ParseStatus::too_large) {
      throw std::runtime_error("http_call: bad response: " + parser.error_message());
    }
  }
}

http::Response http_get(unsigned short port, std::string target, std::string bearer) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  return http_call(port, std::move(request));
}

http::Response http_post_json(unsigned short port, std::string target, std::string body, std::string bearer) {
  http::Request request;
  request.method = "POST";
  request.target = std::move(target);
  request.headers.emplace_back("Content-Type", "application/json");
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  request.body = std::move(body);
  return http_call(port, std::move(request));
}

}  // namespace disparo::test
