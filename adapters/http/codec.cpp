// HTTP/1.1 codec on Beast's buffer-oriented parser. Never include <asio.hpp> or <asio/...> here:
// Beast pulls in Boost.Asio, and the two Asios may not meet in one translation unit.
#include "adapters/http/codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#if defined(ASIO_VERSION) || defined(ASIO_STANDALONE)
#error "codec.cpp is the Beast side: standalone Asio must not be included here"
#endif

namespace disparo::http {
namespace {

namespace bhttp = boost::beast::http;

// Beast keeps the header limit in 32 bits.
std::uint32_t header_limit_of(const ParseLimits& limits) {
  return static_cast<std::uint32_t>(
      std::min<std::size_t>(limits.header_bytes, std::numeric_limits<std::uint32_t>::max()));
}

ParseStatus classify(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit ||
      ec == bhttp::error::buffer_overflow) {
    return ParseStatus::too_large;
  }
  return ParseStatus::error;
}

// The shared feed logic of both parsers. Beast's put() parses as far as it can; with eager(true)
// it runs through header and body in one call. need_more with a partial consumption is normal
// (a complete start line, incomplete fields): the caller keeps the rest and appends to it.
template <class BeastParser>
ParseStatus feed_parser(BeastParser& parser, const ParseLimits& limits, std::string_view data,
                        std::size_t& consumed, std::string& error) {
  consumed = 0;
  if (data.empty()) return ParseStatus::need_more;
  boost::system::error_code ec;
  consumed = parser.put(boost::asio::const_buffer(data.data(), data.size()), ec);
  if (ec == bhttp::error::need_more) {
    // Beast bounds what it buffers while in the header; a chunk-size line is bounded here so a
    // peer cannot make the caller's buffer grow without limit.
    if (data.size() - consumed > limits.header_bytes) {
      error = "chunk header exceeds the header limit";
      return ParseStatus::too_large;
    }
    return ParseStatus::need_more;
  }
  if (ec) {
    error = ec.message();
    return classify(ec);
  }
  return parser.is_done() ? ParseStatus::done : ParseStatus::need_more;
}

template <class Message>
Headers headers_of(const Message& message) {
  Headers headers;
  for (const auto& field : message) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return headers;
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Framing headers come from the message itself, never from the caller's header list.
bool is_framing_header(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection");
}

void append_number(std::string& out, std::uint64_t value) {
  std::array<char, 24> digits{};
  const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), result.ptr);
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  // Leading and trailing whitespace would be trimmed by any parser; CR/LF/NUL would split the
  // header, so they become spaces.
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  for (const char c : value) out.push_back((c == '\r' || c == '\n' || c == '\0') ? ' ' : c);
  out += "\r\n";
}

void append_headers(std::string& out, const Headers& headers, std::string_view skip_too = {}) {
  for (const auto& [name, value] : headers) {
    if (!is_token(name) || is_framing_header(name)) continue;
    if (!skip_too.empty() && iequals(name, skip_too)) continue;
    append_header(out, name, value);
  }
}

// A request target may not contain whitespace or control characters; they are percent-encoded
// rather than let through to break the request line.
void append_target(std::string& out, std::string_view target) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  if (target.empty()) {
    out.push_back('/');
    return;
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
}

