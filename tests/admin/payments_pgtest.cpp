// Payments over HTTP against a live PostgreSQL: due-date extension and rollback, the duplicate
// rule, validation problems, listing filters and cursor, the confirmation message queued in the
// same transaction, settings, roles and tenant isolation.
#include <set>

#include "admin/money/payment_store.hpp"
#include "tests/admin/money_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

class PaymentsPg : public MoneyPg {
 protected:
  std::int64_t plan(const MoneyTenant& t, const std::string& cycle, std::int64_t price = 3000) {
    return sql_int("INSERT INTO plans (tenant_id, name, cycle, price_cents) VALUES ($1, $2, $3, $4) RETURNING id",
                   {std::to_string(t.id), cycle + "-" + std::to_string(price), cycle, std::to_string(price)});
  }
  std::int64_t client(const MoneyTenant& t, std::optional<std::int64_t> plan_id, std::optional<std::string> due,
                      std::optional<int> due_day, const std::string& name = "Cliente") {
    pg::Param p, d, dd;
    if (plan_id) p = std::to_string(*plan_id);
    if (due) d = *due;
    if (due_day) dd = std::to_string(*due_day);
    return sql_int("INSERT INTO clients (tenant_id, name, phone, plan_id, due_date, due_day) "
                   "VALUES ($1, $2, '+5511987654321', $3, $4::date, $5::smallint) RETURNING id",
                   {std::to_string(t.id), name, p, d, dd});
  }
  HttpReply pay(const MoneyTenant& t, std::int64_t client_id, const std::string& body, const std::string& query = "",
                const std::string& role = "owner") {
    return call(verb::post, "/v1/clients/" + std::to_string(client_id) + "/payments" + query, t.keys.at(role), body);
  }
  std::string due_of(std::int64_t client_id) {
    return sql("SELECT coalesce(due_date::text, 'null') FROM clients WHERE id = $1", {std::to_string(client_id)});
  }
};

TEST_F(PaymentsPg, PaymentExtendsTheDueDateOnTheAnchorDay) {
  auto t = make_tenant();
  auto c = client(t, plan(t, "monthly"), "2024-01-31", 31);
  auto first = pay(t, c, R"({"amount_cents":3000,"method":"pix","paid_at":"2024-01-30T10:00:00-03:00"})");
  ASSERT_EQ(first.status, 201u) << first.body;
  auto body = json(first).as_object();
  EXPECT_EQ(body.at("previous_due_date").as_string(), "2024-01-31");
  EXPECT_EQ(body.at("new_due_date").as_string(), "2024-02-29");
  EXPECT_EQ(body.at("paid_at").as_string(), "2024-01-30T13:00:00.000000Z");
  EXPECT_EQ(body.at("paid_on").as_string(), "2024-01-30");
  EXPECT_EQ(body.at("source").as_string(), "api");
  EXPECT_EQ(first.header("location"), "/v1/payments/" + std::to_string(body.at("id").as_int64()));
  EXPECT_EQ(due_of(c), "2024-02-29");
  auto second = pay(t, c, R"({"amount_cents":3000,"method":"card","paid_at":"2024-02-28T10:00:00-03:00"})");
  ASSERT_EQ(second.status, 201u) << second.body;
  EXPECT_EQ(due_of(c), "2024-03-31");
  // last_payment_at follows the live payments (0005's trigger function, attached in 0006).
  EXPECT_EQ(sql("SELECT disparo_rfc3339(last_payment_at) FROM clients WHERE id = $1", {std::to_string(c)}),
            "2024-02-28T13:00:00.000000Z");
}

