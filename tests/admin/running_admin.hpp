// RunningAdmin: the real admin service (AdminApp) on 127.0.0.1 and a free port, its io_context
// on a background thread, against a test database. The destructor shuts it down the polite way
// (stage 1) and fails the test if it has not stopped within a deadline. Test thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "admin/app.hpp"
#include "common/log.hpp"
#include "config/config.hpp"

namespace disparo::admin::test {

inline constexpr const char* kTestMasterKey = "test-master-key-0123456789";

class RunningAdmin {
 public:
  explicit RunningAdmin(const std::string& database_url, std::string master_key = kTestMasterKey,
                        std::size_t max_body_bytes = 64 * 1024);
  ~RunningAdmin();
  RunningAdmin(const RunningAdmin&) = delete;
  RunningAdmin& operator=(const RunningAdmin&) = delete;

  std::uint16_t port() const { return port_; }
  // Starts stage 1 of shutdown on the loop thread; true when the loop then ended within `deadline`.
  bool shutdown_and_wait(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  log::Logger logger_;
  boost::asio::io_context ioc_;
  std::unique_ptr<AdminApp> app_;
  std::uint16_t port_ = 0;
  std::future<void> loop_done_;
  std::thread loop_;
  bool stopped_ = false;
};

}  // namespace disparo::admin::test
