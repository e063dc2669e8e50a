// Plain HTTP message helpers: header lookup, target parsing, JSON and RFC 9457 responses.
#include "adapters/http/message.hpp"

#include <array>
#include <charconv>

#include "common/json_writer.hpp"

namespace disparo::http {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX; a malformed escape is kept as written (lenient, like most servers), and '+'
// becomes a space only in a query string (application/x-www-form-urlencoded).
std::string decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

// JSON string: the project's one escaper (invalid UTF-8 becomes U+FFFD, so a problem body is
// always valid JSON whatever the detail text holds).
void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_json_string_body(out, text);
  out.push_back('"');
}

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view Request::path() const {
  const std::string_view t(target);
  const auto q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  const std::string_view t(target);
  auto q = t.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = t.substr(q + 1);
  if (const auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    // Compare decoded keys: "a%5Fb" and "a_b" name the same parameter.
    if (decode(raw_key, true) != name) continue;
    if (eq == std::string_view::npos) return std::string{};
    return decode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

Response& Response::set(std::string name, std::string value) {
  bool replaced = false;
  for (auto it = headers.begin(); it != headers.end();) {
    if (iequals(it->first, name)) {
      if (!replaced) {
        it->second = std::move(value);
        replaced = true;
        ++it;
      } else {
        it = headers.erase(it);  // a repeated header collapses into the one value set
      }
    } else {
      ++it;
    }
  }
  if (!replaced) headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

Response problem_response(int status, std::string_view slug, std::string_view title,
                          std::string_view detail) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/problem+json");
  std::string& body = response.body;
  body.reserve(96 + slug.size() + title.size() + detail.size());
  body += "{\"type\":";
  std::string type = "https://disparo.dev/problems/";
  type += slug;
  append_json_string(body, type);
  body += ",\"title\":";
  append_json_string(body, title);
  body += ",\"status\":";
  std::array<char, 16> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), status);
  (void)ec;  // an int always fits in 16 chars
  body.append(digits.data(), end);
  body += ",\"detail\":";
  append_json_string(body, detail);
  body += '}';
  return response;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: break;
  }
  if (status >= 100 && status < 200) return "Informational";
  if (status >= 200 && status < 300) return "Success";
  if (status >= 300 && status < 400) return "Redirection";
  if (status >= 400 && status < 500) return "Client Error";
  return "Server Error";
}

std::string percent_decode(std::string_view text) { return decode(text, false); }

}  // namespace disparo::http
