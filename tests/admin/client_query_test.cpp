// The client listing's query string, cursors and SQL (admin/client_query): every parameter read
// or rejected with a field error, cursors opaque and tied to their sort, values only as
// parameters.
#include "admin/client_query.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace disparo::admin {
namespace {

Validated<ClientListRequest> read(std::string_view target) { return read_client_list_request(parse_query(target)); }

TEST(ClientQuery, ReadsEveryFilter) {
  auto r = read("/v1/clients?q=Jo%C3%A3o&server_id=3&plan_id=4&channel_id=5&tag=Matr%C3%ADcula+2026"
                "&status=overdue&blocked=false&suspended=true&category=lead&archived=all"
                "&created_from=2026-01-01&created_to=2026-11-22T10:00:00Z&due_from=2026-12-01&due_to=2026-12-31"
                "&payment_method=pix&sort=-due_date&limit=20");
  ASSERT_TRUE(r.value) << r.errors.front().field << ": " << r.errors.front().message;
  const auto& f = r.value->filter;
  EXPECT_EQ(f.text, "João");
  EXPECT_EQ(f.server_id, 3);
  EXPECT_EQ(f.plan_id, 4);
  EXPECT_EQ(f.channel_id, 5);
  EXPECT_EQ(f.tag, "Matrícula 2026");
  EXPECT_EQ(f.status, "overdue");
  EXPECT_EQ(f.blocked, false);
  EXPECT_EQ(f.suspended, true);
  EXPECT_EQ(f.category, "lead");
  EXPECT_EQ(f.archived, "all");
  EXPECT_EQ(f.payment_method, "pix");
  EXPECT_EQ(r.value->sort, ClientSort::due_date);
  EXPECT_TRUE(r.value->descending);
  EXPECT_EQ(r.value->limit, 20);
}

TEST(ClientQuery, PhoneLikeSearchKeepsOnlyDigits) {
  auto r = read("/v1/clients?q=(11)%2098765-4321");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(r.value->filter.text, "11987654321");
}

TEST(ClientQuery, BadParametersAreFieldErrors) {
  auto r = read("/v1/clients?server_id=abc&status=late&limit=0&sort=phone&colour=red&created_from=yesterday");
  ASSERT_FALSE(r.value);
  std::vector<std::string> fields;
  for (const auto& e : r.errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"server_id", "status", "limit", "sort", "colour", "created_from"}));
  EXPECT_FALSE(read("/v1/clients?limit=201").value);
}

TEST(ClientQuery, CursorsAreTiedToTheirSort) {
  ClientCursor c{"2026-11-22T10:00:00.000000Z", 42};
  auto text = encode_cursor(ClientSort::created_at, false, c);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << "cursor must be URL-safe: " << text;
  auto back = decode_cursor(text, ClientSort::created_at, false);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 42);
  EXPECT_EQ(back->value, c.value);
  EXPECT_FALSE(decode_cursor(text, ClientSort::created_at, true));
  EXPECT_FALSE(decode_cursor(text, ClientSort::name, false));
  EXPECT_FALSE(decode_cursor("not-a-cursor", ClientSort::name, false));
  EXPECT_FALSE(read("/v1/clients?sort=name&cursor=" + text).value);
}

RC_GTEST_PROP(ClientQueryProps, NameCursorsRoundTrip, (std::string name, std::uint32_t id)) {
  ClientCursor c{name, static_cast<std::int64_t>(id) + 1};
  auto back = decode_cursor(encode_cursor(ClientSort::name, true, c), ClientSort::name, true);
  RC_ASSERT(back.has_value());
  RC_ASSERT(back->value == name);
  RC_ASSERT(back->id == c.id);
}

TEST(ClientQuery, UserValuesTravelOnlyAsParameters) {
  auto r = read("/v1/clients?q=x%27%3B+DROP+TABLE+clients%3B--&tag=a%27b&sort=name");
  ASSERT_TRUE(r.value);
  auto page = client_page_sql(7, *r.value);
  EXPECT_EQ(page.sql.find("DROP"), std::string::npos);
  EXPECT_EQ(page.sql.find("a'b"), std::string::npos);
  EXPECT_EQ(page.params.front(), "7");
  EXPECT_NE(page.sql.find("LIMIT 51"), std::string::npos);
  EXPECT_NE(page.sql.find("c.archived_at IS NULL"), std::string::npos);  // hidden by default
}

TEST(ClientQuery, OverdueByDueDateWalksEachPlanFromItsOwnBound) {
  auto r = read("/v1/clients?status=overdue&sort=-due_date&limit=20");
  ASSERT_TRUE(r.value);
  auto page = client_page_sql(3, *r.value);
  EXPECT_NE(page.sql.find("CROSS JOIN LATERAL"), std::string::npos);
  EXPECT_NE(page.sql.find("- gp.grace_days"), std::string::npos);
  EXPECT_NE(page.sql.find("disparo_client_status("), std::string::npos);  // still decides
  // No bound from the tenant's largest grace period: it would cut plans with more grace days.
  EXPECT_EQ(page.sql.find("current_date - 3 -"), std::string::npos);
  EXPECT_NE(page.sql.find("LIMIT 21"), std::string::npos);
  // Other sorts keep the single walk with the largest grace period as a bound.
  auto by_name = read("/v1/clients?status=overdue");
  ASSERT_TRUE(by_name.value);
  EXPECT_EQ(client_page_sql(3, *by_name.value).sql.find("LATERAL"), std::string::npos);
}

TEST(ClientQuery, LikeWildcardsInTheSearchAreLiteral) {
  auto r = read("/v1/clients?q=50%25_off");
  ASSERT_TRUE(r.value);
  auto page = client_page_sql(1, *r.value);
  EXPECT_EQ(page.params.at(1), "%50\\%\\_off%");
}

}  // namespace
}  // namespace disparo::admin
