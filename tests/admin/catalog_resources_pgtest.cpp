// Servers, sessions, plans, channels and clients over real HTTP: validation (422 with field
// errors), uniqueness (409), write-only credentials, the default session, server statistics,
// phone normalisation, tags, alerts and archiving.
#include "tests/admin/catalog_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class CatalogResources : public CatalogPg {
 protected:
  CatalogResources() : t_(make_tenant("res-a")) {}
  std::string owner() const { return t_.key("owner"); }
  TestTenant t_;
};

TEST_F(CatalogResources, SessionCredentialsAreWriteOnly) {
  auto made = expect(201, verb::post, "/v1/sessions", owner(),
                     R"({"name":"cloud","provider":"cloud_api","base_url":"https://graph.facebook.com/v24.0",
                        "phone_number_id":"1234567","access_token":"EAAG-very-secret","min_interval_ms":2000,
                        "jitter_ms":500,"burst":3,"daily_cap":250,"window_start":"08:00","window_end":"20:30",
                        "warmup_start_cap":20,"warmup_days":14,"warmup_started_on":"2026-11-01"})");
  const auto text = boost::json::serialize(made);
  EXPECT_EQ(text.find("EAAG-very-secret"), std::string::npos) << text;
  EXPECT_FALSE(made.as_object().contains("access_token"));
  EXPECT_TRUE(made.at("has_access_token").as_bool());
  EXPECT_TRUE(made.at("credentials_updated_at").is_string());
  EXPECT_EQ(made.at("window_end").as_string(), "20:30");
  EXPECT_EQ(made.at("burst").as_int64(), 3);
  const auto id = std::to_string(made.at("id").as_int64());
  auto listed = call(verb::get, "/v1/sessions", owner());
  EXPECT_EQ(listed.body.find("EAAG-very-secret"), std::string::npos);
  // Stored as given, for the dispatcher.
  auto rows = conn_.exec("SELECT access_token FROM whatsapp_sessions WHERE id = $1", {id});
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->text(0, 0), "EAAG-very-secret");
}

