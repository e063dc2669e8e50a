// Expected<T>: the value of an operation that can fail in an expected way.
//
// Expected failures (a database that is down, a bad request, a provider 4xx) are values, never
// exceptions across module boundaries (DESIGN.md, Conventions). gcc 12 in C++20 mode has no
// std::expected, so this is the small subset we use. Thread-compatible, like any value type.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace disparo {

// Our own small classification; callers switch on this, never on a C library code.
enum class ErrorKind {
  invalid_argument,  // the caller's input is wrong; retrying will not help
  unauthorized,      // missing or bad credentials
  forbidden,         // credentials fine, action not allowed
  not_found,
  conflict,          // uniqueness or state conflict
  unavailable,       // a dependency is down or refused; retry later is reasonable
  timeout,           // a deadline passed
  internal,          // a bug or an unexpected answer
};

const char* to_string(ErrorKind kind) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  // for people and logs; never contains secrets or phone numbers
  std::string code;     // optional machine code from the remote side (SQLSTATE, provider code)
};

inline Error make_error(ErrorKind kind, std::string message, std::string code = {}) {
  return Error{kind, std::move(message), std::move(code)};
}

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Expected<void>: success carries nothing.
template <>
class [[nodiscard]] Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace disparo
