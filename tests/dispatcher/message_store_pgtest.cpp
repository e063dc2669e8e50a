// MessageStore against a live PostgreSQL: routing a tenant's requests to its sessions,
// inserting batches with their events, idempotency (also under a race), and reading a message.
#include "dispatcher/message_store.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <latch>
#include <set>
#include <thread>

#include "common/rfc3339.hpp"
#include "tests/dispatcher/store_fixture.hpp"

namespace disparo::dispatch::test {
namespace {

using namespace std::chrono_literals;

// --- routing -------------------------------------------------------------------------------

class RoutingTest : public StoreTest {
 protected:
  RoutingTest() {
    tenant_ = add_tenant("acme");
    other_ = add_tenant("other");
    default_session_ = add_session(tenant_, SessionSpec("default").as_default());
    second_session_ = add_session(tenant_, SessionSpec("second"));
    foreign_session_ = add_session(other_, SessionSpec("foreign").as_default());
    server_with_session_ = add_server(tenant_, "panel-a", second_session_);
    server_without_session_ = add_server(tenant_, "panel-b", std::nullopt);
    foreign_server_ = add_server(other_, "panel-x", foreign_session_);
    client_ = add_client(tenant_, "Maria");
    foreign_client_ = add_client(other_, "João");
  }

  // Routes `requests` for `tenant` and returns the errors; `sessions_` gets the routes.
  std::vector<FieldError> route(std::int64_t tenant, const std::vector<SendRequest>& requests, bool batch = false) {
    auto routing = load_routing(conn_, tenant, requests);
    if (!routing) throw std::runtime_error(routing.error().message);
    return route_requests(*routing, requests, batch, sessions_);
  }

  static SendRequest with(std::optional<std::int64_t> session, std::optional<std::int64_t> server,
                          std::optional<std::int64_t> client = std::nullopt) {
    auto request = text_request("+5511987654321", "x");
    request.session_id = session;
    request.server_id = server;
    request.client_id = client;
    return request;
  }

  std::int64_t tenant_, other_, default_session_, second_session_, foreign_session_;
  std::int64_t server_with_session_, server_without_session_, foreign_server_, client_, foreign_client_;
  std::vector<std::int64_t> sessions_;
};

TEST_F(RoutingTest, LoadsTheTenantsSessionsServersAndClients) {
  auto routing = load_routing(conn_, tenant_, {with(std::nullopt, server_with_session_, client_),
                                              with(std::nullopt, foreign_server_, foreign_client_)});
  ASSERT_TRUE(routing) << routing.error().message;
  EXPECT_EQ(routing->default_session, default_session_);
  EXPECT_EQ(routing->sessions, (std::unordered_set<std::int64_t>{default_session_, second_session_}));
  ASSERT_EQ(routing->server_sessions.size(), 1u);  // the other tenant's server is not loaded
  EXPECT_EQ(routing->server_sessions.at(server_with_session_), second_session_);
  EXPECT_EQ(routing->clients_checked, (std::unordered_set<std::int64_t>{client_}));
}

TEST_F(RoutingTest, NoSessionGivenUsesTheDefault) {
  EXPECT_TRUE(route(tenant_, {with(std::nullopt, std::nullopt)}).empty());
  EXPECT_EQ(sessions_, (std::vector<std::int64_t>{default_session_}));
}

TEST_F(RoutingTest, ExplicitSessionOfTheTenant) {
  EXPECT_TRUE(route(tenant_, {with(second_session_, std::nullopt)}).empty());
  EXPECT_EQ(sessions_, (std::vector<std::int64_t>{second_session_}));
}

TEST_F(RoutingTest, AnotherTenantsSessionIsAFieldError) {
  const auto errors = route(tenant_, {with(foreign_session_, std::nullopt)});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "session");
  const auto batch = route(tenant_, {with(second_session_, std::nullopt), with(foreign_session_, std::nullopt)}, true);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].field, "messages[1].session");
  EXPECT_TRUE(route(tenant_, {with(999999, std::nullopt)}).size() == 1u);
}

TEST_F(RoutingTest, ServerRoutesToItsSession) {
  EXPECT_TRUE(route(tenant_, {with(std::nullopt, server_with_session_)}).empty());
  EXPECT_EQ(sessions_, (std::vector<std::int64_t>{second_session_}));
}

TEST_F(RoutingTest, ServerWithoutSessionUsesTheDefault) {
  EXPECT_TRUE(route(tenant_, {with(std::nullopt, server_without_session_)}).empty());
  EXPECT_EQ(sessions_, (std::vector<std::int64_t>{default_session_}));
}

TEST_F(RoutingTest, AnotherTenantsServerIsAFieldError) {
  const auto errors = route(tenant_, {with(std::nullopt, foreign_server_)}, true);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "messages[0].server");
}

