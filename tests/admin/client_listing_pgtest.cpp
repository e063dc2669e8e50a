// GET /v1/clients over real HTTP: every filter, derived status and category, sorting, and cursor
// pagination that stays correct while clients are inserted between pages.
#include <algorithm>
#include <set>

#include "tests/admin/catalog_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class ClientListing : public CatalogPg {
 protected:
  ClientListing() : t_(make_tenant("list-a")), other_(make_tenant("list-b")) {
    plan_ = create(t_, "/v1/plans", R"({"name":"M","cycle":"monthly","price_cents":3000,"grace_days":5})");
    plan0_ = create(t_, "/v1/plans", R"({"name":"Z","cycle":"annual","price_cents":30000})");
    server_ = create(t_, "/v1/servers", R"({"name":"S1"})");
    server2_ = create(t_, "/v1/servers", R"({"name":"S2"})");
    channel_ = create(t_, "/v1/channels", R"({"name":"Facebook","cost_cents":700})");
  }

  // A client with a due date `days_from_today` relative to the tenant's today (SQL, so the test
  // controls dates and creation times exactly).
  std::int64_t add(const std::string& name, std::optional<int> days_from_today, std::int64_t plan,
                   const std::string& extra_columns = "", const std::string& extra_values = "") {
    static int phone = 10000000;
    auto rows = conn_.exec(
        "INSERT INTO clients (tenant_id, name, phone, plan_id, due_date" + extra_columns + ") "
        "SELECT $1, $2, $3, $4, (now() AT TIME ZONE 'America/Sao_Paulo')::date + $5::int" + extra_values +
            " RETURNING id",
        {std::to_string(t_.id), name, "+55119" + std::to_string(++phone), std::to_string(plan),
         days_from_today ? std::optional<std::string>(std::to_string(*days_from_today)) : std::nullopt});
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    return rows ? rows->int64(0, 0) : 0;
  }

  std::vector<std::string> names(const std::string& query, const std::string& role = "owner") {
    auto body = expect(200, verb::get, "/v1/clients" + query, t_.key(role));
    std::vector<std::string> out;
    for (const auto& item : body.at("items").as_array()) out.emplace_back(item.at("name").as_string());
    return out;
  }
  std::vector<std::string> sorted_names(const std::string& query) {
    auto out = names(query);
    std::sort(out.begin(), out.end());
    return out;
  }

  TestTenant t_, other_;
  std::int64_t plan_ = 0, plan0_ = 0, server_ = 0, server2_ = 0, channel_ = 0;
};

using Names = std::vector<std::string>;

TEST_F(ClientListing, DerivedStatusFollowsDueDateAndGraceDays) {
  add("on-time", 3, plan_);
  add("due-today", 0, plan_);
  add("late-5", -5, plan_);       // within 5 grace days: overdue
  add("late-6", -6, plan_);       // beyond: suspended
  add("late-1-no-grace", -1, plan0_);  // no grace days: suspended the day after
  EXPECT_EQ(sorted_names("?status=active"), (Names{"due-today", "on-time"}));
  EXPECT_EQ(sorted_names("?status=overdue"), (Names{"late-5"}));
  EXPECT_EQ(sorted_names("?status=suspended"), (Names{"late-1-no-grace", "late-6"}));
  EXPECT_EQ(sorted_names("?suspended=true"), (Names{"late-1-no-grace", "late-6"}));
  EXPECT_EQ(sorted_names("?suspended=false").size(), 3u);
  auto body = expect(200, verb::get, "/v1/clients?q=late-5", t_.key("owner"));
  EXPECT_EQ(body.at("items").at(0).at("status").as_string(), "overdue");
}

