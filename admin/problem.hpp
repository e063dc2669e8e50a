// Problem details (RFC 9457, application/problem+json): every error answer of the admin API.
//
// Pure builders; any thread. The `type` URIs are stable identifiers per kind of problem (one
// place, kProblemBase, names their base); generic HTTP errors use "about:blank" with the status
// phrase as title, as the RFC recommends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "admin/http_types.hpp"
#include "common/expected.hpp"

namespace disparo::admin {

inline constexpr std::string_view kProblemBase = "https://disparo.dev/problems/";

// One invalid input field: `field` names the JSON member ("slug", "tenant.name").
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

struct Problem {
  http::status status = http::status::internal_server_error;
  std::string type = "about:blank";
  std::string title;
  std::string detail;
  std::vector<FieldError> errors;  // only for validation problems
  std::string allow;               // Allow header for 405
  bool bearer_challenge = false;   // WWW-Authenticate: Bearer for 401
};

// The JSON body: {"type","title","status","detail"[,"errors":[{"field","message"}]]}.
std::string problem_body(const Problem& problem);
// A complete response (status, content type, headers, body).
Response problem_response(const Problem& problem);

Problem not_found(std::string detail);
Problem method_not_allowed(std::string allow);
Problem unauthorized(std::string detail);
Problem forbidden(std::string detail);
Problem bad_request(std::string detail);             // malformed JSON, wrong shape
Problem validation_failed(std::vector<FieldError> errors);
Problem conflict(std::string detail);
Problem payload_too_large(std::size_t limit_bytes);
Problem unsupported_media_type(std::string expected);
Problem unavailable(std::string detail);
Problem internal_error();  // never carries internals: those go to the log

// Maps an expected failure of a lower layer to a problem. `unavailable` and `timeout` become
// 503; `internal` becomes a generic 500. Messages of invalid_argument/conflict/not_found are
// shown to the caller, so lower layers phrase them for people and keep secrets out.
Problem problem_from_error(const Error& error);

}  // namespace disparo::admin
