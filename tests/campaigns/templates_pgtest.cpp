// The templates side of disparo_campaigns against PostgreSQL: load_client_target (session rule,
// amount, tenant zone), load_template, enqueue_message (events, idempotency). One private
// migrated database for the whole binary; each test makes its own tenant.
#include <random>

#include <gtest/gtest.h>

#include "campaigns/client_context.hpp"
#include "campaigns/enqueue.hpp"
#include "campaigns/message_template.hpp"
#include "common/rfc3339.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::campaigns {
namespace {

class TemplatesPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new test::TestDatabase(test::TestDatabase::migrated());
    conn_ = new pg::Connection(db_->connect());
  }
  static void TearDownTestSuite() {
    delete conn_;
    delete db_;
  }

  std::string sql(const std::string& statement, const pg::Params& params = {}) {
    auto rows = conn_->exec(statement, params);
    if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + " in: " + statement);
    if (rows->size() == 0 || rows->columns() == 0) return {};
    return std::string(rows->text(0, 0));
  }
  std::int64_t id(const std::string& statement, const pg::Params& params = {}) {
    return std::stoll(sql(statement, params));
  }
  std::int64_t tenant(const std::string& zone = "America/Sao_Paulo") {
    static int n = 0;
    std::random_device rd;
    const std::string slug = "tpl-" + std::to_string(++n) + "-" + std::to_string(rd() % 1000000);
    return id("INSERT INTO tenants (slug, name, time_zone, callback_secret) VALUES ($1, $2, $3, 's') RETURNING id",
              {slug, "Loja " + slug, zone});
  }
  std::int64_t session(std::int64_t tenant_id, const std::string& name, const std::string& provider, bool is_default) {
    return id("INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, is_default) "
              "VALUES ($1, $2, $3, 'http://127.0.0.1:1', $4) RETURNING id",
              {std::to_string(tenant_id), name, provider, is_default ? "true" : "false"});
  }

  static test::TestDatabase* db_;
  static pg::Connection* conn_;
};
test::TestDatabase* TemplatesPg::db_ = nullptr;
pg::Connection* TemplatesPg::conn_ = nullptr;

SysTime at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

TEST_F(TemplatesPg, ClientTargetJoinsServerPlanTenantAndTheServersSession) {
  const auto t = tenant("America/Manaus");
  const auto def = session(t, "padrao", "evolution", true);
  const auto cloud = session(t, "oficial", "cloud_api", false);
  const auto server = id("INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, 'Servidor A', $2) RETURNING id",
                         {std::to_string(t), std::to_string(cloud)});
  const auto plan = id("INSERT INTO plans (tenant_id, name, cycle, price_cents) VALUES ($1, 'Mensal', 'monthly', 3500) "
                       "RETURNING id",
                       {std::to_string(t)});
  const auto client = id(
      "INSERT INTO clients (tenant_id, server_id, plan_id, name, phone, username, password, due_date) "
      "VALUES ($1, $2, $3, 'Ana', '+5511987654321', 'ana1', 'pw', '2026-03-10') RETURNING id",
      {std::to_string(t), std::to_string(server), std::to_string(plan)});

  // 03:30 UTC on March 5 is still March 4 (23:30) in Manaus (UTC-4).
  auto target = load_client_target(*conn_, t, client, at("2026-03-05T03:30:00Z"));
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->phone, "+5511987654321");
  EXPECT_EQ(target->session_id, cloud);
  EXPECT_TRUE(target->cloud_api());
  EXPECT_EQ(target->context.nome, "Ana");
  EXPECT_EQ(target->context.usuario, "ana1");
  EXPECT_EQ(target->context.senha, "pw");
  EXPECT_EQ(target->context.servidor, "Servidor A");
  EXPECT_EQ(target->context.plano, "Mensal");
  EXPECT_EQ(target->context.valor_cents, 3500);  // amount 0 = the plan's price
  EXPECT_EQ(target->context.empresa.substr(0, 5), "Loja ");
  EXPECT_EQ(render_text("{data} {hora} {vencimento} {dias}", target->context), "04/03/2026 23:30 10/03/2026 6");

  // A server without a session falls back to the tenant's default session; an own amount wins.
  sql("UPDATE servers SET session_id = NULL WHERE id = $1", {std::to_string(server)});
  sql("UPDATE clients SET amount_cents = 2000 WHERE id = $1", {std::to_string(client)});
  target = load_client_target(*conn_, t, client, at("2026-03-05T12:00:00Z"));
  ASSERT_TRUE(target);
  EXPECT_EQ(target->session_id, def);
  EXPECT_EQ(target->provider, "evolution");
  EXPECT_EQ(target->context.valor_cents, 2000);
  EXPECT_TRUE(target->can_receive_automatic());

  // No session at all: nullopt, and no automatic message.
  sql("UPDATE whatsapp_sessions SET is_default = false WHERE tenant_id = $1", {std::to_string(t)});
  target = load_client_target(*conn_, t, client, at("2026-03-05T12:00:00Z"));
  ASSERT_TRUE(target);
  EXPECT_FALSE(target->session_id);
  EXPECT_FALSE(target->can_receive_automatic());
}