TEST_F(PaymentsPg, ACreatedClientMayBringItsFirstPaymentInTheSameTransaction) {
  auto t = make_tenant();
  const auto plan_id = plan(t, "monthly");
  const std::string body = R"({"name":"Ana","phone":"(11) 98765-4321","plan_id":)" + std::to_string(plan_id) +
                           R"(,"due_date":"2026-01-31","first_payment":{"amount_cents":3000,"method":"pix",)"
                           R"("paid_at":"2026-01-30T10:00:00-03:00"}})";
  auto created = call(verb::post, "/v1/clients", t.keys.at("owner"), body);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json(created).as_object().at("id").as_int64();
  EXPECT_EQ(due_of(id), "2026-02-28");  // extended by the plan's cycle, anchored on day 31
  EXPECT_EQ(sql("SELECT count(*) FROM payments WHERE client_id = $1", {std::to_string(id)}), "1");

  // A bad first payment refuses the whole creation, with the field named.
  const auto before = sql("SELECT count(*) FROM clients WHERE tenant_id = $1", {std::to_string(t.id)});
  auto refused = call(verb::post, "/v1/clients", t.keys.at("owner"),
                      R"({"name":"Bia","phone":"(11) 98765-4322","first_payment":{"amount_cents":0,"method":"gold"}})");
  EXPECT_EQ(refused.status, 422u) << refused.body;
  EXPECT_NE(refused.body.find("first_payment.method"), std::string::npos) << refused.body;
  EXPECT_EQ(sql("SELECT count(*) FROM clients WHERE tenant_id = $1", {std::to_string(t.id)}), before);
}

TEST_F(PaymentsPg, EveryCycleOfThePlanIsUsed) {
  auto t = make_tenant();
  const std::pair<const char*, const char*> cases[] = {{"bimonthly", "2026-03-10"}, {"quarterly", "2026-04-10"},
                                                       {"semiannual", "2026-07-10"}, {"annual", "2027-01-10"}};
  for (auto [cycle, expected] : cases) {
    auto c = client(t, plan(t, cycle), "2026-01-10", 10);
    auto reply = pay(t, c, R"({"amount_cents":100,"method":"cash"})");
    ASSERT_EQ(reply.status, 201u) << reply.body;
    EXPECT_EQ(due_of(c), expected) << cycle;
  }
  // No plan: monthly. No due date yet: from the payment's local day, which becomes the anchor.
  auto c = client(t, std::nullopt, std::nullopt, std::nullopt);
  auto reply = pay(t, c, R"({"amount_cents":100,"method":"cash","paid_at":"2026-01-31T23:30:00-03:00"})");
  ASSERT_EQ(reply.status, 201u) << reply.body;
  EXPECT_EQ(due_of(c), "2026-02-28");
  EXPECT_EQ(sql("SELECT due_day FROM clients WHERE id = $1", {std::to_string(c)}), "31");
}

TEST_F(PaymentsPg, SameDayAndAmountIsALikelyDuplicateUnlessConfirmed) {
  auto t = make_tenant();
  auto c = client(t, plan(t, "monthly"), "2026-05-10", 10);
  ASSERT_EQ(pay(t, c, R"({"amount_cents":2500,"method":"pix","paid_at":"2026-05-09T09:00:00-03:00"})").status, 201u);
  auto twin = pay(t, c, R"({"amount_cents":2500,"method":"cash","paid_at":"2026-05-09T18:00:00-03:00"})");
  EXPECT_EQ(twin.status, 409u);
  EXPECT_EQ(twin.header("content-type"), "application/problem+json");
  EXPECT_EQ(json(twin).at("type").as_string(), "https://disparo.dev/problems/likely-duplicate");
  EXPECT_EQ(due_of(c), "2026-06-10");  // unchanged by the refused one
  // A different amount the same day is not a duplicate; confirming records the twin.
  EXPECT_EQ(pay(t, c, R"({"amount_cents":2600,"method":"pix","paid_at":"2026-05-09T09:00:00-03:00"})").status, 201u);
  auto confirmed = pay(t, c, R"({"amount_cents":2500,"method":"cash","paid_at":"2026-05-09T18:00:00-03:00"})",
                       "?confirm_duplicate=true");
  EXPECT_EQ(confirmed.status, 201u) << confirmed.body;
  EXPECT_EQ(due_of(c), "2026-08-10");
}

