// `disparo-admin serve` as a real process against a live PostgreSQL: it migrates, answers, and
// exits 0 promptly on SIGTERM (the signal wiring of serve.cpp, which in-process tests bypass).
#include <gtest/gtest.h>

#include "tests/admin/http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;
using namespace std::chrono_literals;

TEST(ServeProcess, MigratesServesAndStopsOnSigterm) {
  disparo::test::TestDatabase db;  // empty: serve must apply the migrations itself
  const auto port = disparo::test::free_port();
  disparo::test::ChildProcess admin(
      DISPARO_ADMIN_BINARY, {"serve"},
      {{"DISPARO_DATABASE_URL", db.url()},
       {"DISPARO_HTTP_PORT", std::to_string(port)},
       {"DISPARO_ADMIN_MASTER_KEY", "e2e-master-key-0123456789"}},
      ::testing::TempDir() + "admin_serve_e2e.log");

  const bool up = disparo::test::eventually(
      [&] {
        try {
          return http_call(port, verb::get, "/healthz", {}, {}, 1s).status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      15s, 50ms);
  ASSERT_TRUE(up) << admin.tail();

  auto created = http_call(port, verb::post, "/v1/tenants", R"({"slug":"acme","name":"Acme"})",
                           {{"Content-Type", "application/json"},
                            {"Authorization", "Bearer e2e-master-key-0123456789"}});
  EXPECT_EQ(created.status, 201u) << created.body << admin.tail();
  EXPECT_EQ(http_call(port, verb::get, "/readyz").status, 200u);

  const auto started = std::chrono::steady_clock::now();
  auto status = admin.terminate(5s);
  ASSERT_TRUE(status.has_value()) << "serve did not exit within 5 s of SIGTERM\n" << admin.tail();
  EXPECT_EQ(*status, 0) << admin.tail();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);  // nothing in flight: no grace wait
}

TEST(ServeProcess, BadDatabaseExitsOneWithAMessage) {
  disparo::test::ChildProcess admin(
      DISPARO_ADMIN_BINARY, {"serve"},
      {{"DISPARO_DATABASE_URL", "postgresql://nobody:SECRETPW@127.0.0.1:1/none?connect_timeout=2"},
       {"DISPARO_HTTP_PORT", std::to_string(disparo::test::free_port())}},
      ::testing::TempDir() + "admin_serve_bad_db.log");
  auto status = admin.wait(10s);
  ASSERT_TRUE(status.has_value()) << admin.tail();
  EXPECT_EQ(*status, 1);
  const auto log = admin.tail();
  EXPECT_NE(log.find("cannot reach database at postgresql://nobody@127.0.0.1:1/none"), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRETPW"), std::string::npos);
}

}  // namespace
}  // namespace disparo::admin::test
