// TestDatabase: a fresh, uniquely named PostgreSQL database for one test, dropped afterwards.
//
// Reads DISPARO_TEST_PG_URL (a superuser URL or conninfo to the `postgres` database; scripts/test
// exports it). When the variable is missing or the server cannot be reached the constructor
// throws std::runtime_error with a message saying so: inside a gtest body or fixture that is a
// test failure, never a skip. Use from the test's thread; url() may be handed to any thread or
// to a child process.
#pragma once

#include <string>

#include "adapters/postgres/pg.hpp"

namespace disparo::test {

// The value of the environment variable `name`; throws std::runtime_error naming the variable
// (and how to get it set) when it is unset or empty.
std::string env_or_fail(const char* name);

class TestDatabase {
 public:
  // Creates an empty database "disparo_test_<pid>_<random>" (from template0).
  TestDatabase();
  // A fresh database with every embedded migration (adapters/postgres/migrations) applied.
  static TestDatabase migrated();

  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&&) = delete;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // DROP DATABASE ... WITH (FORCE): connections still open to it (a pool, a child process) are
  // terminated. Failures are printed to stderr, not thrown.
  ~TestDatabase();

  // "postgresql://user@host:port/disparo_test_..." (libpq URL, components percent-encoded),
  // with the same credentials and options as DISPARO_TEST_PG_URL.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // A new connection to this database; throws std::runtime_error when it cannot connect.
  pg::Connection connect() const;
  // Applies the embedded migrations; throws std::runtime_error on failure.
  void migrate() const;
  // An outage as its clients see it: false refuses new connections (ALLOW_CONNECTIONS false) and
  // terminates the open ones; true lets them connect again. Throws std::runtime_error on failure.
  void set_access(bool allowed) const;

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace disparo::test