// status=overdue sorted by due date walks each plan's overdue range separately (0008) and merges
// them: the pages, in both directions and across page boundaries, must list exactly the clients
// whose single read says "overdue", in (due date, id) order, each once.
TEST_F(ClientListing, OverdueByDueDateMergesEveryPlanExactly) {
  const auto plan3 = create(t_, "/v1/plans", R"({"name":"G3","cycle":"monthly","price_cents":100,"grace_days":3})");
  const auto plan10 = create(t_, "/v1/plans", R"({"name":"G10","cycle":"monthly","price_cents":100,"grace_days":10})");
  const std::int64_t plans[] = {plan_, plan0_, plan3, plan10};
  std::vector<std::pair<std::string, std::int64_t>> expected;  // (due date, id) of the overdue
  int n = 0;
  for (int days = -14; days <= 2; ++days) {
    for (auto plan : plans) {
      for (int copy = 0; copy < 2; ++copy) {
        const auto id = add("od-" + std::to_string(++n), days, plan, copy ? ", archived_at, archive_reason" : "",
                            copy ? ", now(), 'lost'" : "");
        const int grace = plan == plan_ ? 5 : plan == plan3 ? 3 : plan == plan10 ? 10 : 0;
        if (copy == 0 && days < 0 && -days <= grace) {
          auto one = expect(200, verb::get, "/v1/clients/" + std::to_string(id), t_.key("owner"));
          EXPECT_EQ(one.at("status").as_string(), "overdue") << days << " " << grace;
          expected.emplace_back(std::string(one.at("due_date").as_string()), id);
        }
      }
    }
  }
  add("no-plan-late", -1, plan_);  // then without a plan: never overdue
  ASSERT_TRUE(conn_.exec("UPDATE clients SET plan_id = NULL WHERE name = 'no-plan-late'").has_value());
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(expected.size(), 5u + 3u + 10u);

  for (const bool descending : {false, true}) {
    std::vector<std::pair<std::string, std::int64_t>> listed;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      auto body = expect(200, verb::get,
                         std::string("/v1/clients?status=overdue&limit=4&sort=") + (descending ? "-" : "") + "due_date" +
                             (cursor.empty() ? "" : "&cursor=" + cursor),
                         t_.key("owner"));
      for (const auto& item : body.at("items").as_array()) {
        EXPECT_EQ(item.at("status").as_string(), "overdue");
        listed.emplace_back(std::string(item.at("due_date").as_string()), item.at("id").as_int64());
      }
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    auto want = expected;
    if (descending) std::reverse(want.begin(), want.end());
    EXPECT_EQ(listed, want) << (descending ? "descending" : "ascending");
  }
  // With archived ones too (archived=all): the archived copies join in.
  auto all = expect(200, verb::get, "/v1/clients?status=overdue&archived=all&sort=due_date&limit=200", t_.key("owner"));
  EXPECT_EQ(all.at("items").as_array().size(), 2 * expected.size());
}

TEST_F(ClientListing, FiltersByEachAttribute) {
  const auto s = std::to_string(server_), s2 = std::to_string(server2_), c = std::to_string(channel_);
  add("Ana", 10, plan_, ", server_id, channel_id, username", ", " + s + ", " + c + ", 'ana.user'");
  add("Bruno", 10, plan0_, ", server_id, blocked", ", " + s2 + ", true");
  add("Carla", 10, plan_, ", archived_at, archive_reason", ", now(), 'churn'");
  auto dora = add("Dora", std::nullopt, plan_);
  ASSERT_TRUE(conn_.exec("INSERT INTO client_tags VALUES ($1, 'Matrícula 2026')", {std::to_string(dora)}).has_value());
  ASSERT_TRUE(conn_.exec("UPDATE clients SET created_at = '2026-01-10T12:00:00Z' WHERE id = $1", {std::to_string(dora)}).has_value());

  EXPECT_EQ(names("?server_id=" + s), (Names{"Ana"}));
  EXPECT_EQ(names("?channel_id=" + c), (Names{"Ana"}));
  EXPECT_EQ(names("?plan_id=" + std::to_string(plan0_)), (Names{"Bruno"}));
  EXPECT_EQ(names("?blocked=true"), (Names{"Bruno"}));
  EXPECT_EQ(names("?blocked=false"), (Names{"Ana", "Dora"}));
  EXPECT_EQ(names("?tag=Matr%C3%ADcula%202026"), (Names{"Dora"}));
  EXPECT_EQ(names(""), (Names{"Ana", "Bruno", "Dora"}));  // archived hidden by default
  EXPECT_EQ(names("?archived=true"), (Names{"Carla"}));
  EXPECT_EQ(names("?archived=all"), (Names{"Ana", "Bruno", "Carla", "Dora"}));
  EXPECT_EQ(names("?category=archived"), (Names{"Carla"}));
  EXPECT_EQ(names("?category=lead"), (Names{"Ana", "Bruno", "Dora"}));
  EXPECT_EQ(names("?created_to=2026-01-10"), (Names{"Dora"}));
  EXPECT_EQ(names("?created_from=2026-01-11"), (Names{"Ana", "Bruno"}));
  EXPECT_EQ(names("?created_from=2026-01-10T11:00:00Z&created_to=2026-01-10T13:00:00-00:00"), (Names{"Dora"}));
  EXPECT_EQ(names("?q=ANA.U"), (Names{"Ana"}));  // username, case-insensitive
  EXPECT_EQ(names("?q=dor"), (Names{"Dora"}));
  // Another tenant's listing with the same filters is empty.
  auto theirs = expect(200, verb::get, "/v1/clients?archived=all", other_.key("owner"));
  EXPECT_TRUE(theirs.at("items").as_array().empty());
  auto bad = expect(422, verb::get, "/v1/clients?status=late", t_.key("owner"));
  EXPECT_EQ(field_names(bad), "status");
}

