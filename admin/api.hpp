// Api: the admin's request handling as a function from request to response. It owns the Router
// (every route listed explicitly in api.cpp) and the metrics, answers 404/405 problems, and
// records every request in metrics and the log.
//
// handle() runs on the loop thread (the HttpServer's executor); route handlers offload SQL.
#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "admin/api_context.hpp"
#include "admin/metrics.hpp"
#include "admin/router.hpp"

namespace disparo::admin {

class Api {
 public:
  explicit Api(ApiContext& ctx);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  boost::asio::awaitable<Response> handle(Request& request);

  const Router& router() const { return router_; }
  AdminMetrics& metrics() { return *metrics_; }

 private:
  ApiContext& ctx_;
  Router router_;
  std::unique_ptr<AdminMetrics> metrics_;
};

}  // namespace disparo::admin
