#include "tests/admin/money_fixture.hpp"

#include <random>

#include "admin/tenants.hpp"

namespace disparo::admin::test {

disparo::test::TestDatabase* MoneyPg::db_ = nullptr;
std::unique_ptr<pg::Connection> MoneyPg::conn_;
std::unique_ptr<RunningAdmin> MoneyPg::admin_;

void MoneyPg::SetUpTestSuite() {
  if (db_) return;
  db_ = new disparo::test::TestDatabase(disparo::test::TestDatabase::migrated());
  conn_ = std::make_unique<pg::Connection>(db_->connect());
  admin_ = std::make_unique<RunningAdmin>(db_->url());
}

void MoneyPg::TearDownTestSuite() {
  admin_.reset();
  conn_.reset();
  delete db_;
  db_ = nullptr;
}

MoneyTenant MoneyPg::make_tenant(const std::string& time_zone) {
  static int counter = 0;
  std::random_device rd;
  MoneyTenant t;
  t.slug = "money-" + std::to_string(++counter) + "-" + std::to_string(rd() % 1000000);
  auto created = create_tenant(*conn_, NewTenant{t.slug, "Tenant " + t.slug, time_zone});
  if (!created) throw std::runtime_error("create_tenant: " + created.error().message);
  t.id = created->tenant.id;
  t.keys["owner"] = created->api_key;
  for (const char* role : {"manager", "finance", "sales", "support", "sender"}) {
    auto key = add_api_key(*conn_, t.id, role, role);
    if (!key) throw std::runtime_error("add_api_key: " + key.error().message);
    t.keys[role] = *key;
  }
  return t;
}

std::string MoneyPg::sql(const std::string& statement, const pg::Params& params) {
  auto rows = conn_->exec(statement, params);
  if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + " in: " + statement);
  if (rows->size() == 0 || rows->columns() == 0) return {};
  return std::string(rows->text(0, 0));
}

std::int64_t MoneyPg::sql_int(const std::string& statement, const pg::Params& params) {
  return std::stoll(sql(statement, params));
}

HttpReply MoneyPg::call(boost::beast::http::verb method, const std::string& target, const std::string& key,
                        const std::string& body, Headers extra) {
  Headers headers = std::move(extra);
  if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return http_call(admin_->port(), method, target, body, headers);
}

}  // namespace disparo::admin::test
