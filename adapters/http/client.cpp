// HTTP/1.1 client: one exchange per send(), over a reused idle keep-alive connection or a new one.
//
// Deadlines are a timer per connection whose handler closes the socket; a generation number
// makes a handler that was already queued when the operation finished a no-op, so a connection
// going back to the idle pool is never closed by a stale deadline.
#include "adapters/http/client.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <tuple>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#if defined(BOOST_ASIO_VERSION)
#error "standalone Asio side: Boost.Asio must not be included here"
#endif

namespace disparo::http {
namespace {

using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadBuffer = 16 * 1024;

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

using TlsStream = asio::ssl::stream<tcp::socket&>;

struct Connection {
  explicit Connection(asio::io_context& io) : socket(io), resolver(io), timer(io) {
    buffer.resize(kReadBuffer);
  }

  // Starts the deadline for the next operation(s).
  void arm(std::chrono::milliseconds timeout, const std::shared_ptr<Connection>& self) {
    timed_out = false;
    const std::uint64_t armed = ++generation;
    timer.expires_after(timeout);
    timer.async_wait([self, armed](const std::error_code& ec) {
      if (ec || self->generation != armed) return;
      self->timed_out = true;
      self->resolver.cancel();
      std::error_code ignored;
      self->socket.close(ignored);
    });
  }
  void disarm() {
    ++generation;
    timer.cancel();
  }
  void close() {
    disarm();
    std::error_code ignored;
    socket.close(ignored);
  }

  // An idle connection that the server closed meanwhile reads as EOF (or a reset) right away;
  // a live one has nothing to read. Peeking without blocking tells them apart cheaply.
  bool looks_alive() {
    if (!socket.is_open()) return false;
    std::error_code ec;
    socket.non_blocking(true, ec);
    if (ec) return false;
    char byte = 0;
    const std::size_t n = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
    const bool nothing_to_read = ec == asio::error::would_block || ec == asio::error::try_again;
    std::error_code restore;
    socket.non_blocking(false, restore);
    return n == 0 && nothing_to_read && !restore;
  }

  tcp::socket socket;
  std::unique_ptr<TlsStream> tls;  // set for https, over `socket`
  tcp::resolver resolver;
  asio::steady_timer timer;
  std::uint64_t generation = 0;
  bool timed_out = false;
  std::vector<char> buffer;  // reused by every exchange on this connection
};

using ConnectionPtr = std::shared_ptr<Connection>;

// The outcome of one request/response exchange on one connection.
struct Exchange {
  std::optional<Response> response;
  bool reusable = false;   // the connection may carry another request
  ClientError error{};
  bool stale = false;      // failed before any response byte without a timeout: try a fresh one
};

}  // namespace

namespace client_detail {

struct ClientCore {
  ClientCore(asio::io_context& io_context, ClientOptions opts)
      : io(io_context), options(std::move(opts)), tls(asio::ssl::context::tls_client) {
    // TLS 1.2 or newer; the system's CAs plus the configured file. A CA file that cannot be
    // read makes every https exchange fail with that reason (reported at the first send).
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    std::error_code ec;
    tls.set_default_verify_paths(ec);
    if (!options.ca_file.empty()) {
      tls.load_verify_file(options.ca_file, ec);
      if (ec) tls_error = "CA file " + options.ca_file + ": " + ec.message();
    }
  }

  ConnectionPtr take_idle(const std::string& key) {
    auto it = idle.find(key);
    while (it != idle.end() && !it->second.empty()) {
      ConnectionPtr c = std::move(it->second.back());
      it->second.pop_back();
      if (c->looks_alive()) return c;
      c->close();
    }
    return nullptr;
  }

  void give_back(const std::string& key, ConnectionPtr c) {
    auto& list = idle[key];
    if (list.size() >= options.max_idle_per_host) {
      c->close();
      return;
    }
    list.push_back(std::move(c));
  }

