// What the catalog's resource routes share: authenticate + authorize in one step, path ids,
// JSON bodies, reading typed members with PATCH semantics (absent / null / value) while
// collecting every field error, query strings, and turning store failures into problems.
//
// authorize() is a coroutine on the loop thread; everything else is pure (any thread).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/api_context.hpp"
#include "admin/roles.hpp"
#include "admin/validation.hpp"

namespace disparo::admin {

// The caller, once authenticated and allowed to do the action; else the problem (401/403/503).
struct Authorized {
  std::optional<Caller> caller;
  Problem problem;
};
boost::asio::awaitable<Authorized> authorize(ApiContext& ctx, const Request& request, Action action);

// A positive decimal id from a path segment; nullopt for anything else (answer 404).
std::optional<std::int64_t> parse_id(std::string_view text);

// The request body as a JSON object, or the problem (415 without application/json, 400 when
// it is not a JSON object).
struct JsonBody {
  std::optional<boost::json::object> object;
  Problem problem;
};
JsonBody read_json_body(const Request& request);

// A member as read: absent, null, or a value.
template <class T>
struct In {
  bool present = false;
  std::optional<T> value;  // nullopt when absent, null, or invalid (then a field error exists)
  bool null = false;       // the member was JSON null (an explicit "clear")
  bool is_null() const { return null; }
};

// Reads members with validation; one FieldError per problem, all reported together.
class InputReader {
 public:
  explicit InputReader(const boost::json::object& object) : object_(object) {}

  // Text of 0..max_chars code points without control characters (newlines allowed when
  // `multiline`); `min_chars` 1 means "not blank".
  In<std::string> text(std::string_view key, std::size_t min_chars, std::size_t max_chars,
                       bool multiline = false);
  In<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  In<bool> boolean(std::string_view key);
  // One of `allowed`.
  In<std::string> one_of(std::string_view key, std::initializer_list<std::string_view> allowed);
  // A calendar date "YYYY-MM-DD" that exists.
  In<std::string> date(std::string_view key);
  // A local time "HH:MM" or "HH:MM:SS".
  In<std::string> time_of_day(std::string_view key);
  // An array of strings, each 1..max_chars.
  In<std::vector<std::string>> strings(std::string_view key, std::size_t max_items, std::size_t max_chars);

  // Records "is required" when the member is absent or null.
  template <class T>
  void required(std::string_view key, const In<T>& in) {
    if (!in.value && !has_error(key)) add_error(std::string(key), "is required");
  }
  // Records "must not be null" when the member is null (fields that may be omitted but not cleared).
  template <class T>
  void not_null(std::string_view key, const In<T>& in) {
    if (in.is_null()) add_error(std::string(key), "must not be null");
  }
  void reject_unknown();
  void add_error(std::string field, std::string message);
  bool has_error(std::string_view field) const;
  std::vector<FieldError>& errors() { return errors_; }
  bool ok() const { return errors_.empty(); }

 private:
  const boost::json::value* find(std::string_view key);  // marks seen; null when absent
  const boost::json::object& object_;
  std::vector<std::string> seen_;
  std::vector<FieldError> errors_;
};

// Number of Unicode code points in valid UTF-8 text.
std::size_t utf8_length(std::string_view text);
bool valid_date(std::string_view text);  // "YYYY-MM-DD", a real calendar day

// The decoded query parameters of a request target ("a=1&b=x%20y"), in order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
QueryParams parse_query(std::string_view target);

// Builds "col = $n, ..." for a partial UPDATE; the parameters continue `params`.
class SetClause {
 public:
  explicit SetClause(pg::Params& params) : params_(params) {}
  void add(std::string_view column, pg::Param value);
  void add_raw(std::string_view assignment);  // "updated_at = now()"
  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

 private:
  pg::Params& params_;
  std::string text_;
};

// Answers for failures of a store call: not_found -> 404, conflict -> 409 (with `conflict_detail`
// for unique violations), unavailable -> 503, the rest logged and 500/400.
Response failure_response(ApiContext& ctx, std::string_view event, const Error& error,
                          std::string_view conflict_detail = {});

// The store's way to say "this id is not yours or does not exist" (the route answers 404; never
// 403, so a caller cannot probe which ids exist in other tenants).
Error not_found_error(std::string_view what);

// A validation failure found by a store (a referenced id that is not the tenant's): 422 with
// one field error.
Error field_error(std::string_view field, std::string message);

// field_error unless `id` is null or a row of `table` ("plans", "servers", ...: a constant, never
// input) belonging to `tenant_id`.
Expected<void> check_owned(pg::Connection& conn, std::string_view table, std::int64_t tenant_id,
                           const In<std::int64_t>& id, std::string_view field);

// A JSON answer with `status`.
Response json_response(http::status status, const boost::json::value& body);

// Text of an optional param column: nullptr JSON when SQL NULL.
boost::json::value nullable_text(const pg::Rows& rows, int row, int col);
boost::json::value nullable_int(const pg::Rows& rows, int row, int col);

// Runs a store call `fn(pg::Connection&) -> Expected<boost::json::value>` off the loop and answers
// with its value (`ok`) or the failure (see failure_response). `fn` is taken by value and moved
// into a named local before the co_await (GCC 12, see offload.hpp).
template <class F>
boost::asio::awaitable<Response> answer_from_store(ApiContext& ctx, std::string_view event, F fn,
                                                   http::status ok = http::status::ok,
                                                   std::string_view conflict_detail = {}) {
  auto result = co_await with_db(ctx, std::move(fn));
  if (!result) co_return failure_response(ctx, event, result.error(), conflict_detail);
  if (ok == http::status::no_content) {
    Response res{http::status::no_content, 11};
    res.prepare_payload();
    co_return res;
  }
  co_return json_response(ok, *result);
}

inline pg::Param param(std::int64_t v) { return std::to_string(v); }
inline pg::Param param(bool v) { return std::string(v ? "true" : "false"); }
inline pg::Param param(const std::string& v) { return v; }
template <class T>
pg::Param param(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return param(*v);
}

}  // namespace disparo::admin
