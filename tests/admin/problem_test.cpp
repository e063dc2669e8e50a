// Problem details (RFC 9457) bodies and responses. Pure.
#include "admin/problem.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/json.hpp>

namespace disparo::admin {
namespace {

boost::json::object body_of(const Problem& p) {
  return boost::json::parse(problem_body(p)).as_object();
}

TEST(Problem, CarriesTheFourMembers) {
  auto body = body_of(conflict("A tenant with slug 'acme' already exists."));
  EXPECT_EQ(body.at("type").as_string(), "https://disparo.dev/problems/conflict");
  EXPECT_EQ(body.at("title").as_string(), "Conflict with the current state");
  EXPECT_EQ(body.at("status").as_int64(), 409);
  EXPECT_EQ(body.at("detail").as_string(), "A tenant with slug 'acme' already exists.");
  EXPECT_FALSE(body.contains("errors"));
}

TEST(Problem, GenericStatusesUseAboutBlankAndTheReasonPhrase) {
  auto body = body_of(not_found("No resource at this path."));
  EXPECT_EQ(body.at("type").as_string(), "about:blank");
  EXPECT_EQ(body.at("title").as_string(), "Not Found");
  EXPECT_EQ(body.at("status").as_int64(), 404);
}

TEST(Problem, ValidationListsEveryField) {
  auto p = validation_failed({{"slug", "is required"}, {"time_zone", "is not a known IANA time zone"}});
  EXPECT_EQ(p.status, http::status::unprocessable_entity);
  auto body = body_of(p);
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field").as_string(), "slug");
  EXPECT_EQ(errors[0].at("message").as_string(), "is required");
  EXPECT_EQ(errors[1].at("field").as_string(), "time_zone");
  EXPECT_EQ(body.at("detail").as_string(), "2 fields are invalid.");
}

TEST(Problem, ResponseHasMediaTypeStatusAndHeaders) {
  auto res = problem_response(method_not_allowed("GET, POST"));
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  EXPECT_EQ(res[http::field::allow], "GET, POST");
  EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));

  auto unauth = problem_response(unauthorized("no key"));
  EXPECT_EQ(unauth.result(), http::status::unauthorized);
  EXPECT_EQ(unauth[http::field::www_authenticate], "Bearer");
}

TEST(Problem, ErrorKindsMapToStatuses) {
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::conflict, "x")).status, http::status::conflict);
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::not_found, "x")).status, http::status::not_found);
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::unauthorized, "x")).status,
            http::status::unauthorized);
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::invalid_argument, "x")).status,
            http::status::bad_request);
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::unavailable, "x")).status,
            http::status::service_unavailable);
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::timeout, "x")).status,
            http::status::service_unavailable);
  EXPECT_EQ(problem_from_error(make_error(ErrorKind::forbidden, "x")).status, http::status::forbidden);
}

TEST(Problem, InternalErrorsHideTheirMessage) {
  auto p = problem_from_error(make_error(ErrorKind::internal, "relation \"tenants\" does not exist"));
  EXPECT_EQ(p.status, http::status::internal_server_error);
  EXPECT_EQ(p.detail.find("tenants"), std::string::npos);
  auto down = problem_from_error(make_error(ErrorKind::unavailable, "could not connect to 10.0.0.5"));
  EXPECT_EQ(down.detail.find("10.0.0.5"), std::string::npos);
}

RC_GTEST_PROP(ProblemProperty, AnyDetailSurvivesEscaping, (std::string detail, std::string field)) {
  // Only valid UTF-8 reaches a problem (it comes from our messages or validated JSON input);
  // keep the generated strings ASCII so they are valid UTF-8.
  for (auto& c : detail) c = static_cast<char>(static_cast<unsigned char>(c) % 128);
  for (auto& c : field) c = static_cast<char>(static_cast<unsigned char>(c) % 128);
  auto p = conflict(detail);
  p.errors.push_back({field, "bad"});
  auto body = boost::json::parse(problem_body(p)).as_object();
  RC_ASSERT(std::string(body.at("detail").as_string()) == detail);
  RC_ASSERT(std::string(body.at("errors").as_array()[0].at("field").as_string()) == field);
}

}  // namespace
}  // namespace disparo::admin
