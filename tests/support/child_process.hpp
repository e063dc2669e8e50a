// ChildProcess: runs one of our binaries as a real process for end-to-end tests.
//
// stdout and stderr go to a log file (shown by tail() when a test fails). The destructor sends
// SIGTERM, waits up to 5 s, then SIGKILLs, so a failing test never leaves a server behind.
// kill_hard() is kill -9 for crash tests. Use from the test's thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace disparo::test {

class ChildProcess {
 public:
  // Starts `program` with `args`; `env` entries are added to (and override) the test's own
  // environment. Throws std::runtime_error when the process cannot be started.
  ChildProcess(std::string program, std::vector<std::string> args,
               std::map<std::string, std::string> env, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends SIGTERM and waits for the exit status (nullopt if it did not exit within `timeout`).
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  void kill_hard();  // SIGKILL and reap
  // Waits for the process to exit by itself.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string tail(std::size_t max_bytes = 4000) const;  // the end of its log

 private:
  std::optional<int> reap(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
unsigned short free_port();

}  // namespace disparo::test