  asio::io_context& io;
  ClientOptions options;
  asio::ssl::context tls;
  std::string tls_error;  // set when the configured CA file could not be loaded
  std::map<std::string, std::vector<ConnectionPtr>> idle;  // "host:port" -> idle connections
};

}  // namespace client_detail

struct Client::State : client_detail::ClientCore {
  using ClientCore::ClientCore;
};

namespace {

using CorePtr = std::shared_ptr<client_detail::ClientCore>;

ClientError failure(ErrorKind kind, std::string message, Delivery delivery) {
  return ClientError{make_error(kind, std::move(message)), delivery};
}

// TLS client handshake on a connected socket (under the connect deadline already armed): SNI,
// then the peer's chain against the trusted CAs and its name against the URL's host.
asio::awaitable<std::optional<ClientError>> handshake(const CorePtr& core, const ConnectionPtr& c, const Url& url) {
  if (!core->tls_error.empty()) {
    c->close();
    co_return failure(ErrorKind::unavailable, "tls: " + core->tls_error, Delivery::not_sent);
  }
  c->tls = std::make_unique<TlsStream>(c->socket, core->tls);
  std::error_code ec;
  if (core->options.verify_peer) {
    c->tls->set_verify_mode(asio::ssl::verify_peer, ec);
    c->tls->set_verify_callback(asio::ssl::host_name_verification(url.host), ec);
  } else {
    c->tls->set_verify_mode(asio::ssl::verify_none, ec);
  }
  std::error_code literal;
  asio::ip::make_address(url.host, literal);
  if (literal) {  // SNI carries names only, never addresses (RFC 6066)
    // The C API's macro casts away const; the name is copied by OpenSSL.
    SSL_set_tlsext_host_name(c->tls->native_handle(), const_cast<char*>(url.host.c_str()));
  }
  auto [hec] = co_await c->tls->async_handshake(asio::ssl::stream_base::client, use_nothrow);
  if (!hec) co_return std::nullopt;
  const bool timed_out = c->timed_out;
  c->close();
  co_return failure(timed_out ? ErrorKind::timeout : ErrorKind::unavailable,
                    "tls handshake with " + url.host + ": " + (timed_out ? std::string("timed out") : hec.message()),
                    Delivery::not_sent);
}

// Resolves (skipped for a literal address) and connects, all under connect_timeout.
asio::awaitable<std::optional<ClientError>> connect(const CorePtr& core, const ConnectionPtr& c,
                                                    const Url& url) {
  c->arm(core->options.connect_timeout, c);
  std::vector<tcp::endpoint> endpoints;
  std::error_code ec;
  const auto address = asio::ip::make_address(url.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, url.port);
  } else {
    auto [rec, results] =
        co_await c->resolver.async_resolve(url.host, std::to_string(url.port), use_nothrow);
    if (rec) {
      const bool timed_out = c->timed_out;
      c->close();
      co_return failure(timed_out ? ErrorKind::timeout : ErrorKind::unavailable,
                        "resolve " + url.host + ": " + rec.message(), Delivery::not_sent);
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  std::error_code last = asio::error::host_not_found;
  for (const auto& endpoint : endpoints) {
    if (c->timed_out) break;
    std::error_code ignored;
    c->socket.close(ignored);
    auto [cec] = co_await c->socket.async_connect(endpoint, use_nothrow);
    if (!cec) {
      c->socket.set_option(tcp::no_delay(true), ignored);
      if (url.scheme == "https") {
        if (auto error = co_await handshake(core, c, url)) co_return error;
      }
      c->disarm();
      co_return std::nullopt;
    }
    last = cec;
  }
  const bool timed_out = c->timed_out;
  c->close();
  co_return failure(timed_out ? ErrorKind::timeout : ErrorKind::unavailable,
                    "connect " + url.host + ":" + std::to_string(url.port) + ": " +
                        (timed_out ? std::string("timed out") : last.message()),
                    Delivery::not_sent);
}

// Methods that mean the same when repeated (RFC 9110 9.2.2).
bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// Writes `wire` and reads one final response, all under request_timeout.
asio::awaitable<Exchange> exchange(const CorePtr& core, const ConnectionPtr& c,
                                   std::string_view wire, bool head, bool reused) {
  Exchange result;
  c->arm(core->options.request_timeout, c);
  std::error_code wec;
  std::size_t written = 0;
  if (c->tls) {
    std::tie(wec, written) = co_await asio::async_write(*c->tls, asio::buffer(wire), use_nothrow);
  } else {
    std::tie(wec, written) = co_await asio::async_write(c->socket, asio::buffer(wire), use_nothrow);
  }
  if (wec) {
    const bool timed_out = c->timed_out;
    c->close();
    const Delivery delivery = written > 0 ? Delivery::maybe_sent : Delivery::not_sent;
    result.error = failure(timed_out ? ErrorKind::timeout : ErrorKind::unavailable,
                           "write: " + (timed_out ? std::string("timed out") : wec.message()),
                           delivery);
    result.stale = reused && !timed_out;
    co_return result;
  }

  ResponseParser parser(core->options.limits);
  if (head) parser.expect_no_body();
  std::size_t begin = 0;
  std::size_t end = 0;
  bool got_bytes = false;
  auto fail = [&](ErrorKind kind, std::string message) {
    const bool timed_out = c->timed_out;
    c->close();
    result.error = failure(timed_out ? ErrorKind::timeout : kind,
                           timed_out ? std::string("response timed out") : std::move(message),
                           Delivery::maybe_sent);
    result.stale = reused && !got_bytes && !timed_out;
  };
  for (;;) {
    while (begin != end) {
      std::size_t consumed = 0;
      const ParseStatus status =
          parser.feed(std::string_view(c->buffer.data() + begin, end - begin), consumed);
      begin += consumed;
      if (status == ParseStatus::need_more) break;
      if (status != ParseStatus::done) {
        fail(ErrorKind::internal, "bad response: " + parser.error_message());
        co_return result;
      }
      Response response = parser.take();
      if (response.status >= 100 && response.status < 200 && response.status != 101) {
        if (head) parser.expect_no_body();
        continue;  // an interim answer (100 Continue): the final one follows
      }
      c->disarm();
      // Bytes after the answer would be a protocol error; do not reuse such a connection.
      result.reusable = response.keep_alive && begin == end && c->socket.is_open();
      result.response = std::move(response);
      co_return result;
    }
    if (begin == end) begin = end = 0;
    if (end == c->buffer.size()) {
      if (begin > 0) {
        std::memmove(c->buffer.data(), c->buffer.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      } else {
        c->buffer.resize(c->buffer.size() * 2);  // bounded by the parser's header limit
      }
    }
    const auto space = asio::buffer(c->buffer.data() + end, c->buffer.size() - end);
    std::error_code rec;
    std::size_t n = 0;
    if (c->tls) {
      std::tie(rec, n) = co_await c->tls->async_read_some(space, use_nothrow);
    } else {
      std::tie(rec, n) = co_await c->socket.async_read_some(space, use_nothrow);
    }
    if (n > 0) {
      got_bytes = true;
      end += n;
      continue;
    }
    // A TLS peer that closes without close_notify reads as stream_truncated: an EOF too.
    if ((rec == asio::error::eof || rec == asio::ssl::error::stream_truncated) && !c->timed_out) {
      const ParseStatus status = parser.finish_on_eof();
      if (status == ParseStatus::done) {
        c->disarm();
        result.response = parser.take();
        result.response->keep_alive = false;
        c->close();
        co_return result;
      }
      fail(got_bytes ? ErrorKind::internal : ErrorKind::unavailable,
           got_bytes ? "bad response: " + parser.error_message()
                     : std::string("connection closed before a response"));
      co_return result;
    }
    fail(ErrorKind::unavailable, "read: " + rec.message());
    co_return result;
  }
}

std::string host_header(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.scheme == "https" ? 443 : 80)) host += ":" + std::to_string(url.port);
  return host;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  if (iequals_prefix(text, "http://")) {
    url.scheme = "http";
    url.port = 80;
    text.remove_prefix(7);
  } else if (iequals_prefix(text, "https://")) {
    url.scheme = "https";
    url.port = 443;
    text.remove_prefix(8);
  } else {
    return std::nullopt;
  }
  if (const auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
  const auto authority_end = text.find_first_of("/?");
  std::string_view authority = text.substr(0, authority_end);
  std::string_view rest =
      authority_end == std::string_view::npos ? std::string_view{} : text.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

  std::string_view host;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '/' || c == '\\' || c == '[' || c == ']') return std::nullopt;
  }
  if (!port.empty()) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    url.port = static_cast<unsigned short>(value);
  }
  url.host = std::string(host);
  for (const char c : rest) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return std::nullopt;
  }
  if (rest.empty()) {
    url.target = "/";
  } else if (rest.front() == '?') {
    url.target = "/" + std::string(rest);
  } else {
    url.target = std::string(rest);
  }
  return url;
}