TEST_F(RoutingTest, NoDefaultSessionIsAnError) {
  const auto lonely = add_tenant("lonely");
  add_session(lonely, SessionSpec("not-default"));
  const auto server = add_server(lonely, "panel", std::nullopt);
  const auto errors = route(lonely, {with(std::nullopt, std::nullopt), with(std::nullopt, server)}, true);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "messages[0].session");
  EXPECT_EQ(errors[1].field, "messages[1].session");
}

TEST_F(RoutingTest, ClientOfAnotherTenantIsAFieldError) {
  EXPECT_TRUE(route(tenant_, {with(std::nullopt, std::nullopt, client_)}).empty());
  const auto errors = route(tenant_, {with(std::nullopt, std::nullopt, foreign_client_)});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "client_id");
}

// --- insert_messages ---------------------------------------------------------------------

class InsertTest : public StoreTest {
 protected:
  InsertTest() {
    tenant_ = add_tenant("acme");
    session_ = add_session(tenant_, SessionSpec("main").as_default());
  }
  std::int64_t count(const std::string& table) { return sql_int("SELECT count(*) FROM " + table); }
  std::int64_t tenant_, session_;
};

TEST_F(InsertTest, StoresEveryFieldAndTheAcceptedAndQueuedEvents) {
  const auto client = add_client(tenant_, "Maria");
  auto first = text_request("+5511987654321", "Olá \"Maria\", {fatura}\\ok");
  first.client_id = client;
  first.priority = Priority::transactional;
  first.idempotency_key = "inv-1";
  first.callback_url = "https://crm.example/h";
  first.metadata_json = R"({"invoice":991})";
  first.send_at = *parse_rfc3339("2030-01-02T03:04:05.678901Z");
  first.expires_at = *parse_rfc3339("2030-01-03T03:04:05Z");
  SendRequest second = text_request("+5521987654321", "x");
  second.content = TemplateContent{"lembrete", "pt_BR", {"a", "b,c"}};

  const auto accepted = insert(tenant_, {first, second}, session_);
  ASSERT_EQ(accepted.size(), 2u);
  for (const auto& a : accepted) {
    EXPECT_GT(a.id, 0);
    EXPECT_EQ(a.session_id, session_);
    EXPECT_EQ(a.status, "queued");
    EXPECT_FALSE(a.replayed);
  }
  EXPECT_NE(accepted[0].id, accepted[1].id);

  auto row = sql(R"SQL(SELECT tenant_id, session_id, client_id, recipient, kind, content::text, priority, status,
                        idempotency_key, metadata::text, callback_url, disparo_rfc3339(send_at),
                        disparo_rfc3339(expires_at), attempts, provider_message_id IS NULL
                   FROM messages WHERE id = $1)SQL",
                 {std::to_string(accepted[0].id)});
  ASSERT_EQ(row.size(), 1);
  EXPECT_EQ(row.int64(0, 0), tenant_);
  EXPECT_EQ(row.int64(0, 1), session_);
  EXPECT_EQ(row.int64(0, 2), client);
  EXPECT_EQ(row.text(0, 3), "+5511987654321");
  EXPECT_EQ(row.text(0, 4), "text");
  auto content = content_from_json("text", row.text(0, 5));
  ASSERT_TRUE(content);
  EXPECT_EQ(std::get<TextContent>(*content).body, "Olá \"Maria\", {fatura}\\ok");
  EXPECT_EQ(row.int64(0, 6), 0);
  EXPECT_EQ(row.text(0, 7), "queued");
  EXPECT_EQ(row.text(0, 8), "inv-1");
  EXPECT_EQ(row.text(0, 9), R"({"invoice": 991})");
  EXPECT_EQ(row.text(0, 10), "https://crm.example/h");
  EXPECT_EQ(row.text(0, 11), "2030-01-02T03:04:05.678901Z");
  EXPECT_EQ(row.text(0, 12), "2030-01-03T03:04:05.000000Z");
  EXPECT_EQ(row.int64(0, 13), 0);
  EXPECT_TRUE(row.boolean(0, 14));

  auto other = sql("SELECT kind, content::text, priority, client_id IS NULL, idempotency_key IS NULL, "
                   "metadata IS NULL, callback_url IS NULL FROM messages WHERE id = $1",
                   {std::to_string(accepted[1].id)});
  EXPECT_EQ(other.text(0, 0), "template");
  auto tpl = content_from_json("template", other.text(0, 1));
  ASSERT_TRUE(tpl);
  EXPECT_EQ(std::get<TemplateContent>(*tpl).body_params, (std::vector<std::string>{"a", "b,c"}));
  EXPECT_EQ(other.int64(0, 2), 1);
  for (int c = 3; c <= 6; ++c) EXPECT_TRUE(other.boolean(0, c)) << c;

  for (const auto& a : accepted) EXPECT_EQ(events_of(a.id), (std::vector<std::string>{"accepted", "queued"}));
  EXPECT_EQ(count("messages"), 2);
  EXPECT_EQ(count("message_events"), 4);
}

