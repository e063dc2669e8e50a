// Exports against a live PostgreSQL: CSV in the Excel Brasil and machine profiles, XLSX (opened
// with unzip to check typed cells with '.' decimals), chosen fields, filters, roles, isolation.
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

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

// A raw HTTP/1.1 answer with a chunked body, split into its head and chunks.
struct ChunkedAnswer {
  std::string head;
  std::vector<std::size_t> sizes;  // data chunks, in order
  std::string body;
  bool complete = false;  // the last (zero-size) chunk arrived
};

ChunkedAnswer read_chunked(const std::string& raw) {
  ChunkedAnswer out;
  auto at = raw.find("\r\n\r\n");
  if (at == std::string::npos) return out;
  out.head = raw.substr(0, at + 2);
  at += 4;
  while (at < raw.size()) {
    const auto eol = raw.find("\r\n", at);
    if (eol == std::string::npos) break;
    const auto size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
    if (size == 0) {
      out.complete = true;
      break;
    }
    out.sizes.push_back(size);
    out.body += raw.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
  return out;
}

std::vector<std::string> csv_lines(const std::string& body) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < body.size()) {
    auto eol = body.find("\r\n", at);
    if (eol == std::string::npos) eol = body.size();
    lines.push_back(body.substr(at, eol - at));
    at = eol + 2;
  }
  return lines;
}

class ExportsStreamPg : public ExportsPg {
 protected:
  void add_clients(const MoneyTenant& t, int n) {
    sql("INSERT INTO clients (tenant_id, name, phone, due_date, due_day, created_at) "
        "SELECT $1, 'Cliente ' || i, '+55119' || lpad(i::text, 8, '0'), DATE '2026-01-01' + (i % 90), 1, "
        "  TIMESTAMPTZ '2026-01-01T00:00:00Z' + make_interval(secs => i) FROM generate_series(1, $2::int) i",
        {std::to_string(t.id), std::to_string(n)});
  }
  std::set<std::string> ids_of(const std::string& statement, const MoneyTenant& t) {
    std::set<std::string> out;
    auto rows = conn_->exec(statement, {std::to_string(t.id)});
    EXPECT_TRUE(rows.has_value());
    for (int r = 0; rows && r < rows->size(); ++r) out.insert(std::string(rows->text(r, 0)));
    return out;
  }
  std::string get_raw(const std::string& target, const std::string& key) {
    return raw_call(port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                                "\r\nConnection: close\r\n\r\n", std::chrono::seconds(30));
  }
};

// More rows than one page (kExportPage = 2,000): every row exactly once, in pages sent as they are
// made (the server never held the whole body), the Brazilian Excel form unchanged, and only the
// caller's tenant.
TEST_F(ExportsStreamPg, ClientsCsvStreamsEveryRowOncePageByPage) {
  auto a = make_tenant();
  auto b = make_tenant();
  add_clients(a, 4'500);
  add_clients(b, 2'100);
  auto answer = read_chunked(get_raw("/v1/exports/clients?fields=id,name,due_date&sort=-created_at", a.owner()));
  ASSERT_EQ(answer.head.rfind("HTTP/1.1 200", 0), 0u) << answer.head;
  EXPECT_NE(answer.head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << answer.head;
  EXPECT_NE(answer.head.find("Content-Type: text/csv; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(answer.head.find("Content-Disposition: attachment; filename=\"clientes.csv\"\r\n"), std::string::npos);
  ASSERT_TRUE(answer.complete);
  // 3 pages (2,000 + 2,000 + 500), each its own chunk; none near the whole body.
  ASSERT_GE(answer.sizes.size(), 3u);
  for (auto size : answer.sizes) EXPECT_LT(size * 2, answer.body.size());

  ASSERT_EQ(answer.body.rfind("\xEF\xBB\xBF" "id;name;due_date\r\n", 0), 0u);
  EXPECT_EQ(answer.body.find("\xEF\xBB\xBF", 1), std::string::npos);  // one BOM
  auto lines = csv_lines(answer.body);
  ASSERT_EQ(lines.size(), 4'501u);
  std::set<std::string> seen;
  std::string previous_name;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto first = lines[i].find(';');
    ASSERT_NE(first, std::string::npos) << lines[i];
    EXPECT_TRUE(seen.insert(lines[i].substr(0, first)).second) << "twice: " << lines[i];
    EXPECT_NE(lines[i].find(";Cliente "), std::string::npos) << lines[i];
    EXPECT_EQ(lines[i].size() - lines[i].rfind(';'), 11u) << lines[i];  // ";dd/mm/aaaa"
  }
  EXPECT_EQ(seen, ids_of("SELECT id::text FROM clients WHERE tenant_id = $1", a));
  // Newest first: the last created client opens the list.
  EXPECT_NE(lines[1].find(";Cliente 4500;"), std::string::npos) << lines[1];
}

TEST_F(ExportsStreamPg, PaymentsCsvStreamsEveryRowOnce) {
  auto a = make_tenant();
  add_clients(a, 3);
  sql("INSERT INTO payments (tenant_id, client_id, amount_cents, method, paid_at, paid_on, new_due_date) "
      "SELECT $1, c.id, 100 + i, 'pix', TIMESTAMPTZ '2026-02-01T12:00:00Z' + make_interval(secs => i / 2), "
      "  DATE '2026-02-01', DATE '2026-03-01' "
      "FROM generate_series(1, 4100) i, LATERAL (SELECT id FROM clients WHERE tenant_id = $1 ORDER BY id "
      "  OFFSET (i % 3) LIMIT 1) c",
      {std::to_string(a.id)});
  auto answer = read_chunked(get_raw("/v1/exports/payments?fields=id,amount&profile=machine", a.keys.at("finance")));
  ASSERT_TRUE(answer.complete) << answer.head;
  ASSERT_GE(answer.sizes.size(), 3u);
  auto lines = csv_lines(answer.body);
  ASSERT_EQ(lines.size(), 4'101u);
  EXPECT_EQ(lines[0], "id,amount");
  std::set<std::string> seen;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(seen.insert(lines[i].substr(0, lines[i].find(','))).second) << "twice: " << lines[i];
  }
  EXPECT_EQ(seen, ids_of("SELECT id::text FROM payments WHERE tenant_id = $1", a));
}

TEST_F(ExportsStreamPg, XlsxOfSeveralPagesIsSentFromItsFileWithALength) {
  auto a = make_tenant();
  add_clients(a, 2'500);
  auto reply = call(verb::get, "/v1/exports/clients?format=xlsx&fields=id,name", a.owner());
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.header("content-length"), std::to_string(reply.body.size()));
  EXPECT_EQ(reply.header("content-disposition"), "attachment; filename=\"clientes.xlsx\"");
  const std::string path = ::testing::TempDir() + "/stream-export-" + std::to_string(a.id) + ".xlsx";
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
  std::size_t rows = 0;
  for (auto at = xml.find("<row "); at != std::string::npos; at = xml.find("<row ", at + 1)) ++rows;
  EXPECT_EQ(rows, 2'501u);  // header + every client
  EXPECT_NE(xml.find("Cliente 2500"), std::string::npos);
}

}  // namespace
}  // namespace disparo::admin::test
