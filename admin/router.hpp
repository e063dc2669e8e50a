// Router: maps a request's method and path to a handler by path template ("/v1/tenants/{id}").
//
// Pure: no I/O, no event loop. Built once at start-up, then only read (match() is const), so it
// may be shared by any number of threads. The route template, not the raw path, is what metrics
// and logs name, so cardinality stays bounded.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "admin/http_types.hpp"

namespace disparo::admin {

// Values captured by "{name}" segments, in template order. Raw (not percent-decoded).
struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  // "" when absent.
  std::string_view get(std::string_view name) const;
};

// What a handler sees: the request, the matched template and its parameters.
struct RequestContext {
  const Request& request;
  std::string_view route;  // the template, e.g. "/v1/tenants/me"
  const PathParams& params;
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext)>;

struct RouteKey {
  std::string path_template;
  http::verb method;
};

class Router {
 public:
  enum class Outcome { found, method_not_allowed, not_found };

  struct Match {
    Outcome outcome = Outcome::not_found;
    const Handler* handler = nullptr;  // set when found
    std::string_view route;            // the template; set unless not_found
    PathParams params;
    std::string allow;                 // "GET, POST" when method_not_allowed
  };

  // Registers `handler` for `method` on `path_template` ("/a/{b}/c"). A template with the same
  // method twice, or a malformed template, is a bug: std::invalid_argument.
  void add(http::verb method, std::string path_template, Handler handler);

  // `target` is the request target; a query string is ignored. A literal segment wins over a
  // "{param}" at the same position, so "/v1/tenants/me" beats "/v1/tenants/{id}".
  Match match(http::verb method, std::string_view target) const;

  // Every (template, method) registered, in registration order (metrics create their series
  // from this list up front).
  std::vector<RouteKey> routes() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Entry {
    http::verb method;
    std::string path_template;
    std::vector<Segment> segments;
    Handler handler;
  };
  std::vector<Entry> entries_;
};

// "/v1/tenants?x=1" -> "/v1/tenants".
std::string_view path_of(std::string_view target);

}  // namespace disparo::admin
