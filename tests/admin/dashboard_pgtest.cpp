// The dashboard against a seeded data set whose expected figures are derived by hand below, with
// "now" fixed at 2026-03-15T15:00:00Z = 12:00 on Sunday 15 March 2026 in São Paulo (UTC-3).
#include "admin/money/dashboard.hpp"
#include "tests/admin/money_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class DashboardPg : public MoneyPg {
 protected:
  std::int64_t insert(const std::string& statement, const pg::Params& params) { return sql_int(statement, params); }

  // Seeds tenant `t` (see the table in the test) and returns the client ids by name.
  std::map<std::string, std::int64_t> seed(const MoneyTenant& t) {
    const auto tid = std::to_string(t.id);
    auto p1 = std::to_string(insert("INSERT INTO plans (tenant_id, name, cycle, price_cents, grace_days) "
                                    "VALUES ($1, 'Mensal', 'monthly', 3000, 0) RETURNING id", {tid}));
    auto p2 = std::to_string(insert("INSERT INTO plans (tenant_id, name, cycle, price_cents, grace_days) "
                                    "VALUES ($1, 'Trimestral', 'quarterly', 8000, 5) RETURNING id", {tid}));
    auto fb = std::to_string(insert("INSERT INTO acquisition_channels (tenant_id, name, cost_cents) "
                                    "VALUES ($1, 'Facebook', 1500) RETURNING id", {tid}));
    auto ind = std::to_string(insert("INSERT INTO acquisition_channels (tenant_id, name, cost_cents) "
                                     "VALUES ($1, 'Indicação', 0) RETURNING id", {tid}));
    auto s1 = std::to_string(insert("INSERT INTO servers (tenant_id, name, credit_cost_cents) VALUES ($1, 'S1', 500) RETURNING id", {tid}));
    auto s2 = std::to_string(insert("INSERT INTO servers (tenant_id, name, credit_cost_cents) VALUES ($1, 'S2', 1000) RETURNING id", {tid}));
    std::map<std::string, std::int64_t> ids;
    auto client = [&](const std::string& name, pg::Param plan, const std::string& amount, const std::string& due,
                      pg::Param server, pg::Param channel, const std::string& created, bool blocked = false,
                      pg::Param archived = std::nullopt) {
      ids[name] = insert(
          "INSERT INTO clients (tenant_id, name, phone, plan_id, amount_cents, due_date, due_day, server_id, channel_id, "
          "                     created_at, blocked, archived_at, archive_reason) "
          "VALUES ($1, $2, '+5511900000000', $3, $4, $5::date, extract(day from $5::date), $6, $7, $8::timestamptz, $9, "
          "        $10::timestamptz, CASE WHEN $10 IS NULL THEN NULL ELSE 'churn' END) RETURNING id",
          {tid, name, plan, amount, due, server, channel, created, blocked ? "true" : "false", archived});
    };
    client("Ana", p1, "0", "2026-03-14", s1, fb, "2026-03-01T12:00:00Z");
    client("Bia", p1, "3500", "2026-03-15", s1, fb, "2026-03-01T12:00:00Z");
    client("Caio", p2, "0", "2026-03-16", s2, ind, "2026-03-02T02:00:00Z");  // 1 March 23:00 local
    client("Duda", p2, "0", "2026-03-12", s2, std::nullopt, "2026-02-20T12:00:00Z");
    client("Eva", std::nullopt, "2000", "2026-03-17", std::nullopt, fb, "2026-03-10T12:00:00Z");
    client("Fabio", p1, "0", "2026-03-18", s1, ind, "2026-03-10T12:00:00Z", true);
    client("Gil", p1, "0", "2026-03-16", s2, fb, "2026-01-10T12:00:00Z", false, "2026-03-05T12:00:00Z");

    auto payment = [&](const std::string& name, const std::string& cents, const std::string& method,
                       const std::string& at, const std::string& on, bool deleted = false) {
      insert("INSERT INTO payments (tenant_id, client_id, amount_cents, method, paid_at, paid_on, new_due_date, deleted_at) "
             "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::date, '2026-12-31', CASE WHEN $7 THEN now() END) RETURNING id",
             {tid, std::to_string(ids[name]), cents, method, at, on, deleted ? "true" : "false"});
    };
    payment("Ana", "3000", "pix", "2026-03-01T15:00:00Z", "2026-03-01");
    payment("Bia", "3500", "card", "2026-03-10T15:00:00Z", "2026-03-10");
    payment("Caio", "8000", "pix", "2026-03-15T13:00:00Z", "2026-03-15");
    payment("Eva", "2000", "cash", "2026-03-15T14:00:00Z", "2026-03-15");
    payment("Duda", "8000", "boleto", "2026-03-09T12:00:00Z", "2026-03-09");
    payment("Fabio", "3000", "pix", "2026-02-28T12:00:00Z", "2026-02-28");
    payment("Bia", "9999", "pix", "2026-03-12T12:00:00Z", "2026-03-12", true);  // deleted: never counted
    payment("Eva", "1000", "pix", "2026-03-16T12:00:00Z", "2026-03-16");        // tomorrow (booked ahead)
    return ids;
  }

  boost::json::object dashboard(const MoneyTenant& t, int period_days = 7) {
    money::DashboardOptions options;
    options.now = "2026-03-15T15:00:00Z";
    options.period_days = period_days;
    auto result = money::compute_dashboard(*conn_, t.id, options);
    if (!result) throw std::runtime_error(result.error().message);
    return *result;
  }
};

