#include "admin/api_context.hpp"

#include <boost/beast/http/field.hpp>

#include "common/api_key.hpp"

namespace disparo::admin {

boost::asio::awaitable<Authenticated> authenticate_request(ApiContext& ctx, const Request& request) {
  auto header = request[http::field::authorization];
  auto token = bearer_token(std::string_view(header.data(), header.size()));
  if (!token) {
    co_return Authenticated{std::nullopt,
                            unauthorized("Send the tenant API key as 'Authorization: Bearer <key>'.")};
  }
  // Garbage never costs a database round trip.
  if (!looks_like_api_key(*token)) {
    co_return Authenticated{std::nullopt, unauthorized("The API key is unknown or has been revoked.")};
  }
  auto lookup = [key = std::string(*token)](pg::Connection& conn) { return authenticate(conn, key); };
  auto caller = co_await with_db(ctx, std::move(lookup));
  if (caller) co_return Authenticated{std::move(*caller), {}};
  if (caller.error().kind == ErrorKind::unauthorized) {
    co_return Authenticated{std::nullopt, unauthorized(caller.error().message)};
  }
  co_return Authenticated{std::nullopt, problem_logged(ctx, "authentication_failed", caller.error())};
}

Problem problem_logged(ApiContext& ctx, std::string_view event, const Error& error) {
  auto problem = problem_from_error(error);
  const bool ours = static_cast<unsigned>(problem.status) >= 500;
  ctx.log.write(ours ? log::Level::error : log::Level::info, event,
                {{"kind", to_string(error.kind)}, {"error", error.message}, {"code", error.code}});
  return problem;
}

}  // namespace disparo::admin
