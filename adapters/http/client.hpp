// HTTP/1.1 client on standalone Asio with C++20 coroutines, over plain TCP or TLS (OpenSSL via
// asio::ssl; the peer's certificate and host name are verified unless told otherwise). Keeps idle
// keep-alive connections per scheme, host and port for reuse.
//
// Failures are values and say whether the request may have reached the server: a provider send
// that timed out after the request was written must not be retried blindly (issue 3). Use from
// the io_context's thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "adapters/http/codec.hpp"
#include "adapters/http/message.hpp"
#include "common/expected.hpp"

namespace disparo::http {

struct Url {
  std::string scheme;  // "http" | "https"
  std::string host;
  unsigned short port = 80;  // 443 by default for https
  std::string target;  // path and query, "/" at least
};
// Parses "http://host:port/path?q" and "https://..."; nullopt for anything else.
std::optional<Url> parse_url(std::string_view text);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds request_timeout{10'000};  // write + read of one exchange
  ParseLimits limits{};
  std::size_t max_idle_per_host = 16;
  // TLS: the system's trusted CAs, plus this PEM file when set (e.g. a local sandbox's CA).
  std::string ca_file = {};
  bool verify_peer = true;  // false only in tests of the failure itself: never in production
};

// Where a failed exchange stopped. `not_sent`: safe to retry; `maybe_sent`: the request was
// (partly) written, the server may have acted on it.
enum class Delivery { not_sent, maybe_sent };

struct ClientError {
  Error error;  // kind: unavailable (connect/reset), timeout, internal (bad response)
  Delivery delivery = Delivery::not_sent;
};

class Client {
 public:
  Client(asio::io_context& io, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` to url.host:url.port with request.target = url.target (set by the caller or
  // filled from url when empty). Returns the response or a ClientError. An idle connection is
  // reused when one is open; if it dies before any byte of the answer (the server closed it as
  // we sent), an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) or one that was never
  // written is sent once more on a fresh connection; a POST that was written gets maybe_sent.
  // gcc 12: pass a named Url, not a braced temporary inside the co_await expression (the
  // compiler destroys such a temporary twice).
  asio::awaitable<std::variant<Response, ClientError>> send(const Url& url, Request request);

  // Closes idle connections (shutdown).
  void close_idle();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace disparo::http
