// Runs, reports, recipients and their exports over real HTTP, with runs, messages and exclusions
// written straight into the database (what the dispatcher would have done); and the preview.
#include <set>

#include "tests/campaigns_admin/campaigns_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class CampaignRuns : public CampaignsPg {
 protected:
  CampaignRuns() {
    billing_ = make_campaign(a_, "cobrança", R"("kind":"billing")");
    recovery_ = make_campaign(a_, "recuperação", R"("kind":"recovery")");
    old_ = insert_run(a_, billing_, "completed", "schedule", "now() - interval '2 days'");
    failed_ = insert_run(a_, billing_, "failed", "schedule", "now() - interval '1 day'");
    manual_ = insert_run(a_, recovery_, "sending", "manual", "now()");
    const char* statuses[] = {"read", "delivered", "sent", "failed", "queued"};
    for (int i = 0; i < 7; ++i) {
      clients_.push_back(make_client(a_, "Cliente " + std::to_string(i), "1198765432" + std::to_string(i)));
    }
    for (int i = 0; i < 5; ++i) {
      insert_message(a_, old_, clients_[i], statuses[i], i == 3 ? "provider_rejected" : "");
    }
    insert_exclusion(old_, clients_[5], "blocked");
    insert_exclusion(old_, clients_[6], "opted_out");
  }

  std::vector<std::int64_t> ids(const boost::json::value& page, const char* key = "id") {
    std::vector<std::int64_t> out;
    for (const auto& item : page.at("items").as_array()) {
      out.push_back(item.at(key).is_null() ? 0 : item.at(key).as_int64());
    }
    return out;
  }
  std::string today_plus(int days) {
    auto rows = conn_.exec("SELECT ((now() AT TIME ZONE 'America/Sao_Paulo')::date + $1::int)::text", {std::to_string(days)});
    return rows && rows->size() == 1 ? std::string(rows->text(0, 0)) : std::string();
  }

  std::int64_t billing_ = 0, recovery_ = 0, old_ = 0, failed_ = 0, manual_ = 0;
  std::vector<std::int64_t> clients_;
};

TEST_F(CampaignRuns, ListsNewestFirstWithFilters) {
  const auto& key = a_.key("finance");
  EXPECT_EQ(ids(expect(200, verb::get, "/v1/campaign-runs", key)), (std::vector<std::int64_t>{manual_, failed_, old_}));
  EXPECT_EQ(ids(expect(200, verb::get, "/v1/campaign-runs?campaign_id=" + std::to_string(billing_), key)),
            (std::vector<std::int64_t>{failed_, old_}));
  EXPECT_EQ(ids(expect(200, verb::get, "/v1/campaign-runs?state=failed", key)), (std::vector<std::int64_t>{failed_}));
  EXPECT_EQ(ids(expect(200, verb::get, "/v1/campaign-runs?trigger=manual", key)), (std::vector<std::int64_t>{manual_}));
  EXPECT_EQ(ids(expect(200, verb::get, "/v1/campaign-runs?kind=recovery", key)), (std::vector<std::int64_t>{manual_}));
  const auto day = today_plus(-2);
  EXPECT_EQ(ids(expect(200, verb::get, "/v1/campaign-runs?from=" + day + "&to=" + day, key)),
            (std::vector<std::int64_t>{old_}));
  auto bad = expect(422, verb::get, "/v1/campaign-runs?state=done&from=yesterday&cursor=zzz", key);
  EXPECT_EQ(field_names(bad), "state,from,cursor");

  // The listing carries each run's counts.
  auto first = expect(200, verb::get, "/v1/campaign-runs?state=completed", key).at("items").at(0).as_object();
  EXPECT_EQ(first.at("sent").as_int64(), 3);
  EXPECT_EQ(first.at("failed").as_int64(), 1);
  EXPECT_EQ(first.at("campaign_name"), "cobrança");
}