bool method_has_no_content(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "DELETE" || method == "OPTIONS" ||
         method == "TRACE" || method == "CONNECT";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RequestParser

struct RequestParser::Impl {
  ParseLimits limits;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  std::string error;
  std::optional<ParseStatus> failed;  // Beast parsers cannot continue after an error

  explicit Impl(ParseLimits l) : limits(l) { reset(); }
  void reset() {
    // A Beast parser serves one message; a fresh one is emplaced for the next.
    parser.emplace();
    parser->eager(true);
    parser->header_limit(header_limit_of(limits));
    parser->body_limit(static_cast<std::uint64_t>(limits.body_bytes));
    failed.reset();
  }
};

RequestParser::RequestParser(ParseLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
RequestParser::~RequestParser() = default;
RequestParser::RequestParser(RequestParser&&) noexcept = default;
RequestParser& RequestParser::operator=(RequestParser&&) noexcept = default;

ParseStatus RequestParser::feed(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  if (impl_->failed) return *impl_->failed;
  if (impl_->parser->is_done()) return ParseStatus::done;
  const ParseStatus status = feed_parser(*impl_->parser, impl_->limits, data, consumed, impl_->error);
  if (status == ParseStatus::error || status == ParseStatus::too_large) impl_->failed = status;
  return status;
}

Request RequestParser::take() {
  auto message = impl_->parser->release();
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.headers = headers_of(message);
  request.body = std::move(message.body());
  request.keep_alive = message.keep_alive();
  impl_->reset();
  return request;
}

const std::string& RequestParser::error_message() const { return impl_->error; }

bool RequestParser::expects_continue() const {
  const auto& parser = *impl_->parser;
  if (impl_->failed || !parser.is_header_done() || parser.is_done()) return false;
  const auto& header = parser.get();
  const auto it = header.find(bhttp::field::expect);
  return it != header.end() && iequals(it->value(), "100-continue");
}

// ---------------------------------------------------------------------------------------------
// ResponseParser

struct ResponseParser::Impl {
  ParseLimits limits;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  std::string error;
  std::optional<ParseStatus> failed;

  explicit Impl(ParseLimits l) : limits(l) { reset(); }
  void reset() {
    parser.emplace();
    parser->eager(true);
    parser->header_limit(header_limit_of(limits));
    parser->body_limit(static_cast<std::uint64_t>(limits.body_bytes));
    failed.reset();
  }
};

ResponseParser::ResponseParser(ParseLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
ResponseParser::~ResponseParser() = default;
ResponseParser::ResponseParser(ResponseParser&&) noexcept = default;
ResponseParser& ResponseParser::operator=(ResponseParser&&) noexcept = default;

void ResponseParser::expect_no_body() {
  if (!impl_->parser->got_some()) impl_->parser->skip(true);
}

ParseStatus ResponseParser::feed(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  if (impl_->failed) return *impl_->failed;
  auto& parser = *impl_->parser;
  if (parser.is_done()) return ParseStatus::done;
  ParseStatus status = feed_parser(parser, impl_->limits, data, consumed, impl_->error);
  // Beast takes any three digits; a status below 100 has no meaning in HTTP.
  if (status != ParseStatus::error && status != ParseStatus::too_large &&
      parser.is_header_done() && parser.get().result_int() < 100) {
    impl_->error = "invalid status code";
    status = ParseStatus::error;
  }
  if (status == ParseStatus::error || status == ParseStatus::too_large) impl_->failed = status;
  return status;
}

ParseStatus ResponseParser::finish_on_eof() {
  if (impl_->failed) return *impl_->failed;
  auto& parser = *impl_->parser;
  if (parser.is_done()) return ParseStatus::done;
  if (!parser.got_some()) {
    impl_->error = "connection closed before a response";
    impl_->failed = ParseStatus::error;
    return ParseStatus::error;
  }
  boost::system::error_code ec;
  parser.put_eof(ec);
  if (ec) {
    impl_->error = ec.message();
    impl_->failed = classify(ec);
    return *impl_->failed;
  }
  return parser.is_done() ? ParseStatus::done : ParseStatus::need_more;
}

Response ResponseParser::take() {
  auto message = impl_->parser->release();
  Response response;
  response.status = static_cast<int>(message.result_int());
  response.headers = headers_of(message);
  response.body = std::move(message.body());
  response.keep_alive = message.keep_alive();
  impl_->reset();
  return response;
}

const std::string& ResponseParser::error_message() const { return impl_->error; }

// ---------------------------------------------------------------------------------------------
// Serialization, by hand: a status line, the headers and Content-Length are all it takes, and
// it avoids building a Beast message (one allocation per field) for every response.

void append_serialized(std::string& out, const Response& response) {
  const int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
  const bool has_body = !(status < 200 || status == 204 || status == 304);
  out.reserve(out.size() + 128 + response.body.size() + response.headers.size() * 48);
  out += "HTTP/1.1 ";
  append_number(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out += reason_phrase(status);
  out += "\r\n";
  append_headers(out, response.headers);
  if (!response.keep_alive) out += "Connection: close\r\n";
  if (has_body) {
    out += "Content-Length: ";
    append_number(out, response.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  if (has_body) out += response.body;
}

void append_serialized(std::string& out, const Request& request, std::string_view host) {
  const std::string_view method = is_token(request.method) ? std::string_view(request.method)
                                                            : std::string_view("GET");
  out.reserve(out.size() + 128 + request.target.size() + request.body.size() +
              request.headers.size() * 48);
  out += method;
  out.push_back(' ');
  append_target(out, request.target);
  out += " HTTP/1.1\r\n";
  const auto given_host = find_header(request.headers, "host");
  append_header(out, "Host", given_host ? *given_host : host);
  append_headers(out, request.headers, "host");
  if (!request.keep_alive) out += "Connection: close\r\n";
  if (!request.body.empty() || !method_has_no_content(method)) {
    out += "Content-Length: ";
    append_number(out, request.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += request.body;
}

std::string serialize(const Response& response) {
  std::string out;
  append_serialized(out, response);
  return out;
}

std::string serialize(const Request& request, std::string_view host) {
  std::string out;
  append_serialized(out, request, host);
  return out;
}

}  // namespace disparo::http
