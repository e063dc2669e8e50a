// TestDatabase: creates and drops a throw-away database on the server named by
// DISPARO_TEST_PG_URL, and builds a URL to it that keeps that URL's user, password and options.
#include "tests/support/test_database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "adapters/postgres/migrate.hpp"

namespace disparo::test {

namespace {

constexpr const char* kUrlVariable = "DISPARO_TEST_PG_URL";

struct ConninfoOptionsDeleter {
  void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};
using ConninfoOptions = std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter>;

std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// Rebuilds `admin_url` (URL or key=value) as a URL naming database `dbname` instead.
std::string url_for_database(const std::string& admin_url, const std::string& dbname) {
  char* raw_error = nullptr;
  ConninfoOptions options{PQconninfoParse(admin_url.c_str(), &raw_error)};
  if (!options) {
    std::string why = raw_error ? raw_error : "out of memory";
    PQfreemem(raw_error);  // libpq allocated it
    throw std::runtime_error(std::string(kUrlVariable) + " is not a valid libpq URL: " + why);
  }
  std::string user, password, host, port, query;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (!o->val || !*o->val) continue;  // PQconninfoParse leaves unspecified options NULL
    const std::string_view key = o->keyword;
    if (key == "user") {
      user = o->val;
    } else if (key == "password") {
      password = o->val;
    } else if (key == "host") {
      host = o->val;
    } else if (key == "port") {
      port = o->val;
    } else if (key != "dbname") {
      query += (query.empty() ? "?" : "&") + percent_encoded(key) + "=" + percent_encoded(o->val);
    }
  }
  if (host.find(',') != std::string::npos) {
    throw std::runtime_error(std::string(kUrlVariable) + ": several hosts are not supported");
  }
  std::string url = "postgresql://";
  if (!user.empty()) {
    url += percent_encoded(user);
    if (!password.empty()) url += ":" + percent_encoded(password);
    url += "@";
  }
  url += percent_encoded(host);  // a socket directory "/run/postgresql" is encoded too
  if (!port.empty()) url += ":" + percent_encoded(port);
  return url + "/" + percent_encoded(dbname) + query;
}

std::string unique_name() {
  std::random_device entropy;
  std::uniform_int_distribution<unsigned long long> any;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", any(entropy));
  return "disparo_test_" + std::to_string(::getpid()) + "_" + suffix;
}

pg::Connection connect_or_throw(const std::string& url, std::string_view what) {
  auto conn = pg::Connection::open(url);
  if (!conn) {
    throw std::runtime_error("TestDatabase: cannot connect to " + std::string(what) + ": " +
                             conn.error().message);
  }
  return std::move(*conn);
}

}  // namespace

std::string env_or_fail(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) {
    throw std::runtime_error(
        std::string("environment variable ") + name +
        " is not set: this test needs a live server. Run it through scripts/test, which starts "
        "PostgreSQL and Redis and exports DISPARO_TEST_PG_URL, DISPARO_TEST_REDIS_HOST and "
        "DISPARO_TEST_REDIS_PORT, or export them yourself");
  }
  return value;
}

TestDatabase::TestDatabase()
    : admin_url_(env_or_fail(kUrlVariable)),
      name_(unique_name()),
      url_(url_for_database(admin_url_, name_)) {
  pg::Connection admin =
      connect_or_throw(admin_url_, std::string("the server in ") + kUrlVariable);
  // template0: nobody is ever connected to it, so parallel test processes never collide on
  // "source database is being accessed by other users".
  auto created = admin.exec("CREATE DATABASE \"" + name_ + "\" TEMPLATE template0");
  if (!created) {
    throw std::runtime_error("TestDatabase: CREATE DATABASE " + name_ +
                             " failed: " + created.error().message);
  }
}

TestDatabase TestDatabase::migrated() {
  TestDatabase db;
  db.migrate();
  return db;
}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : admin_url_(std::move(other.admin_url_)),
      name_(std::exchange(other.name_, std::string())),
      url_(std::move(other.url_)) {}

void TestDatabase::set_access(bool allowed) const {
  pg::Connection admin = connect_or_throw(admin_url_, std::string("the server in ") + kUrlVariable);
  auto altered = admin.exec("ALTER DATABASE \"" + name_ + "\" ALLOW_CONNECTIONS " + (allowed ? "true" : "false"));
  if (!altered) throw std::runtime_error("TestDatabase: ALTER DATABASE " + name_ + ": " + altered.error().message);
  if (allowed) return;
  auto terminated =
      admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {name_});
  if (!terminated) throw std::runtime_error("TestDatabase: terminating " + name_ + ": " + terminated.error().message);
}

TestDatabase::~TestDatabase() {
  if (name_.empty()) return;  // moved from
  auto admin = pg::Connection::open(admin_url_);
  if (!admin) {
    std::fprintf(stderr, "TestDatabase: cannot drop %s: %s\n", name_.c_str(),
                 admin.error().message.c_str());
    return;
  }
  auto dropped = admin->exec("DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)");
  if (!dropped) {
    std::fprintf(stderr, "TestDatabase: DROP DATABASE %s failed: %s\n", name_.c_str(),
                 dropped.error().message.c_str());
  }
}

pg::Connection TestDatabase::connect() const { return connect_or_throw(url_, name_); }

void TestDatabase::migrate() const {
  pg::Connection conn = connect();
  auto applied = pg::migrate(conn, pg::embedded_migrations());
  if (!applied) {
    throw std::runtime_error("TestDatabase: migrations failed on " + name_ + ": " +
                             applied.error().message);
  }
}

}  // namespace disparo::test
