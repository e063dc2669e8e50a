#include "loadtest/bench_support/http_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace disparo::bench {
namespace {

Error io_error(std::string_view what) {
  return make_error(ErrorKind::unavailable, std::string(what) + ": " + std::strerror(errno));
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::pair<std::string, unsigned short> host_port(std::string_view url) {
  if (url.starts_with("http://")) url.remove_prefix(7);
  if (auto slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  const auto colon = url.rfind(':');
  if (colon == std::string_view::npos) return {std::string(url), 80};
  unsigned port = 0;
  auto [end, ec] = std::from_chars(url.data() + colon + 1, url.data() + url.size(), port);
  if (ec != std::errc() || end != url.data() + url.size() || port == 0 || port > 65535) {
    throw std::invalid_argument("bad port in URL: " + std::string(url));
  }
  return {std::string(url.substr(0, colon)), static_cast<unsigned short>(port)};
}

HttpConnection::HttpConnection(std::string host, unsigned short port, int io_timeout_s)
    : host_(std::move(host)), port_(port), io_timeout_s_(io_timeout_s) {}

HttpConnection::~HttpConnection() { close(); }

void HttpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Expected<void> HttpConnection::connect() {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return io_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    close();
    return make_error(ErrorKind::invalid_argument, "not an IPv4 address: " + host_);
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    auto error = io_error("connect " + host_ + ":" + std::to_string(port_));
    close();
    return error;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Every exchange is bounded: a server that stops answering fails the request, never the run.
  timeval limit{};
  limit.tv_sec = io_timeout_s_;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  return {};
}

Expected<void> HttpConnection::fill() {
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return {};
    }
    if (n == 0) return make_error(ErrorKind::unavailable, "connection closed by the server");
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return make_error(ErrorKind::timeout, "no answer within " + std::to_string(io_timeout_s_) + " s");
    }
    if (errno != EINTR) return io_error("recv");
  }
}

Expected<HttpResponse> HttpConnection::request(std::string_view method, std::string_view target,
                                               std::string_view body, const HeaderList& headers) {
  std::string head;
  head.reserve(256);
  head.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_);
  head.append(":").append(std::to_string(port_)).append("\r\n");
  for (const auto& [name, value] : headers) head.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    head.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  head.append("\r\n");
  const bool retryable = method == "GET" || method == "DELETE";
  const bool fresh = fd_ < 0;
  auto result = exchange(head, body);
  if (!result && retryable && !fresh) result = exchange(head, body);  // idle connection closed
  return result;
}

Expected<HttpResponse> HttpConnection::exchange(const std::string& head, std::string_view body) {
  if (fd_ < 0) {
    if (auto connected = connect(); !connected) return connected.error();
  }
  buffer_.clear();
  // One sendmsg-like pair of writes; MSG_MORE keeps head and body in as few segments as possible.
  auto send_all = [this](std::string_view data, int flags) -> Expected<void> {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | flags);
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("send");
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  };
  if (auto sent = send_all(head, body.empty() ? 0 : MSG_MORE); !sent) {
    close();
    return sent.error();
  }
  if (auto sent = send_all(body, 0); !sent) {
    close();
    return sent.error();
  }

  std::size_t header_end = std::string::npos;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (auto more = fill(); !more) {
      close();
      return more.error();
    }
  }
  HttpResponse response;
  const std::string_view headers(buffer_.data(), header_end);
  // "HTTP/1.1 202 Accepted"
  if (headers.size() < 12 || !headers.starts_with("HTTP/1.")) {
    close();
    return make_error(ErrorKind::internal, "not an HTTP response");
  }
  std::from_chars(headers.data() + 9, headers.data() + 12, response.status);
  std::size_t content_length = 0;
  bool chunked = false, keep_alive = headers.starts_with("HTTP/1.1");
  std::size_t pos = headers.find("\r\n");
  while (pos != std::string_view::npos && pos < headers.size()) {
    const std::size_t next = headers.find("\r\n", pos + 2);
    const std::string_view line = headers.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    pos = next;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      std::from_chars(value.data(), value.data() + value.size(), content_length);
    } else if (iequals(name, "transfer-encoding")) {
      chunked = iequals(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (iequals(value, "close")) keep_alive = false;
      if (iequals(value, "keep-alive")) keep_alive = true;
    }
  }
  std::size_t at = header_end + 4;
  if (!chunked) {
    while (buffer_.size() < at + content_length) {
      if (auto more = fill(); !more) {
        close();
        return more.error();
      }
    }
    response.body.assign(buffer_, at, content_length);
  } else {
    for (;;) {
      std::size_t line_end;
      while ((line_end = buffer_.find("\r\n", at)) == std::string::npos) {
        if (auto more = fill(); !more) {
          close();
          return more.error();
        }
      }
      std::size_t size = 0;
      std::from_chars(buffer_.data() + at, buffer_.data() + line_end, size, 16);
      at = line_end + 2;
      while (buffer_.size() < at + size + 2) {
        if (auto more = fill(); !more) {
          close();
          return more.error();
        }
      }
      response.body.append(buffer_, at, size);
      at += size + 2;
      if (size == 0) break;  // no trailers expected from our servers
    }
  }
  buffer_.clear();
  if (!keep_alive) close();
  return response;
}

}  // namespace disparo::bench