TEST_F(CatalogResources, SessionValidationAndConflicts) {
  auto bad = expect(422, verb::post, "/v1/sessions", owner(),
                    R"({"name":"","provider":"telegram","base_url":"ftp://x","burst":0,"window_start":"25:00","extra":1})");
  EXPECT_EQ(field_names(bad), "name,provider,burst,window_start,base_url,window_end,extra");
  auto cloud = expect(422, verb::post, "/v1/sessions", owner(), R"({"name":"c","provider":"cloud_api","base_url":"https://x"})");
  EXPECT_EQ(field_names(cloud), "phone_number_id");
  const std::string ok = R"({"name":"s1","provider":"sandbox","base_url":"http://127.0.0.1:9/v24.0"})";
  create(t_, "/v1/sessions", ok);
  expect(409, verb::post, "/v1/sessions", owner(), ok);
  expect(404, verb::get, "/v1/sessions/999999", owner());
  expect(404, verb::get, "/v1/sessions/abc", owner());
}

TEST_F(CatalogResources, OneDefaultSessionPerTenant) {
  auto first = create(t_, "/v1/sessions", R"({"name":"a","provider":"sandbox","base_url":"http://x","is_default":true})");
  auto second = create(t_, "/v1/sessions", R"({"name":"b","provider":"sandbox","base_url":"http://x"})");
  expect(200, verb::patch, "/v1/sessions/" + std::to_string(second), owner(), R"({"is_default":true})");
  EXPECT_FALSE(expect(200, verb::get, "/v1/sessions/" + std::to_string(first), owner()).at("is_default").as_bool());
  EXPECT_TRUE(expect(200, verb::get, "/v1/sessions/" + std::to_string(second), owner()).at("is_default").as_bool());
  // A server without a session reports the default it will use.
  auto server = expect(201, verb::post, "/v1/servers", owner(), R"({"name":"p"})");
  EXPECT_TRUE(server.at("session_id").is_null());
  EXPECT_EQ(server.at("effective_session_id").as_int64(), second);
}

TEST_F(CatalogResources, ServerStatsCountClientsShareAndCreditCost) {
  auto a = create(t_, "/v1/servers", R"({"name":"A","credit_cost_cents":250})");
  auto b = create(t_, "/v1/servers", R"({"name":"B","credit_cost_cents":100})");
  for (int i = 0; i < 3; ++i) {
    create(t_, "/v1/clients", R"({"name":"a)" + std::to_string(i) + R"(","phone":"1198765432)" + std::to_string(i) +
                                  R"(","server_id":)" + std::to_string(a) + "}");
  }
  create(t_, "/v1/clients", R"({"name":"b","phone":"11987654329","server_id":)" + std::to_string(b) + "}");
  auto archived = create(t_, "/v1/clients", R"({"name":"gone","phone":"11987654328","server_id":)" + std::to_string(b) +
                                                R"(,"archived":true,"archive_reason":"churn"})");
  EXPECT_GT(archived, 0);
  auto one = expect(200, verb::get, "/v1/servers/" + std::to_string(a), owner());
  EXPECT_EQ(one.at("stats").at("clients").as_int64(), 3);
  EXPECT_DOUBLE_EQ(one.at("stats").at("share").as_double(), 0.75);
  EXPECT_EQ(one.at("stats").at("total_credit_cost_cents").as_int64(), 750);
  auto list = expect(200, verb::get, "/v1/servers", owner()).at("items").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].at("stats").at("clients").as_int64(), 1);  // archived clients do not count
  EXPECT_DOUBLE_EQ(list[1].at("stats").at("share").as_double(), 0.25);
  expect(409, verb::post, "/v1/servers", owner(), R"({"name":"A"})");
  expect(409, verb::patch, "/v1/servers/" + std::to_string(b), owner(), R"({"name":"A"})");
  auto bad = expect(422, verb::post, "/v1/servers", owner(), R"({"credit_cost_cents":-1})");
  EXPECT_EQ(field_names(bad), "credit_cost_cents,name");
  expect(204, verb::delete_, "/v1/servers/" + std::to_string(b), owner());
  expect(404, verb::delete_, "/v1/servers/" + std::to_string(b), owner());
}

TEST_F(CatalogResources, PlansAndChannels) {
  auto bad = expect(422, verb::post, "/v1/plans", owner(), R"({"name":"x","cycle":"weekly","price_cents":"10"})");
  EXPECT_EQ(field_names(bad), "cycle,price_cents");
  auto plan = expect(201, verb::post, "/v1/plans", owner(), R"({"name":"Tri","cycle":"quarterly","price_cents":8000})");
  EXPECT_EQ(plan.at("grace_days").as_int64(), 0);
  EXPECT_FALSE(plan.at("archived").as_bool());
  const auto id = std::to_string(plan.at("id").as_int64());
  expect(409, verb::post, "/v1/plans", owner(), R"({"name":"Tri","cycle":"monthly","price_cents":1})");
  auto archived = expect(200, verb::patch, "/v1/plans/" + id, owner(), R"({"archived":true,"grace_days":3})");
  EXPECT_TRUE(archived.at("archived").as_bool());
  EXPECT_EQ(archived.at("grace_days").as_int64(), 3);
  create(t_, "/v1/clients", R"({"name":"c","phone":"11987654321","plan_id":)" + id + "}");
  expect(409, verb::delete_, "/v1/plans/" + id, owner());  // clients are on it
  auto channel = expect(201, verb::post, "/v1/channels", owner(), R"({"name":"indicação","cost_cents":0})");
  EXPECT_EQ(channel.at("name").as_string(), "indicação");
  expect(409, verb::post, "/v1/channels", owner(), R"({"name":"indicação"})");
  expect(422, verb::patch, "/v1/channels/" + std::to_string(channel.at("id").as_int64()), owner(), R"({"name":null})");
}

