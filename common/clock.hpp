// Clock: the one way the pacing and lifecycle logic learns the time.
//
// Logic takes a Clock& so tests drive a FakeClock and never sleep (STYLE.md, rule 1).
// SystemClock is thread-safe; FakeClock is for single-threaded tests.
#pragma once

#include <chrono>

namespace disparo {

using SysTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC) with microsecond precision; what we store and compare to send_at.
  virtual SysTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SysTime now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(SysTime start) : now_(start) {}
  SysTime now() const override { return now_; }
  void advance(std::chrono::microseconds by) { now_ += by; }
  void set(SysTime to) { now_ = to; }

 private:
  SysTime now_;
};

}  // namespace disparo