TEST_F(PaymentsPg, DeletingTheLatestRollsBackAndOlderOnesAre409) {
  auto t = make_tenant();
  auto c = client(t, plan(t, "monthly"), "2026-01-31", 31);
  auto a = json(pay(t, c, R"({"amount_cents":100,"method":"pix","paid_at":"2026-01-01T12:00:00Z"})")).at("id").as_int64();
  auto b = json(pay(t, c, R"({"amount_cents":100,"method":"pix","paid_at":"2026-01-02T12:00:00Z"})")).at("id").as_int64();
  EXPECT_EQ(due_of(c), "2026-03-31");
  auto older = call(verb::delete_, "/v1/payments/" + std::to_string(a), t.owner());
  EXPECT_EQ(older.status, 409u);
  EXPECT_NE(json(older).at("detail").as_string().find("latest"), std::string::npos);
  auto latest = call(verb::delete_, "/v1/payments/" + std::to_string(b), t.owner());
  ASSERT_EQ(latest.status, 200u) << latest.body;
  EXPECT_FALSE(json(latest).at("deleted_at").is_null());
  EXPECT_EQ(due_of(c), "2026-02-28");
  EXPECT_EQ(call(verb::delete_, "/v1/payments/" + std::to_string(b), t.owner()).status, 409u);  // already deleted
  ASSERT_EQ(call(verb::delete_, "/v1/payments/" + std::to_string(a), t.owner()).status, 200u);  // now the latest
  EXPECT_EQ(due_of(c), "2026-01-31");
  EXPECT_EQ(sql("SELECT coalesce(last_payment_at::text, 'null') FROM clients WHERE id = $1", {std::to_string(c)}), "null");
}

TEST_F(PaymentsPg, InvalidBodiesGetOneFieldErrorEach) {
  auto t = make_tenant();
  auto c = client(t, std::nullopt, std::nullopt, std::nullopt);
  auto reply = pay(t, c, R"({"amount_cents":12.5,"method":"wire","paid_at":"yesterday","colour":1})");
  ASSERT_EQ(reply.status, 422u) << reply.body;
  std::set<std::string> fields;
  const auto reply_json = json(reply);
  for (const auto& e : reply_json.at("errors").as_array()) fields.insert(std::string(e.at("field").as_string()));
  EXPECT_EQ(fields, (std::set<std::string>{"amount_cents", "method", "paid_at", "colour"}));
  EXPECT_EQ(pay(t, c, R"({"method":"pix"})").status, 422u);
  EXPECT_EQ(pay(t, c, R"({"amount_cents":0,"method":"pix"})").status, 422u);
  EXPECT_EQ(pay(t, c, R"([1])").status, 400u);
  EXPECT_EQ(pay(t, c, R"({"amount_cents":1,"method":"pix"})", "?confirm_duplicate=maybe").status, 422u);
  EXPECT_EQ(pay(t, 999999999, R"({"amount_cents":1,"method":"pix"})").status, 404u);
  EXPECT_EQ(sql_int("SELECT count(*) FROM payments WHERE tenant_id = $1", {std::to_string(t.id)}), 0);
}

TEST_F(PaymentsPg, ExternalIdIsUniquePerTenant) {
  auto t = make_tenant();
  auto c = client(t, std::nullopt, "2026-01-10", 10);
  EXPECT_EQ(pay(t, c, R"({"amount_cents":100,"method":"pix","external_id":"crm-1"})").status, 201u);
  auto again = pay(t, c, R"({"amount_cents":200,"method":"pix","external_id":"crm-1"})");
  EXPECT_EQ(again.status, 409u);
  EXPECT_EQ(json(again).at("type").as_string(), "https://disparo.dev/problems/external-id-taken");
  auto other = make_tenant();
  auto oc = client(other, std::nullopt, "2026-01-10", 10);
  EXPECT_EQ(pay(other, oc, R"({"amount_cents":100,"method":"pix","external_id":"crm-1"})").status, 201u);
}