TEST_F(CampaignRuns, PagesWithACursorWithoutRepeatsOrGaps) {
  std::vector<std::int64_t> seen;
  std::string target = "/v1/campaign-runs?limit=1";
  for (int page = 0; page < 5; ++page) {
    auto body = expect(200, verb::get, target, a_.key("owner"));
    for (auto id : ids(body)) seen.push_back(id);
    if (body.at("next_cursor").is_null()) break;
    target = "/v1/campaign-runs?limit=1&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{manual_, failed_, old_}));
}

TEST_F(CampaignRuns, ReportCountsMessagesAndExclusionsByReason) {
  auto run = expect(200, verb::get, "/v1/campaign-runs/" + std::to_string(old_), a_.key("support")).as_object();
  EXPECT_EQ(run.at("state"), "completed");
  EXPECT_EQ(run.at("campaign_id").as_int64(), billing_);
  EXPECT_TRUE(run.at("started_at").is_string());
  const auto& report = run.at("report").as_object();
  EXPECT_EQ(report.at("messages").as_int64(), 5);
  EXPECT_EQ(report.at("sent").as_int64(), 3) << "sent counts delivered and read too";
  EXPECT_EQ(report.at("delivered").as_int64(), 2);
  EXPECT_EQ(report.at("read").as_int64(), 1);
  EXPECT_EQ(report.at("failed").as_int64(), 1);
  EXPECT_EQ(report.at("pending").as_int64(), 1);
  EXPECT_EQ(report.at("by_status").at("queued").as_int64(), 1);
  ASSERT_EQ(report.at("failed_by_reason").as_array().size(), 1u);
  EXPECT_EQ(report.at("failed_by_reason").at(0).at("reason"), "provider_rejected");
  EXPECT_EQ(report.at("excluded").as_int64(), 2);
  std::set<std::string> reasons;
  for (const auto& r : report.at("excluded_by_reason").as_array()) {
    reasons.insert(std::string(r.at("reason").as_string()));
    EXPECT_EQ(r.at("count").as_int64(), 1);
  }
  EXPECT_EQ(reasons, (std::set<std::string>{"blocked", "opted_out"}));
  expect(404, verb::get, "/v1/campaign-runs/999999", a_.key("owner"));
  expect(404, verb::get, "/v1/campaign-runs/abc", a_.key("owner"));
}

TEST_F(CampaignRuns, RecipientsListMessagesThenExclusions) {
  const auto base = "/v1/campaign-runs/" + std::to_string(old_) + "/recipients";
  std::vector<std::int64_t> seen;
  std::vector<std::string> statuses;
  std::string target = base + "?limit=3";
  for (int page = 0; page < 5; ++page) {
    auto body = expect(200, verb::get, target, a_.key("owner"));
    for (const auto& item : body.at("items").as_array()) {
      seen.push_back(item.at("client_id").as_int64());
      statuses.emplace_back(item.at("status").as_string());
    }
    if (body.at("next_cursor").is_null()) break;
    target = base + "?limit=3&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, clients_);
  EXPECT_EQ(statuses, (std::vector<std::string>{"read", "delivered", "sent", "failed", "queued", "excluded", "excluded"}));

  auto excluded = expect(200, verb::get, base + "?status=excluded", a_.key("owner")).at("items").as_array();
  ASSERT_EQ(excluded.size(), 2u);
  EXPECT_EQ(excluded.at(0).at("reason"), "blocked");
  EXPECT_TRUE(excluded.at(0).at("message_id").is_null());
  auto failed = expect(200, verb::get, base + "?status=failed", a_.key("owner")).at("items").as_array();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed.at(0).at("reason"), "provider_rejected");
  EXPECT_TRUE(failed.at(0).at("message_id").is_int64());
  EXPECT_EQ(field_names(expect(422, verb::get, base + "?status=lost", a_.key("owner"))), "status");
  expect(404, verb::get, "/v1/campaign-runs/999999/recipients", a_.key("owner"));
}

TEST_F(CampaignRuns, ExportsRunsAndRecipients) {
  auto csv = call(verb::get, "/v1/exports/campaign-runs?profile=machine&fields=id,state,sent", a_.key("owner"));
  ASSERT_EQ(csv.status, 200u) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.header("content-disposition").find("campanhas-execucoes.csv"), std::string::npos);
  EXPECT_EQ(csv.body, "id,state,sent\r\n" + std::to_string(manual_) + ",sending,0\r\n" + std::to_string(failed_) +
                          ",failed,0\r\n" + std::to_string(old_) + ",completed,3\r\n");
  auto filtered = call(verb::get, "/v1/exports/campaign-runs?profile=machine&fields=id&trigger=manual", a_.key("owner"));
  EXPECT_EQ(filtered.body, "id\r\n" + std::to_string(manual_) + "\r\n");
  // The Excel profile: BOM and ';'.
  auto excel = call(verb::get, "/v1/exports/campaign-runs?fields=id,campaign", a_.key("owner"));
  EXPECT_EQ(excel.body.rfind("\xEF\xBB\xBFid;campaign\r\n", 0), 0u) << excel.body;

  const auto recipients = "/v1/exports/campaign-runs/" + std::to_string(old_) + "/recipients";
  auto rows = call(verb::get, recipients + "?profile=machine&fields=client_id,status,reason&status=excluded", a_.key("owner"));
  ASSERT_EQ(rows.status, 200u) << rows.body;
  EXPECT_EQ(rows.body, "client_id,status,reason\r\n" + std::to_string(clients_[5]) + ",excluded,blocked\r\n" +
                           std::to_string(clients_[6]) + ",excluded,opted_out\r\n");
  auto xlsx = call(verb::get, recipients + "?format=xlsx", a_.key("manager"));
  ASSERT_EQ(xlsx.status, 200u);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK") << "an XLSX file is a zip";
  EXPECT_EQ(field_names(expect(422, verb::get, "/v1/exports/campaign-runs?fields=id,password&limit=5", a_.key("owner"))),
            "limit,fields");
  expect(404, verb::get, "/v1/exports/campaign-runs/999999/recipients", a_.key("owner"));
  expect(404, verb::get, recipients, b_.key("owner"));
}