TEST_F(ClientListing, SearchesPhonesAsTyped) {
  create(t_, "/v1/clients", R"({"name":"Eva","phone":"(21) 99876-5432"})");
  create(t_, "/v1/clients", R"({"name":"Fabio","phone":"+55 31 3333-4444"})");
  EXPECT_EQ(names("?q=" + std::string("(21)%2099876-5432")), (Names{"Eva"}));
  EXPECT_EQ(names("?q=99876"), (Names{"Eva"}));
  EXPECT_EQ(names("?q=3333-4444"), (Names{"Fabio"}));
}

TEST_F(ClientListing, PaymentMethodAndCategoryFollowPayments) {
  auto paid = add("Paid-pix", 30, plan_);
  auto old = add("Paid-long-ago", 30, plan_);
  add("Never", 30, plan_);
  auto pay = [&](std::int64_t client, const std::string& method, int days_ago) {
    auto rows = conn_.exec(
        "INSERT INTO payments (tenant_id, client_id, amount_cents, method, paid_at, paid_on, new_due_date) "
        "VALUES ($1, $2, 3000, $3, now() - make_interval(days => $4::int), current_date - $4::int, current_date)",
        {std::to_string(t_.id), std::to_string(client), method, std::to_string(days_ago)});
    ASSERT_TRUE(rows.has_value()) << rows.error().message;
  };
  pay(paid, "pix", 1);
  pay(old, "cash", 90);
  EXPECT_EQ(names("?payment_method=pix"), (Names{"Paid-pix"}));
  EXPECT_EQ(names("?payment_method=cash"), (Names{"Paid-long-ago"}));
  EXPECT_TRUE(names("?payment_method=card").empty());
  EXPECT_EQ(names("?category=active"), (Names{"Paid-pix"}));
  EXPECT_EQ(names("?category=inactive"), (Names{"Paid-long-ago"}));
  EXPECT_EQ(names("?category=lead"), (Names{"Never"}));
}

TEST_F(ClientListing, SortsByNameCreationAndDueDate) {
  add("b", 5, plan_);
  add("a", 9, plan_);
  add("c", std::nullopt, plan_);
  add("d", 1, plan_);
  EXPECT_EQ(names("?sort=name"), (Names{"a", "b", "c", "d"}));
  EXPECT_EQ(names("?sort=-name"), (Names{"d", "c", "b", "a"}));
  EXPECT_EQ(names("?sort=created_at"), (Names{"b", "a", "c", "d"}));
  EXPECT_EQ(names("?sort=-created_at"), (Names{"d", "c", "a", "b"}));
  EXPECT_EQ(names("?sort=due_date"), (Names{"d", "b", "a", "c"}));  // no due date last
  EXPECT_EQ(names("?sort=-due_date"), (Names{"c", "a", "b", "d"}));
}

// Walks every page while inserting clients that sort before and after the cursor: each original
// client appears exactly once, in order, whatever the sort.
TEST_F(ClientListing, CursorPagesAreStableUnderInserts) {
  for (int i = 0; i < 25; ++i) add("m" + std::to_string(100 + i), i % 7, plan_);
  for (const std::string sort : {"name", "-name", "created_at", "-created_at", "due_date", "-due_date"}) {
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0, inserted = 0;
    do {
      auto body = expect(200, verb::get, "/v1/clients?limit=7&sort=" + sort + (cursor.empty() ? "" : "&cursor=" + cursor),
                         t_.key("owner"));
      for (const auto& item : body.at("items").as_array()) seen.emplace_back(item.at("name").as_string());
      cursor = body.at("next_cursor").is_null() ? "" : std::string(body.at("next_cursor").as_string());
      add("a-new-" + sort + std::to_string(++inserted), -3, plan_);  // sorts first by name
      add("z-new-" + sort + std::to_string(inserted), 99, plan_);    // sorts last by name
      ASSERT_LT(++pages, 40) << "pagination does not end";
    } while (!cursor.empty());
    std::vector<std::string> originals;
    std::copy_if(seen.begin(), seen.end(), std::back_inserter(originals),
                 [](const std::string& n) { return n.rfind("m", 0) == 0; });
    EXPECT_EQ(originals.size(), 25u) << sort;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << sort << ": a client twice";
    ASSERT_TRUE(conn_.exec("DELETE FROM clients WHERE name LIKE '%-new-%'").has_value());
  }
  // A cursor of one sort is refused by another.
  auto first = expect(200, verb::get, "/v1/clients?limit=2&sort=name", t_.key("owner"));
  auto c = std::string(first.at("next_cursor").as_string());
  auto bad = expect(422, verb::get, "/v1/clients?sort=-name&cursor=" + c, t_.key("owner"));
  EXPECT_EQ(field_names(bad), "cursor");
}

}  // namespace
}  // namespace disparo::admin::test