TEST_F(PaymentsPg, ListingFiltersAndPagesWithACursor) {
  auto t = make_tenant();
  auto c1 = client(t, std::nullopt, "2026-01-10", 10, "Ana");
  auto c2 = client(t, std::nullopt, "2026-01-10", 10, "Bia");
  for (int day = 1; day <= 5; ++day) {
    const std::string at = "2026-03-0" + std::to_string(day) + "T12:00:00Z";
    ASSERT_EQ(pay(t, c1, R"({"amount_cents":100,"method":"pix","paid_at":")" + at + "\"}").status, 201u);
    ASSERT_EQ(pay(t, c2, R"({"amount_cents":200,"method":"cash","paid_at":")" + at + "\"}").status, 201u);
  }
  auto all = call(verb::get, "/v1/payments?limit=3", t.keys.at("support"));
  ASSERT_EQ(all.status, 200u) << all.body;
  std::vector<std::int64_t> seen;
  const auto first = json(all);
  std::string cursor = std::string(first.at("next_cursor").as_string());
  for (const auto& p : first.at("items").as_array()) seen.push_back(p.at("id").as_int64());
  while (!cursor.empty()) {
    auto page = call(verb::get, "/v1/payments?limit=3&cursor=" + cursor, t.owner());
    ASSERT_EQ(page.status, 200u) << page.body;
    const auto page_json = json(page);
    for (const auto& p : page_json.at("items").as_array()) seen.push_back(p.at("id").as_int64());
    auto next = page_json.at("next_cursor");
    cursor = next.is_null() ? "" : std::string(next.as_string());
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 10u);

  auto filtered = call(verb::get, "/v1/payments?client_id=" + std::to_string(c2) + "&method=cash&from=2026-03-02&to=2026-03-03",
                       t.owner());
  ASSERT_EQ(filtered.status, 200u);
  ASSERT_EQ(json(filtered).at("items").as_array().size(), 2u);
  EXPECT_EQ(json(filtered).at("items").as_array()[0].at("paid_on").as_string(), "2026-03-03");
  EXPECT_EQ(json(call(verb::get, "/v1/payments?method=card", t.owner())).at("items").as_array().size(), 0u);
  auto bad = call(verb::get, "/v1/payments?method=wire&from=march&limit=0&cursor=xyz&sort=up", t.owner());
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(json(bad).at("errors").as_array().size(), 4u);  // sort, method, from, limit (cursor checked later)
  EXPECT_EQ(call(verb::get, "/v1/payments?cursor=xyz", t.owner()).status, 422u);
}