Client::Client(asio::io_context& io, ClientOptions options)
    : state_(std::make_shared<State>(io, std::move(options))) {}

Client::~Client() { close_idle(); }

asio::awaitable<std::variant<Response, ClientError>> Client::send(const Url& url,
                                                                 Request request) {
  const CorePtr core = state_;  // outlives the Client if it is destroyed mid-exchange
  if (request.target.empty()) request.target = url.target;
  const bool head = request.method == "HEAD";
  const bool keep_alive = request.keep_alive;
  std::string wire;
  append_serialized(wire, request, host_header(url));
  const std::string key = url.scheme + "://" + url.host + ":" + std::to_string(url.port);

  if (ConnectionPtr c = core->take_idle(key)) {
    Exchange result = co_await exchange(core, c, wire, head, true);
    if (result.response) {
      if (result.reusable && keep_alive) {
        core->give_back(key, std::move(c));
      } else {
        c->close();
      }
      co_return std::move(*result.response);
    }
    // The server may have closed the idle connection as we sent: retry once on a fresh one, but
    // only when that cannot do the request twice (RFC 9110 9.2.2): an idempotent method, or a
    // request that provably never left. A POST that was written and then met a hang-up may have
    // been processed (a WhatsApp send!): the caller gets maybe_sent and decides.
    const bool safe_to_repeat =
        idempotent(request.method) || result.error.delivery == Delivery::not_sent;
    if (!result.stale || !safe_to_repeat) co_return std::move(result.error);
  }

  auto c = std::make_shared<Connection>(core->io);
  if (auto error = co_await connect(core, c, url)) co_return std::move(*error);
  Exchange result = co_await exchange(core, c, wire, head, false);
  if (!result.response) co_return std::move(result.error);
  if (result.reusable && keep_alive) {
    core->give_back(key, std::move(c));
  } else {
    c->close();
  }
  co_return std::move(*result.response);
}

void Client::close_idle() {
  for (auto& [key, list] : state_->idle) {
    for (auto& c : list) c->close();
  }
  state_->idle.clear();
}

}  // namespace disparo::http
