// DispatcherApp: wires the dispatcher's parts together (explicit wiring, STYLE.md rule 15) and
// owns the event loop: HTTP listener, send queues, PostgreSQL worker pool, Redis client.
//
// Construct, start(), then run() on the thread that owns the loop; SIGINT/SIGTERM (or
// request_stop()) run the two-stage shutdown: stop accepting, let in-flight sends finish within
// the grace period, then stop. Tests run it in-process on port 0.
#pragma once

#include <memory>

#include "common/log.hpp"
#include "config/config.hpp"

namespace disparo::dispatch {

class DispatcherApp {
 public:
  DispatcherApp(config::DispatcherSettings settings, log::Logger& log);
  ~DispatcherApp();
  DispatcherApp(const DispatcherApp&) = delete;
  DispatcherApp& operator=(const DispatcherApp&) = delete;

  void start();                 // binds the listener (throws on failure) and starts the queues
  unsigned short port() const;  // the bound port
  void run();                   // runs the loop until shutdown finished
  void request_stop();          // thread-safe: begins the two-stage shutdown

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace disparo::dispatch