TEST_F(CampaignRuns, PreviewCountsWhoADayWouldReachAndWhoIsExcluded) {
  const auto due = today_plus(3);
  const auto reached = make_client(a_, "Ana", "11911112222",
                                   R"("server_id":)" + std::to_string(server_) + R"(,"due_date":")" + due + R"(")");
  const auto blocked = make_client(a_, "Bia", "11911113333", R"("blocked":true,"due_date":")" + due + R"(")");
  make_client(a_, "Carla", "11911114444", R"("due_date":")" + today_plus(10) + R"(")");
  const auto id = make_campaign(a_, "vence em 3 dias", R"("audience_anchor":"due_date","day_offset":-3)");
  const auto target = "/v1/campaigns/" + std::to_string(id) + "/preview";

  auto preview = expect(200, verb::get, target, a_.key("sales")).as_object();
  EXPECT_EQ(std::string(preview.at("date").as_string()), today_plus(0));
  EXPECT_EQ(preview.at("recipients").as_int64(), 1);
  ASSERT_EQ(preview.at("recipient_list").as_array().size(), 1u);
  EXPECT_EQ(preview.at("recipient_list").at(0).at("client_id").as_int64(), reached);
  EXPECT_EQ(preview.at("servers").at(0).at("id").as_int64(), server_);
  EXPECT_EQ(preview.at("sessions").at(0).at("id").as_int64(), session_);
  EXPECT_EQ(preview.at("excluded").as_int64(), 1);
  EXPECT_EQ(preview.at("excluded_list").at(0).at("client_id").as_int64(), blocked);
  EXPECT_EQ(preview.at("excluded_by_reason").at(0).at("reason"), "blocked");

  // Another day: the day the client with a due date in 10 days is due in 3.
  auto later = expect(200, verb::get, target + "?date=" + today_plus(7) + "&limit=0", a_.key("owner")).as_object();
  EXPECT_EQ(later.at("recipients").as_int64(), 1);
  EXPECT_TRUE(later.at("recipient_list").as_array().empty());
  EXPECT_EQ(field_names(expect(422, verb::get, target + "?date=2026-02-30&limit=501", a_.key("owner"))), "date,limit");
  expect(404, verb::get, target, b_.key("owner"));
  expect(404, verb::get, "/v1/campaigns/999999/preview", a_.key("owner"));
}

}  // namespace
}  // namespace disparo::admin::test