std::int64_t at(const boost::json::value& v, const char* a) { return v.at(a).as_int64(); }

TEST_F(DashboardPg, FiguresMatchTheHandComputedOnes) {
  auto t = make_tenant();
  auto ids = seed(t);
  // Noise in another tenant, same days: must not change anything below.
  auto other = make_tenant();
  seed(other);
  auto d = dashboard(t);

  EXPECT_EQ(d.at("today").as_string(), "2026-03-15");
  EXPECT_EQ(d.at("month").as_string(), "2026-03");

  // Active = not archived, not blocked, not suspended:
  //   Ana  due 14/03, grace 0 -> suspended from 15/03: out.   Bia  due today: active, 3500 (own amount).
  //   Caio due 16/03: active, 8000 (plan).                    Duda due 12/03, grace 5 -> overdue until 17/03: in, 8000.
  //   Eva  active, 2000 (own amount, no plan).                Fabio blocked: out.   Gil archived: out.
  //   => 4 clients, 3500 + 8000 + 8000 + 2000 = 21500.
  EXPECT_EQ(at(d.at("active_clients"), "count"), 4);
  EXPECT_EQ(at(d.at("active_clients"), "value_cents"), 21500);

  // Due lists (archived Gil, due 16/03, excluded): 14/03 Ana, 15/03 Bia, 16/03 Caio, 17/03 Eva, 18/03 Fabio.
  const auto& due = d.at("due").as_object();
  const std::pair<const char*, const char*> lists[] = {{"overdue_since_yesterday", "Ana"}, {"today", "Bia"},
                                                       {"tomorrow", "Caio"}, {"in_2_days", "Eva"}, {"in_3_days", "Fabio"}};
  for (auto [list, name] : lists) {
    ASSERT_EQ(at(due.at(list), "count"), 1) << list;
    EXPECT_EQ(due.at(list).at("clients").as_array()[0].at("name").as_string(), name) << list;
    EXPECT_EQ(due.at(list).at("clients").as_array()[0].at("id").as_int64(), ids[name]) << list;
  }
  EXPECT_EQ(at(due.at("overdue_since_yesterday").at("clients").as_array()[0], "value_cents"), 3000);  // plan price

  // New clients per local day: 1 March Ana, Bia, Caio (02:00Z = 23:00 local on the 1st); 10 March Eva, Fabio.
  const auto& news = d.at("new_clients_per_day").as_array();
  ASSERT_EQ(news.size(), 31u);
  EXPECT_EQ(news[0].at("date").as_string(), "2026-03-01");
  EXPECT_EQ(at(news[0], "count"), 3);
  EXPECT_EQ(at(news[1], "count"), 0);
  EXPECT_EQ(at(news[9], "count"), 2);
  std::int64_t total_new = 0;
  for (const auto& n : news) total_new += at(n, "count");
  EXPECT_EQ(total_new, 5);

  // Sales per day (live payments by paid_on): 01: 3000; 09: 8000; 10: 3500; 15: 8000 + 2000; 16: 1000.
  const auto& sales = d.at("sales_per_day").as_array();
  ASSERT_EQ(sales.size(), 31u);
  EXPECT_EQ(at(sales[0], "amount_cents"), 3000);
  EXPECT_EQ(at(sales[8], "amount_cents"), 8000);
  EXPECT_EQ(at(sales[9], "amount_cents"), 3500);
  EXPECT_EQ(at(sales[11], "amount_cents"), 0);  // the deleted 9999
  EXPECT_EQ(at(sales[14], "amount_cents"), 10000);
  EXPECT_EQ(at(sales[14], "count"), 2);
  EXPECT_EQ(at(sales[15], "amount_cents"), 1000);

  // This month: 3000 + 8000 + 3500 + 10000 + 1000 = 25500 in 6 payments (February's 3000 excluded).
  EXPECT_EQ(at(d.at("payments_this_month"), "count"), 6);
  EXPECT_EQ(at(d.at("payments_this_month"), "amount_cents"), 25500);
  EXPECT_EQ(at(d.at("received_today"), "count"), 2);
  EXPECT_EQ(at(d.at("received_today"), "amount_cents"), 10000);
  // Projection: received up to today 25500 - 1000 (the 16th) = 24500; 24500 / 15 x 31 = 50633.33 -> 50633.
  const auto& projection = d.at("monthly_projection");
  EXPECT_EQ(at(projection, "received_to_date_cents"), 24500);
  EXPECT_EQ(at(projection, "days_elapsed"), 15);
  EXPECT_EQ(at(projection, "days_in_month"), 31);
  EXPECT_EQ(at(projection, "projection_cents"), 50633);

  // By method, last 7 days = 09..15 March: pix 8000 (Caio), card 3500, boleto 8000, cash 2000.
  const auto& methods = d.at("payments_by_method").at("methods").as_array();
  ASSERT_EQ(methods.size(), 4u);
  EXPECT_EQ(methods[0].at("method").as_string(), "pix");
  EXPECT_EQ(at(methods[0], "amount_cents"), 8000);
  EXPECT_EQ(at(methods[0], "count"), 1);
  EXPECT_EQ(at(methods[1], "amount_cents"), 3500);
  EXPECT_EQ(at(methods[2], "amount_cents"), 8000);
  EXPECT_EQ(at(methods[3], "amount_cents"), 2000);
  // Over 15 days (01..15): pix adds Ana's 3000 -> 11000 in 2.
  auto wide = dashboard(t, 15);
  EXPECT_EQ(at(wide.at("payments_by_method").at("methods").as_array()[0], "amount_cents"), 11000);
  EXPECT_EQ(at(wide.at("payments_by_method").at("methods").as_array()[0], "count"), 2);

  // Plans over the 6 non-archived clients: Mensal 3 (Ana, Bia, Fabio) 0.5; Trimestral 2 0.3333; none 1 0.1666.
  const auto& plans = d.at("plans").as_array();
  ASSERT_EQ(plans.size(), 3u);
  EXPECT_EQ(plans[0].at("name").as_string(), "Mensal");
  EXPECT_EQ(at(plans[0], "clients"), 3);
  EXPECT_DOUBLE_EQ(plans[0].at("share").as_double(), 0.5);
  EXPECT_EQ(at(plans[1], "clients"), 2);
  EXPECT_DOUBLE_EQ(plans[1].at("share").as_double(), 0.3333);
  EXPECT_TRUE(plans[2].at("plan_id").is_null());
  EXPECT_DOUBLE_EQ(plans[2].at("share").as_double(), 0.1666);

  // Channels over all 7 clients: Facebook 4 (Ana, Bia, Eva, Gil) 0.5714, 1500 each = 6000;
  // Indicação 2 (Caio, Fabio) 0.2857, free; none 1 (Duda) 0.1428.
  const auto& channels = d.at("channels").as_array();
  ASSERT_EQ(channels.size(), 3u);
  EXPECT_EQ(channels[0].at("name").as_string(), "Facebook");
  EXPECT_EQ(at(channels[0], "clients"), 4);
  EXPECT_DOUBLE_EQ(channels[0].at("share").as_double(), 0.5714);
  EXPECT_EQ(at(channels[0], "cost_per_client_cents"), 1500);
  EXPECT_EQ(at(channels[0], "total_cost_cents"), 6000);
  EXPECT_EQ(channels[1].at("name").as_string(), "Indicação");
  EXPECT_DOUBLE_EQ(channels[1].at("share").as_double(), 0.2857);
  EXPECT_EQ(at(channels[1], "total_cost_cents"), 0);
  EXPECT_TRUE(channels[2].at("channel_id").is_null());
  EXPECT_DOUBLE_EQ(channels[2].at("share").as_double(), 0.1428);

  // Servers over the 6 non-archived: S1 3 (Ana, Bia, Fabio) x 500 = 1500; S2 2 (Caio, Duda) x 1000 = 2000; none 1.
  const auto& servers = d.at("servers").as_array();
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(servers[0].at("name").as_string(), "S1");
  EXPECT_EQ(at(servers[0], "clients"), 3);
  EXPECT_EQ(at(servers[0], "credit_cost_cents"), 1500);
  EXPECT_EQ(servers[1].at("name").as_string(), "S2");
  EXPECT_EQ(at(servers[1], "credit_cost_cents"), 2000);
  EXPECT_DOUBLE_EQ(servers[1].at("share").as_double(), 0.3333);
  EXPECT_TRUE(servers[2].at("server_id").is_null());
}