TEST_F(PaymentsPg, ConfirmationMessageIsQueuedInTheSameTransactionWhenEnabled) {
  auto t = make_tenant();
  const auto tid = std::to_string(t.id);
  auto default_session = sql_int(
      "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, is_default) "
      "VALUES ($1, 'principal', 'sandbox', 'http://127.0.0.1:1/v24.0', true) RETURNING id", {tid});
  auto server_session = sql_int(
      "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url) "
      "VALUES ($1, 'painel', 'sandbox', 'http://127.0.0.1:1/v24.0') RETURNING id", {tid});
  auto server = sql_int("INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, 'P2', $2) RETURNING id",
                        {tid, std::to_string(server_session)});
  auto c = client(t, plan(t, "monthly", 3990), "2026-01-10", 10, "João");
  // Disabled (default): nothing queued.
  ASSERT_EQ(pay(t, c, R"({"amount_cents":3990,"method":"pix","paid_at":"2026-01-09T12:00:00Z"})").status, 201u);
  EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE tenant_id = $1", {tid}), 0);

  auto patch = call(verb::patch, "/v1/settings", t.owner(),
                    R"({"payment_confirmation_enabled":true,"payment_confirmation_text":"Oi {nome}, {valor} via {metodo}; vence {vencimento}"})");
  ASSERT_EQ(patch.status, 200u) << patch.body;
  auto reply = pay(t, c, R"({"amount_cents":123456,"method":"pix","paid_at":"2026-02-09T12:00:00Z"})");
  ASSERT_EQ(reply.status, 201u) << reply.body;
  const auto payment_id = json(reply).at("id").as_int64();
  const auto message_id = json(reply).at("confirmation_message_id").as_int64();
  const auto mid = std::to_string(message_id);
  EXPECT_EQ(sql("SELECT content->>'body' FROM messages WHERE id = $1", {mid}),
            "Oi João, R$ 1.234,56 via Pix; vence 10/03/2026");
  EXPECT_EQ(sql("SELECT status || ' ' || priority || ' ' || kind || ' ' || recipient || ' ' || idempotency_key "
                "FROM messages WHERE id = $1", {mid}),
            "queued 0 text +5511987654321 payment:" + std::to_string(payment_id));
  EXPECT_EQ(sql_int("SELECT session_id FROM messages WHERE id = $1", {mid}), default_session);
  EXPECT_EQ(sql_int("SELECT count(*) FROM message_events WHERE message_id = $1", {mid}), 2);
  EXPECT_EQ(sql_int("SELECT (expires_at > now())::int FROM messages WHERE id = $1", {mid}), 1);

  // A client of a server with its own session uses that session.
  sql("UPDATE clients SET server_id = $2 WHERE id = $1", {std::to_string(c), std::to_string(server)});
  auto via_server = pay(t, c, R"({"amount_cents":100,"method":"cash"})");
  ASSERT_EQ(via_server.status, 201u);
  EXPECT_EQ(sql_int("SELECT session_id FROM messages WHERE id = $1",
                    {std::to_string(json(via_server).at("confirmation_message_id").as_int64())}),
            server_session);
  // Blocked clients get no automatic message.
  sql("UPDATE clients SET blocked = true WHERE id = $1", {std::to_string(c)});
  auto blocked = pay(t, c, R"({"amount_cents":101,"method":"cash"})");
  ASSERT_EQ(blocked.status, 201u);
  EXPECT_FALSE(json(blocked).as_object().contains("confirmation_message_id"));
}

TEST_F(PaymentsPg, RecordPaymentJoinsTheCallersTransaction) {
  // The client-creation route calls record_payment inside its own transaction: a rollback there
  // undoes the payment and the due date together.
  auto t = make_tenant();
  auto c = client(t, std::nullopt, "2026-01-10", 10);
  ASSERT_TRUE(conn_->exec_script("BEGIN"));
  money::NewPayment p;
  p.client_id = c;
  p.amount_cents = 500;
  p.method = "pix";
  auto recorded = money::record_payment(*conn_, t.id, p);
  ASSERT_TRUE(recorded.has_value()) << recorded.error().message;
  EXPECT_EQ(due_of(c), "2026-02-10");
  ASSERT_TRUE(conn_->exec_script("ROLLBACK"));
  EXPECT_EQ(due_of(c), "2026-01-10");
  EXPECT_EQ(sql_int("SELECT count(*) FROM payments WHERE client_id = $1", {std::to_string(c)}), 0);
}