TEST_F(InsertTest, SameKeyReturnsTheOriginalWithoutANewRow) {
  const auto original = insert(tenant_, {text_request("+5511987654321", "first", "key-1")}, session_).at(0);
  EXPECT_FALSE(original.replayed);
  const auto again = insert(tenant_, {text_request("+5521987654321", "second", "key-1")}, session_).at(0);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.id, original.id);
  EXPECT_EQ(again.session_id, session_);
  EXPECT_EQ(again.status, "queued");
  EXPECT_EQ(count("messages"), 1);
  EXPECT_EQ(count("message_events"), 2);
  EXPECT_EQ(sql_text("SELECT content->>'body' FROM messages"), "first");

  // A replay reports where the original is now.
  sql("UPDATE messages SET status = 'delivered' WHERE id = $1", {std::to_string(original.id)});
  const auto later = insert(tenant_, {text_request("+5511987654321", "third", "key-1")}, session_).at(0);
  EXPECT_TRUE(later.replayed);
  EXPECT_EQ(later.id, original.id);
  EXPECT_EQ(later.status, "delivered");
}

TEST_F(InsertTest, MixedBatchKeepsRequestOrder) {
  const auto original = insert(tenant_, {text_request("+5511987654321", "old", "old-key")}, session_).at(0);
  const auto results = insert(tenant_,
                              {text_request("+5511987654321", "n1"), text_request("+5511987654321", "r", "old-key"),
                               text_request("+5511987654321", "n2", "new-key")},
                              session_);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].replayed);
  EXPECT_TRUE(results[1].replayed);
  EXPECT_EQ(results[1].id, original.id);
  EXPECT_FALSE(results[2].replayed);
  EXPECT_EQ(sql_text("SELECT content->>'body' FROM messages WHERE id = $1", {std::to_string(results[0].id)}), "n1");
  EXPECT_EQ(sql_text("SELECT content->>'body' FROM messages WHERE id = $1", {std::to_string(results[2].id)}), "n2");
  EXPECT_EQ(count("messages"), 3);
}

TEST_F(InsertTest, SameKeyTwiceInOneBatchIsOneRow) {
  const auto results = insert(tenant_,
                              {text_request("+5511987654321", "a", "dup"), text_request("+5511987654321", "b"),
                               text_request("+5511987654321", "c", "dup")},
                              session_);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].replayed);
  EXPECT_FALSE(results[1].replayed);
  EXPECT_TRUE(results[2].replayed);
  EXPECT_EQ(results[2].id, results[0].id);
  EXPECT_EQ(results[2].status, "queued");
  EXPECT_NE(results[1].id, results[0].id);
  EXPECT_EQ(count("messages"), 2);
  EXPECT_EQ(count("message_events"), 4);
  EXPECT_EQ(sql_text("SELECT content->>'body' FROM messages WHERE idempotency_key = 'dup'"), "a");
}

TEST_F(InsertTest, SameKeyInTwoTenantsIsTwoRows) {
  const auto other = add_tenant("other");
  const auto other_session = add_session(other, SessionSpec("main").as_default());
  const auto a = insert(tenant_, {text_request("+5511987654321", "a", "shared")}, session_).at(0);
  const auto b = insert(other, {text_request("+5511987654321", "b", "shared")}, other_session).at(0);
  EXPECT_FALSE(a.replayed);
  EXPECT_FALSE(b.replayed);
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(b.session_id, other_session);
  EXPECT_EQ(count("messages"), 2);
}

