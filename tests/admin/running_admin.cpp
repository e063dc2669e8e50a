#include "tests/admin/running_admin.hpp"

#include <stdexcept>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace disparo::admin::test {

RunningAdmin::RunningAdmin(const std::string& database_url, std::string master_key,
                           std::size_t max_body_bytes)
    : logger_("admin-test", log::Level::warn), ioc_(1) {
  config::AdminSettings settings;
  settings.http.host = "127.0.0.1";
  settings.http.port = 0;
  settings.http.max_body_bytes = max_body_bytes;
  settings.http.read_timeout = std::chrono::seconds(5);
  settings.database.url = database_url;
  settings.database.pool_size = 2;
  settings.master_key = std::move(master_key);
  app_ = std::make_unique<AdminApp>(ioc_, settings, logger_, std::chrono::seconds(2));
  if (auto started = app_->start(); !started) {
    throw std::runtime_error("admin did not start: " + started.error().message);
  }
  port_ = app_->port();
  std::promise<void> done;
  loop_done_ = done.get_future();
  loop_ = std::thread([this, done = std::move(done)]() mutable {
    ioc_.run();
    done.set_value();
  });
}

bool RunningAdmin::shutdown_and_wait(std::chrono::milliseconds deadline) {
  if (stopped_) return true;
  boost::asio::post(ioc_, [this] { app_->shutdown(); });
  const bool in_time = loop_done_.wait_for(deadline) == std::future_status::ready;
  if (!in_time) ioc_.stop();  // do not hang the test run; the caller reports the failure
  loop_.join();
  stopped_ = true;
  return in_time;
}

RunningAdmin::~RunningAdmin() {
  if (!stopped_) {
    EXPECT_TRUE(shutdown_and_wait()) << "admin did not drain within the deadline";
  }
  app_.reset();  // joins the database workers before the io_context goes away
}

}  // namespace disparo::admin::test