TEST_F(PaymentsPg, RolesFollowTheMatrix) {
  auto t = make_tenant();
  auto c = client(t, std::nullopt, "2026-01-10", 10);
  EXPECT_EQ(pay(t, c, R"({"amount_cents":100,"method":"pix"})", "", "support").status, 403u);
  EXPECT_EQ(pay(t, c, R"({"amount_cents":100,"method":"pix"})", "", "sender").status, 403u);
  auto by_sales = pay(t, c, R"({"amount_cents":100,"method":"pix"})", "", "sales");
  ASSERT_EQ(by_sales.status, 201u);
  const auto id = std::to_string(json(by_sales).at("id").as_int64());
  EXPECT_EQ(call(verb::get, "/v1/payments/" + id, t.keys.at("support")).status, 200u);
  EXPECT_EQ(call(verb::get, "/v1/payments", t.keys.at("sender")).status, 403u);
  EXPECT_EQ(call(verb::delete_, "/v1/payments/" + id, t.keys.at("support")).status, 403u);
  EXPECT_EQ(call(verb::get, "/v1/settings", t.keys.at("sales")).status, 403u);
  EXPECT_EQ(call(verb::get, "/v1/settings", t.keys.at("finance")).status, 200u);
  EXPECT_EQ(call(verb::patch, "/v1/settings", t.keys.at("manager"), R"({"payment_confirmation_enabled":true})").status,
            403u);
  EXPECT_EQ(call(verb::get, "/v1/payments", "").status, 401u);
  EXPECT_EQ(call(verb::delete_, "/v1/payments/" + id, t.keys.at("finance")).status, 200u);
}

TEST_F(PaymentsPg, AnotherTenantsKeyNeverReadsOrChangesPayments) {
  auto a = make_tenant();
  auto b = make_tenant();
  auto c = client(a, std::nullopt, "2026-01-10", 10);
  auto created = pay(a, c, R"({"amount_cents":100,"method":"pix"})");
  ASSERT_EQ(created.status, 201u);
  const auto id = std::to_string(json(created).at("id").as_int64());
  EXPECT_EQ(pay(b, c, R"({"amount_cents":100,"method":"pix"})", "?confirm_duplicate=true").status, 404u);
  EXPECT_EQ(call(verb::get, "/v1/payments/" + id, b.owner()).status, 404u);
  EXPECT_EQ(call(verb::delete_, "/v1/payments/" + id, b.owner()).status, 404u);
  EXPECT_EQ(json(call(verb::get, "/v1/payments", b.owner())).at("items").as_array().size(), 0u);
  EXPECT_EQ(json(call(verb::get, "/v1/payments?client_id=" + std::to_string(c), b.owner())).at("items").as_array().size(), 0u);
  EXPECT_EQ(due_of(c), "2026-02-10");
  EXPECT_EQ(sql_int("SELECT count(*) FROM payments WHERE client_id = $1", {std::to_string(c)}), 1);
  // Settings are per tenant.
  ASSERT_EQ(call(verb::patch, "/v1/settings", b.owner(), R"({"payment_confirmation_enabled":true})").status, 200u);
  EXPECT_FALSE(json(call(verb::get, "/v1/settings", a.owner())).at("payment_confirmation_enabled").as_bool());
}

TEST_F(PaymentsPg, SettingsNeverReturnTheAsaasToken) {
  auto t = make_tenant();
  auto initial = call(verb::get, "/v1/settings", t.owner());
  ASSERT_EQ(initial.status, 200u) << initial.body;
  EXPECT_FALSE(json(initial).at("asaas_webhook_token_set").as_bool());
  EXPECT_EQ(json(initial).at("asaas_webhook_path").as_string(), "/webhooks/asaas/" + t.slug);
  EXPECT_FALSE(json(initial).at("payment_confirmation_text").as_string().empty());
  auto set = call(verb::patch, "/v1/settings", t.owner(), R"({"asaas_webhook_token":"super-secret-token-123"})");
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_TRUE(json(set).at("asaas_webhook_token_set").as_bool());
  EXPECT_EQ(set.body.find("super-secret"), std::string::npos);
  auto bad = call(verb::patch, "/v1/settings", t.owner(), R"({"asaas_webhook_token":"short","payment_confirmation_text":"","x":1})");
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(json(bad).at("errors").as_array().size(), 3u);
  auto cleared = call(verb::patch, "/v1/settings", t.owner(), R"({"asaas_webhook_token":null})");
  EXPECT_FALSE(json(cleared).at("asaas_webhook_token_set").as_bool());
}

}  // namespace
}  // namespace disparo::admin::test
