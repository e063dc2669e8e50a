// Exports against a live PostgreSQL: CSV in the Excel Brasil and machine profiles, XLSX (opened
// with unzip to check typed cells with '.' decimals), chosen fields, filters, roles, isolation.
#include <cstdio>
#include <fstream>

#include "tests/admin/money_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class ExportsPg : public MoneyPg {
 protected:
  std::int64_t seed(const MoneyTenant& t) {
    const auto tid = std::to_string(t.id);
    auto c = sql_int("INSERT INTO clients (tenant_id, name, phone, amount_cents, due_date, due_day, created_at) "
                     "VALUES ($1, 'José; \"Zé\"', '+5511987654321', 123456, '2026-04-05', 5, '2026-03-01T15:00:00Z') "
                     "RETURNING id", {tid});
    sql_int("INSERT INTO clients (tenant_id, name, phone, created_at) VALUES ($1, '=HYPERLINK(\"x\")', '+5521999990000', "
            "'2026-03-02T15:00:00Z') RETURNING id", {tid});
    sql_int("INSERT INTO payments (tenant_id, client_id, amount_cents, method, paid_at, paid_on, new_due_date) "
            "VALUES ($1, $2, 123456, 'pix', '2026-03-05T02:30:00Z', '2026-03-04', '2026-04-05') RETURNING id",
            {tid, std::to_string(c)});
    sql_int("INSERT INTO payments (tenant_id, client_id, amount_cents, method, paid_at, paid_on, new_due_date) "
            "VALUES ($1, $2, 5, 'cash', '2026-03-06T12:00:00Z', '2026-03-06', '2026-05-05') RETURNING id",
            {tid, std::to_string(c)});
    return c;
  }
};

TEST_F(ExportsPg, PaymentsCsvOpensInBrazilianExcel) {
  auto t = make_tenant();
  seed(t);
  auto reply = call(verb::get, "/v1/exports/payments?fields=client_name,amount,method,paid_at,paid_on", t.keys.at("finance"));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(reply.header("content-disposition"), "attachment; filename=\"pagamentos.csv\"");
  // BOM, ';', decimal comma, dd/mm/yyyy, local time (02:30Z = 23:30 of the 4th in São Paulo), CRLF,
  // quoting of ';' and '"'. Newest first.
  EXPECT_EQ(reply.body,
            "\xEF\xBB\xBF"
            "client_name;amount;method;paid_at;paid_on\r\n"
            "\"José; \"\"Zé\"\"\";0,05;cash;06/03/2026 09:00:00;06/03/2026\r\n"
            "\"José; \"\"Zé\"\"\";1234,56;pix;04/03/2026 23:30:00;04/03/2026\r\n");
  auto machine = call(verb::get, "/v1/exports/payments?profile=machine&fields=amount,paid_at&method=pix", t.owner());
  ASSERT_EQ(machine.status, 200u);
  EXPECT_EQ(machine.body, "amount,paid_at\r\n1234.56,2026-03-05T02:30:00.000000Z\r\n");
}

TEST_F(ExportsPg, ClientsCsvNeutralisesFormulasAndNeverHasPasswords) {
  auto t = make_tenant();
  seed(t);
  sql("UPDATE clients SET password = 'hunter2-secret' WHERE tenant_id = $1", {std::to_string(t.id)});
  auto reply = call(verb::get, "/v1/exports/clients?sort=created_at", t.owner());
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.body.find("hunter2"), std::string::npos);
  EXPECT_NE(reply.body.find(";\"'=HYPERLINK(\"\"x\"\")\";"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find(";'+5511987654321;"), std::string::npos) << reply.body;  // phone kept as text
  EXPECT_NE(reply.body.find(";1234,56;"), std::string::npos);
  auto chosen = call(verb::get, "/v1/exports/clients?fields=name,due_date&sort=created_at", t.owner());
  EXPECT_EQ(chosen.body, "\xEF\xBB\xBF" "name;due_date\r\n\"José; \"\"Zé\"\"\";05/04/2026\r\n\"'=HYPERLINK(\"\"x\"\")\";\r\n");
  auto bad = call(verb::get, "/v1/exports/clients?fields=name,password&format=pdf&colour=red", t.owner());
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(json(bad).at("errors").as_array().size(), 3u) << bad.body;
}

TEST_F(ExportsPg, XlsxHasTypedCellsWithDotDecimals) {
  auto t = make_tenant();
  seed(t);
  auto reply = call(verb::get, "/v1/exports/payments?format=xlsx&fields=client_phone,amount,paid_on", t.owner());
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_GE(reply.body.size(), 4u);
  EXPECT_EQ(reply.body.substr(0, 2), "PK");
  const std::string path = ::testing::TempDir() + "/money-export-" + std::to_string(t.id) + ".xlsx";
  {
    std::ofstream out(path, std::ios::binary);
    out << reply.body;
  }
  std::string xml;
  if (FILE* pipe = popen(("unzip -p '" + path + "' xl/worksheets/sheet1.xml").c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) xml.append(buf, n);
    pclose(pipe);
  }
  std::remove(path.c_str());
  ASSERT_FALSE(xml.empty()) << "unzip could not read the worksheet";
  EXPECT_NE(xml.find("<v>1234.56</v>"), std::string::npos) << xml;      // a number, '.' decimals
  EXPECT_EQ(xml.find("1234,56"), std::string::npos);
  EXPECT_NE(xml.find("+5511987654321"), std::string::npos);             // phone as an (inline) string
  EXPECT_NE(xml.find("inlineStr"), std::string::npos);                  // constant-memory mode writes inline strings
}

TEST_F(ExportsPg, RolesAndTenantIsolation) {
  auto a = make_tenant();
  seed(a);
  auto b = make_tenant();
  auto reply = call(verb::get, "/v1/exports/payments", b.owner());
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body.find("José"), std::string::npos);
  EXPECT_EQ(reply.body.find("\r\n"), reply.body.size() - 2);  // the header line only
  auto clients = call(verb::get, "/v1/exports/clients", b.owner());
  EXPECT_EQ(clients.body.find("José"), std::string::npos);
  EXPECT_EQ(call(verb::get, "/v1/exports/payments", a.keys.at("sales")).status, 403u);
  EXPECT_EQ(call(verb::get, "/v1/exports/clients", a.keys.at("support")).status, 403u);
  EXPECT_EQ(call(verb::get, "/v1/exports/clients", a.keys.at("manager")).status, 200u);
}

}  // namespace
}  // namespace disparo::admin::test
