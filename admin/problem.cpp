#include "admin/problem.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "admin/json.hpp"

namespace disparo::admin {
namespace {

std::string type_uri(std::string_view name) {
  std::string out(kProblemBase);
  out += name;
  return out;
}

// A problem of the generic kind, whose title is the status phrase.
Problem plain(http::status status, std::string detail) {
  Problem p;
  p.status = status;
  p.title = std::string(http::obsolete_reason(status));
  p.detail = std::move(detail);
  return p;
}

Problem typed(http::status status, std::string_view name, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.type = type_uri(name);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

}  // namespace

std::string problem_body(const Problem& problem) {
  boost::json::object body;
  body["type"] = problem.type;
  body["title"] = problem.title;
  body["status"] = static_cast<unsigned>(problem.status);
  body["detail"] = problem.detail;
  if (!problem.errors.empty()) {
    boost::json::array errors;
    for (const auto& e : problem.errors) {
      errors.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    }
    body["errors"] = std::move(errors);
  }
  return to_json(body);
}

Response problem_response(const Problem& problem) {
  auto res = make_response(problem.status, problem_body(problem), "application/problem+json");
  if (!problem.allow.empty()) res.set(http::field::allow, problem.allow);
  if (problem.bearer_challenge) res.set(http::field::www_authenticate, "Bearer");
  return res;
}

Problem not_found(std::string detail) { return plain(http::status::not_found, std::move(detail)); }

Problem method_not_allowed(std::string allow) {
  auto p = plain(http::status::method_not_allowed, "This resource supports only: " + allow + ".");
  p.allow = std::move(allow);
  return p;
}

Problem unauthorized(std::string detail) {
  auto p = typed(http::status::unauthorized, "unauthorized", "Missing or invalid credentials",
                 std::move(detail));
  p.bearer_challenge = true;
  return p;
}

Problem forbidden(std::string detail) {
  return typed(http::status::forbidden, "forbidden", "Not allowed", std::move(detail));
}

Problem bad_request(std::string detail) {
  return typed(http::status::bad_request, "malformed-request", "Malformed request",
               std::move(detail));
}

Problem validation_failed(std::vector<FieldError> errors) {
  auto p = typed(http::status::unprocessable_entity, "validation", "Invalid request fields",
                 errors.size() == 1 ? "One field is invalid."
                                    : std::to_string(errors.size()) + " fields are invalid.");
  p.errors = std::move(errors);
  return p;
}

Problem conflict(std::string detail) {
  return typed(http::status::conflict, "conflict", "Conflict with the current state",
               std::move(detail));
}

Problem payload_too_large(std::size_t limit_bytes) {
  return plain(http::status::payload_too_large,
               "The request body exceeds " + std::to_string(limit_bytes) + " bytes.");
}

Problem unsupported_media_type(std::string expected) {
  return plain(http::status::unsupported_media_type, "Send the body as " + expected + ".");
}

Problem unavailable(std::string detail) {
  return typed(http::status::service_unavailable, "unavailable", "Temporarily unavailable",
               std::move(detail));
}

Problem internal_error() {
  return plain(http::status::internal_server_error,
               "The server failed to handle this request; it has been logged.");
}

Problem problem_from_error(const Error& error) {
  switch (error.kind) {
    case ErrorKind::invalid_argument: return bad_request(error.message);
    case ErrorKind::unauthorized: return unauthorized(error.message);
    case ErrorKind::forbidden: return forbidden(error.message);
    case ErrorKind::not_found: return not_found(error.message);
    case ErrorKind::conflict: return conflict(error.message);
    case ErrorKind::unavailable:
    case ErrorKind::timeout: return unavailable("A dependency is unavailable; retry later.");
    case ErrorKind::internal: break;
  }
  return internal_error();
}

}  // namespace disparo::admin
