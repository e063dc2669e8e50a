// Answering a templates::Reply from a store call run off the loop: its status and body, a 422
// with its field errors, or the store's failure (resource_support.hpp failure_response).
// Coroutine on the admin loop thread.
#pragma once

#include <string_view>

#include "admin/resource_support.hpp"
#include "admin/templates/template_store.hpp"
#include "common/clock.hpp"

namespace disparo::admin::templates {

inline constexpr std::string_view kUniqueTemplate = "A template with this name already exists.";

template <class F>
boost::asio::awaitable<Response> answer_reply(ApiContext& ctx, std::string_view event, F fn) {
  auto result = co_await with_db(ctx, std::move(fn));
  if (!result) co_return failure_response(ctx, event, result.error(), kUniqueTemplate);
  if (!result->errors.empty()) co_return problem_response(validation_failed(std::move(result->errors)));
  if (result->status == http::status::no_content) {
    Response res{http::status::no_content, 11};
    res.prepare_payload();
    co_return res;
  }
  co_return json_response(result->status, result->body);
}

inline SysTime system_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace disparo::admin::templates