TEST_F(CatalogResources, ClientsAreNormalisedAndCarryTagsAndAlerts) {
  auto plan = create(t_, "/v1/plans", R"({"name":"M","cycle":"monthly","price_cents":3500,"grace_days":2})");
  auto made = expect(201, verb::post, "/v1/clients", owner(),
                     R"({"name":"João Silva","username":"joao","password":"s3cr3t","phone":"(11) 8765-4321",
                        "email":"joao@example.com","notes":"line1\nline2","plan_id":)" + std::to_string(plan) +
                         R"(,"screens":2,"due_date":"2026-01-31","tags":["Matrícula 2026","vip","vip"]})");
  EXPECT_EQ(made.at("phone").as_string(), "+5511987654321");  // ninth digit added
  EXPECT_EQ(made.at("phone_country").as_string(), "55");
  EXPECT_EQ(made.at("due_day").as_int64(), 31);                // from the due date
  EXPECT_EQ(made.at("amount_cents").as_int64(), 0);
  EXPECT_EQ(made.at("effective_amount_cents").as_int64(), 3500);  // the plan's price
  EXPECT_EQ(made.at("category").as_string(), "lead");
  EXPECT_EQ(made.at("tags").as_array().size(), 2u);
  EXPECT_TRUE(made.at("created_at").as_string().ends_with("Z"));
  const auto id = std::to_string(made.at("id").as_int64());
  auto alert = expect(201, verb::post, "/v1/clients/" + id + "/alerts", owner(), R"({"title":"Pediu desconto"})");
  auto read = expect(200, verb::get, "/v1/clients/" + id, owner());
  ASSERT_EQ(read.at("alerts").as_array().size(), 1u);
  EXPECT_EQ(read.at("alerts").at(0).at("title").as_string(), "Pediu desconto");
  EXPECT_TRUE(read.at("alerts").at(0).at("active").as_bool());
  expect(200, verb::patch, "/v1/clients/" + id + "/alerts/" + std::to_string(alert.at("id").as_int64()), owner(),
         R"({"active":false})");
  EXPECT_FALSE(expect(200, verb::get, "/v1/clients/" + id, owner()).at("alerts").at(0).at("active").as_bool());
  // Foreign numbers keep their country.
  auto foreign = expect(200, verb::patch, "/v1/clients/" + id, owner(), R"({"phone":"912345678","phone_country":"351","tags":[]})");
  EXPECT_EQ(foreign.at("phone").as_string(), "+351912345678");
  EXPECT_TRUE(foreign.at("tags").as_array().empty());
}

TEST_F(CatalogResources, ClientValidationNamesEveryBadField) {
  auto bad = expect(422, verb::post, "/v1/clients", owner(),
                    R"({"phone":"123","email":"nope","screens":0,"due_date":"2026-02-30","due_day":32,
                       "archive_reason":"moved","tags":"vip","colour":"red"})");
  EXPECT_EQ(field_names(bad), "screens,due_date,due_day,tags,archive_reason,name,phone,email,colour");
  auto archive = expect(422, verb::post, "/v1/clients", owner(), R"({"name":"x","phone":"11987654321","archived":true})");
  EXPECT_EQ(field_names(archive), "archive_reason");
  expect(400, verb::post, "/v1/clients", owner(), "{not json");
  auto reply = http_call(admin_.port(), verb::post, "/v1/clients", "{}", {{"Authorization", "Bearer " + owner()}});
  EXPECT_EQ(reply.status, 415u);
}

TEST_F(CatalogResources, ArchivingAndBlocking) {
  auto id = std::to_string(create(t_, "/v1/clients", R"({"name":"x","phone":"11987654321"})"));
  auto archived = expect(200, verb::patch, "/v1/clients/" + id, owner(), R"({"archived":true,"archive_reason":"lost","blocked":true})");
  EXPECT_TRUE(archived.at("archived").as_bool());
  EXPECT_EQ(archived.at("archive_reason").as_string(), "lost");
  EXPECT_EQ(archived.at("category").as_string(), "archived");
  EXPECT_TRUE(archived.at("blocked").as_bool());
  auto back = expect(200, verb::patch, "/v1/clients/" + id, owner(), R"({"archived":false})");
  EXPECT_FALSE(back.at("archived").as_bool());
  EXPECT_TRUE(back.at("archive_reason").is_null());
}

}  // namespace
}  // namespace disparo::admin::test