TEST_F(TemplatesPg, ClientTargetIsTenantScoped) {
  const auto a = tenant();
  const auto b = tenant();
  const auto client = id("INSERT INTO clients (tenant_id, name, phone) VALUES ($1, 'X', '+5511987654321') RETURNING id",
                         {std::to_string(a)});
  auto other = load_client_target(*conn_, b, client, at("2026-03-05T12:00:00Z"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ErrorKind::not_found);
  sql("UPDATE clients SET blocked = true WHERE id = $1", {std::to_string(client)});
  auto blocked = load_client_target(*conn_, a, client, at("2026-03-05T12:00:00Z"));
  ASSERT_TRUE(blocked);
  EXPECT_TRUE(blocked->blocked);
  EXPECT_FALSE(blocked->can_receive_automatic());
}

TEST_F(TemplatesPg, LoadTemplateReadsEveryColumnAndIsTenantScoped) {
  const auto t = tenant();
  const auto other = tenant();
  const auto tmpl = id(
      "INSERT INTO message_templates (tenant_id, name, kind, body, provider_template, provider_language, "
      "provider_params) VALUES ($1, 'lembrete', 'text', 'Olá {nome}', 'lembrete_v1', 'pt_BR', "
      "ARRAY['{nome}', 'a \"quoted\", value']) RETURNING id",
      {std::to_string(t)});
  auto loaded = load_template(*conn_, t, tmpl);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->name, "lembrete");
  EXPECT_EQ(loaded->body, "Olá {nome}");
  EXPECT_EQ(loaded->provider_template, "lembrete_v1");
  EXPECT_EQ(loaded->provider_params, (std::vector<std::string>{"{nome}", "a \"quoted\", value"}));
  EXPECT_FALSE(loaded->archived_at);
  EXPECT_FALSE(loaded->created_at.empty());
  auto foreign = load_template(*conn_, other, tmpl);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
}

TEST_F(TemplatesPg, EnqueueInsertsAQueuedMessageWithItsEventsOnce) {
  const auto t = tenant();
  const auto s = session(t, "padrao", "sandbox", true);
  NewMessage m;
  m.tenant_id = t;
  m.session_id = s;
  m.recipient = "+5511987654321";
  m.kind = "text";
  m.content_json = R"({"body":"oi","preview_url":false})";
  m.priority = 0;
  m.origin = "scheduled";
  m.idempotency_key = "k-1";
  m.send_at = at("2030-01-02T03:04:05Z");
  auto first = enqueue_message(*conn_, m);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->has_value());
  const auto mid = std::to_string(**first);
  EXPECT_EQ(sql("SELECT status || ' ' || origin || ' ' || priority || ' ' || disparo_rfc3339(send_at) || ' ' || "
                "disparo_rfc3339(expires_at) FROM messages WHERE id = $1",
                {mid}),
            "queued scheduled 0 2030-01-02T03:04:05.000000Z 2030-01-03T03:04:05.000000Z");
  EXPECT_EQ(sql("SELECT string_agg(status, ',' ORDER BY id) FROM message_events WHERE message_id = $1", {mid}),
            "accepted,queued");

  auto again = enqueue_message(*conn_, m);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(sql("SELECT count(*) FROM messages WHERE tenant_id = $1", {std::to_string(t)}), "1");

  // Without a key or times: now() and 24 hours later.
  NewMessage plain = m;
  plain.idempotency_key.reset();
  plain.send_at.reset();
  plain.client_id.reset();
  auto inserted = enqueue_message(*conn_, plain);
  ASSERT_TRUE(inserted);
  ASSERT_TRUE(inserted->has_value());
  EXPECT_EQ(sql("SELECT (expires_at - send_at = interval '24 hours' AND send_at <= now())::text FROM messages "
                "WHERE id = $1",
                {std::to_string(**inserted)}),
            "true");
}

TEST_F(TemplatesPg, EnqueueRefusesBadContentAsAValue) {
  const auto t = tenant();
  const auto s = session(t, "padrao", "sandbox", true);
  NewMessage m;
  m.tenant_id = t;
  m.session_id = s;
  m.recipient = "+5511987654321";
  m.kind = "sticker";  // the table's CHECK
  m.content_json = "{}";
  auto result = enqueue_message(*conn_, m);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::invalid_argument);
}

}  // namespace
}  // namespace disparo::campaigns
