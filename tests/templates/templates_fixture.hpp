// TemplatesPg: MoneyPg (tests/admin/money_fixture.hpp: private database, running admin, a tenant
// with a key per role) plus helpers to make sessions, servers and clients by SQL and templates
// over HTTP. Test thread only.
#pragma once

#include <string>

#include "tests/admin/money_fixture.hpp"

namespace disparo::admin::test {

class TemplatesPg : public MoneyPg {
 protected:
  std::int64_t session(const MoneyTenant& t, const std::string& name, const std::string& provider = "sandbox",
                       bool is_default = true);
  std::int64_t server(const MoneyTenant& t, const std::string& name, std::int64_t session_id);
  // A client by SQL: Maria (+5511987654321), user "maria01", password "s3nha", due 2026-03-10.
  std::int64_t client(const MoneyTenant& t, const std::string& name = "Maria",
                      const std::string& phone = "+5511987654321");
  // POSTs /v1/templates with `body` as owner; fails the test unless 201; returns the id.
  std::int64_t create_template(const MoneyTenant& t, const std::string& body);
  std::int64_t text_template(const MoneyTenant& t, const std::string& name, const std::string& text);
  static std::string field_of_first_error(const HttpReply& reply);
};

}  // namespace disparo::admin::test