TEST_F(InsertTest, RacingRequestsWithTheSameKeyMakeOneRow) {
  constexpr int kRounds = 25;
  pg::Connection conn_a = db_.connect();
  pg::Connection conn_b = db_.connect();
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "race-" + std::to_string(round);
    std::latch start(2);
    Expected<std::vector<AcceptedMessage>> result_a = make_error(ErrorKind::internal, "not run");
    Expected<std::vector<AcceptedMessage>> result_b = make_error(ErrorKind::internal, "not run");
    auto racer = [&](pg::Connection& conn, Expected<std::vector<AcceptedMessage>>& out, const char* body) {
      const std::vector<SendRequest> requests = {text_request("+5511987654321", "other"),
                                                 text_request("+5511987654321", body, key)};
      start.arrive_and_wait();
      out = insert_messages(conn, tenant_, requests, {session_, session_});
    };
    {
      std::jthread a(racer, std::ref(conn_a), std::ref(result_a), "a");
      std::jthread b(racer, std::ref(conn_b), std::ref(result_b), "b");
    }
    ASSERT_TRUE(result_a) << result_a.error().message;
    ASSERT_TRUE(result_b) << result_b.error().message;
    ASSERT_EQ(result_a->size(), 2u);
    ASSERT_EQ(result_b->size(), 2u);
    EXPECT_EQ((*result_a)[1].id, (*result_b)[1].id) << key;
    EXPECT_NE((*result_a)[1].replayed, (*result_b)[1].replayed) << key;  // exactly one inserted it
    EXPECT_EQ((*result_a)[1].status, "queued");
    EXPECT_EQ((*result_b)[1].status, "queued");
    EXPECT_EQ((*result_a)[1].session_id, session_);
    EXPECT_EQ((*result_b)[1].session_id, session_);
    EXPECT_EQ(sql_int("SELECT count(*) FROM messages WHERE idempotency_key = $1", {key}), 1) << key;
  }
  EXPECT_EQ(count("messages"), kRounds * 3);  // per round: two unkeyed messages and one keyed
  EXPECT_EQ(count("message_events"), kRounds * 3 * 2);
}

TEST_F(InsertTest, TenThousandInOneCall) {
  std::vector<SendRequest> requests;
  requests.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) {
    requests.push_back(text_request("+5511987654321", "msg " + std::to_string(i), "bulk-" + std::to_string(i)));
  }
  const auto results = insert(tenant_, requests, session_);
  ASSERT_EQ(results.size(), 10'000u);
  EXPECT_EQ(count("messages"), 10'000);
  EXPECT_EQ(count("message_events"), 20'000);
  // Every result names the row made from its own request.
  auto rows = sql("SELECT idempotency_key, id FROM messages");
  std::unordered_map<std::string, std::int64_t> id_of_key;
  for (int r = 0; r < rows.size(); ++r) id_of_key[std::string(rows.text(r, 0))] = rows.int64(r, 1);
  std::set<std::int64_t> distinct;
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_EQ(results[i].id, id_of_key.at("bulk-" + std::to_string(i))) << i;
    ASSERT_FALSE(results[i].replayed);
    distinct.insert(results[i].id);
  }
  EXPECT_EQ(distinct.size(), 10'000u);
}

// --- message_json ----------------------------------------------------------------------------

TEST_F(InsertTest, MessageJsonIsScopedToTheTenant) {
  const auto other = add_tenant("other");
  const auto id = insert_one(tenant_, session_, text_request("+5511987654321", "x"));
  const auto foreign = message_json(conn_, other, id);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
  const auto missing = message_json(conn_, tenant_, id + 1000);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
}

TEST_F(InsertTest, MessageJsonListsEventsInOrder) {
  auto request = text_request("+5511987654321", "Olá");
  request.idempotency_key = "k";
  request.metadata_json = R"({"a":[1,2]})";
  const auto id = insert_one(tenant_, session_, request);
  sql(R"SQL(INSERT INTO message_events (message_id, status, reason) VALUES ($1, 'sending', NULL),
            ($1, 'queued', 'retry'), ($1, 'sending', NULL), ($1, 'sent', NULL))SQL",
      {std::to_string(id)});
  const auto json = message_json(conn_, tenant_, id);
  ASSERT_TRUE(json) << json.error().message;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(*json).get(root), simdjson::SUCCESS) << *json;
  std::string_view text;
  ASSERT_EQ(root["id"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, std::to_string(id));
  ASSERT_EQ(root["to"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "+5511987654321");
  ASSERT_EQ(root["priority"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "marketing");
  ASSERT_EQ(root.at_pointer("/content/body").get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "Olá");
  std::int64_t number = 0;
  ASSERT_EQ(root.at_pointer("/metadata/a/1").get(number), simdjson::SUCCESS);
  EXPECT_EQ(number, 2);
  ASSERT_EQ(root["send_at"].get(text), simdjson::SUCCESS);
  EXPECT_TRUE(parse_rfc3339(text)) << text;
  simdjson::dom::array events;
  ASSERT_EQ(root["events"].get(events), simdjson::SUCCESS);
  std::vector<std::string> statuses;
  for (auto event : events) {
    std::string_view status;
    EXPECT_EQ(event["status"].get(status), simdjson::SUCCESS);
    statuses.emplace_back(status);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"accepted", "queued", "sending", "queued", "sending", "sent"}));
  ASSERT_EQ(root.at_pointer("/events/3/reason").get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "retry");
}

}  // namespace
}  // namespace disparo::dispatch::test
