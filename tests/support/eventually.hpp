// eventually(): polls a condition until it holds or a deadline passes, for tests that wait on
// another thread, process or server instead of sleeping a fixed time. Any thread.
#pragma once

#include <chrono>
#include <thread>

namespace disparo::test {

// Returns true as soon as `condition()` is true; false if it is still false after `timeout`.
template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                std::chrono::milliseconds every = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace disparo::test
