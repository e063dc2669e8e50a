// Helpers shared by the money routes (payments, dashboard, settings, exports, Asaas): the role
// guard, query-string reading with field errors, and value checks (RFC 3339 times, ISO dates).
//
// guard() is a coroutine for the admin loop thread; everything else is pure (any thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "admin/api_context.hpp"
#include "admin/problem.hpp"
#include "admin/roles.hpp"

namespace disparo::admin::money {

// Authenticates the tenant key and checks `action` against the role matrix (admin/roles.hpp).
// When !caller, `denied` is the 401/403/503 answer.
struct Guarded {
  std::optional<Caller> caller;
  Response denied;
};
boost::asio::awaitable<Guarded> guard(ApiContext& ctx, const Request& request, Action action);

// True when the Content-Type is application/json (parameters allowed).
bool is_json_request(const Request& request);

// The decoded query parameters of a target ("a=1&b=x%20y"), in order. '+' means space.
class Query {
 public:
  explicit Query(std::string_view target);

  // nullopt when absent; the last value when repeated.
  std::optional<std::string> get(std::string_view name) const;
  // Names present that are not in `known`, each recorded as "is not a known parameter".
  void reject_unknown(std::initializer_list<std::string_view> known);

  // Typed readers: record a FieldError (field = the parameter name) when present but invalid.
  std::optional<std::int64_t> positive_id(std::string_view name);
  std::optional<bool> boolean(std::string_view name);
  std::optional<std::string> one_of(std::string_view name, std::initializer_list<std::string_view> allowed);
  std::optional<std::string> date(std::string_view name);  // YYYY-MM-DD
  std::optional<std::int64_t> integer_in(std::string_view name, std::int64_t min, std::int64_t max);

  std::vector<FieldError>& errors() { return errors_; }
  bool ok() const { return errors_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<FieldError> errors_;
};

// Percent-decoding of a URL component; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// "2026-11-22T21:00:00Z", "2026-11-22T18:00:00.5-03:00" (RFC 3339 date-time with an offset).
bool is_rfc3339(std::string_view text);
// "2026-11-22", a real calendar date.
bool is_iso_date(std::string_view text);

// A positive decimal id ("42"); nullopt for anything else (leading zeros, signs, overflow).
std::optional<std::int64_t> parse_id(std::string_view text);

// Answers 201/200 with a JSON body.
Response json_response(http::status status, const boost::json::value& body);

}  // namespace disparo::admin::money