TEST_F(DashboardPg, ProjectionRoundsHalfAwayFromZero) {
  EXPECT_EQ(money::monthly_projection(24500, 15, 31), 50633);
  EXPECT_EQ(money::monthly_projection(100, 2, 31), 1550);
  EXPECT_EQ(money::monthly_projection(1, 2, 3), 2);  // 1.5 -> 2
  EXPECT_EQ(money::monthly_projection(0, 1, 30), 0);
  EXPECT_EQ(money::monthly_projection(500, 0, 30), 0);
}

TEST_F(DashboardPg, RouteIsPerTenantAndFollowsRoles) {
  auto a = make_tenant();
  seed(a);
  auto b = make_tenant("America/Manaus");
  auto reply = call(verb::get, "/v1/dashboard?period_days=30", b.keys.at("finance"));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  auto body = json(reply);
  EXPECT_EQ(at(body.at("active_clients"), "count"), 0);  // a's clients never show
  EXPECT_EQ(body.at("payments_by_method").at("period_days").as_int64(), 30);
  EXPECT_EQ(body.at("plans").as_array().size(), 0u);
  EXPECT_EQ(call(verb::get, "/v1/dashboard", a.keys.at("sales")).status, 403u);
  EXPECT_EQ(call(verb::get, "/v1/dashboard", a.keys.at("support")).status, 403u);
  EXPECT_EQ(call(verb::get, "/v1/dashboard", "").status, 401u);
  EXPECT_EQ(call(verb::get, "/v1/dashboard?period_days=0", a.owner()).status, 422u);
  EXPECT_EQ(call(verb::get, "/v1/dashboard", a.keys.at("manager")).status, 200u);
}

}  // namespace
}  // namespace disparo::admin::test
