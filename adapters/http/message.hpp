// HTTP/1.1 messages as plain values, shared by the codec, server, client and pure handlers.
//
// No Asio and no Beast here: handlers are pure functions Request -> Response, tested without
// a socket (STYLE.md, rule 5). Header names compare case-insensitively.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace disparo::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup; nullopt when absent. Returns the first match.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // "/v1/messages?x=1" as received
  Headers headers;
  std::string body;
  bool keep_alive = true;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  std::string_view path() const;                                  // target without "?query"
  std::optional<std::string> query_param(std::string_view name) const;  // percent-decoded
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  bool keep_alive = true;
  // Fault injection (the provider simulator): the server closes the connection with a TCP reset
  // instead of writing this response.
  bool reset_connection = false;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  Response& set(std::string name, std::string value);  // replaces an existing header
};

// A JSON response with Content-Type application/json.
Response json_response(int status, std::string body);
// An RFC 9457 problem: {"type","title","status","detail"} with application/problem+json.
// `type` is a short slug turned into "https://disparo.dev/problems/<slug>".
Response problem_response(int status, std::string_view slug, std::string_view title,
                          std::string_view detail);

std::string_view reason_phrase(int status);
std::string percent_decode(std::string_view text);

}  // namespace disparo::http
