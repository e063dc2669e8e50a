#include "tests/campaigns_engine/engine_fixture.hpp"

#include <atomic>
#include <memory>
#include <random>
#include <stdexcept>

#include <unistd.h>

#include "common/rfc3339.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::campaigns::test {
namespace {

disparo::test::TestDatabase& database() {
  // Dropped at exit by the static's destructor (WITH (FORCE)).
  static disparo::test::TestDatabase db = disparo::test::TestDatabase::migrated();
  return db;
}

std::atomic<int> counter{0};

}  // namespace

pg::Connection connect() { return database().connect(); }
std::string database_url() { return database().url(); }

pg::Rows exec(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  auto rows = conn.exec(sql, params);
  if (!rows) throw std::runtime_error("SQL failed: " + rows.error().message + "\n" + sql);
  return std::move(*rows);
}

std::int64_t exec_id(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  auto rows = exec(conn, sql, params);
  if (rows.size() != 1) throw std::runtime_error("expected one row: " + sql);
  return rows.int64(0, 0);
}

std::int64_t count(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  return exec_id(conn, sql, params);
}

std::string unique_suffix() {
  static const unsigned seed = std::random_device{}();
  return std::to_string(::getpid()) + "-" + std::to_string(seed % 100000) + "-" + std::to_string(++counter);
}

TenantSeed seed_tenant(pg::Connection& conn, const std::string& zone, bool default_session) {
  TenantSeed s;
  const std::string slug = "engine-" + unique_suffix();
  s.tenant = exec_id(conn,
                     "INSERT INTO tenants (slug, name, time_zone, callback_secret) "
                     "VALUES ($1, 'Loja ' || $1, $2, 'whsec_test') RETURNING id",
                     {slug, zone});
  const std::string t = std::to_string(s.tenant);
  s.s1 = exec_id(conn,
                 "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, is_default) "
                 "VALUES ($1, 'S1', 'sandbox', 'http://127.0.0.1:1/v24.0', $2) RETURNING id",
                 {t, default_session ? "true" : "false"});
  s.s2 = exec_id(conn,
                 "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url) "
                 "VALUES ($1, 'S2', 'cloud_api', 'http://127.0.0.1:1/v24.0') RETURNING id",
                 {t});
  s.server_a = exec_id(conn, "INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, 'A', $2) RETURNING id",
                       {t, std::to_string(s.s1)});
  s.server_b = exec_id(conn, "INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, 'B', $2) RETURNING id",
                       {t, std::to_string(s.s2)});
  s.server_c = exec_id(conn, "INSERT INTO servers (tenant_id, name) VALUES ($1, 'C') RETURNING id", {t});
  s.plan = exec_id(conn,
                   "INSERT INTO plans (tenant_id, name, cycle, price_cents, grace_days) "
                   "VALUES ($1, 'Mensal', 'monthly', 3500, 5) RETURNING id",
                   {t});
  s.template_id = exec_id(conn,
                          "INSERT INTO message_templates (tenant_id, name, kind, body) VALUES "
                          "($1, 'lembrete', 'text', 'Olá {nome}, seu plano {plano} vence em {vencimento}: {valor}.') "
                          "RETURNING id",
                          {t});
  return s;
}

std::int64_t add_client(pg::Connection& conn, std::int64_t tenant, const ClientSpec& spec) {
  // Unique mobile numbers: +55 11 9 8xxx xxxx.
  static std::atomic<int> next{0};
  const int n = (static_cast<int>(::getpid()) * 7919 + ++next) % 10'000'000;
  char phone[32];
  std::snprintf(phone, sizeof phone, "+55119%08d", 80'000'000 + n);
  const std::int64_t id = exec_id(
      conn,
      "INSERT INTO clients (tenant_id, server_id, name, phone, due_date, blocked, archived_at, plan_id, username) "
      "VALUES ($1, $2, $3, $4, $5::date, $6, CASE WHEN $7 THEN now() END, $8, 'user' || $3) RETURNING id",
      {std::to_string(tenant), spec.server ? pg::Param(std::to_string(*spec.server)) : std::nullopt, spec.name,
       std::string(phone), spec.due_date, spec.blocked ? "true" : "false", spec.archived ? "true" : "false",
       spec.plan ? pg::Param(std::to_string(*spec.plan)) : std::nullopt});
  if (spec.opted_out) {
    exec(conn,
         "INSERT INTO opt_outs (tenant_id, contact_key, keyword, opted_out_at) "
         "VALUES ($1, disparo_contact_key($2), 'SAIR', now())",
         {std::to_string(tenant), std::string(phone)});
  }
  return id;
}

std::int64_t add_campaign(pg::Connection& conn, const TenantSeed& seed, const std::string& name,
                          const std::string& extra_columns, const std::string& extra_values) {
  return exec_id(conn,
                 "INSERT INTO campaigns (tenant_id, name, kind, template_id" + extra_columns +
                     ") VALUES ($1, $2, 'custom', $3" + extra_values + ") RETURNING id",
                 {std::to_string(seed.tenant), name, std::to_string(seed.template_id)});
}

std::int64_t request_manual_run(pg::Connection& conn, const TenantSeed& seed, std::int64_t campaign,
                                SysTime when, const std::string& day) {
  return exec_id(conn,
                 "INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, requested_at) "
                 "VALUES ($1, $2, 'manual', $3, $4::date, 'requested', $3) RETURNING id",
                 {std::to_string(seed.tenant), std::to_string(campaign), format_rfc3339(when), day});
}

SysTime at(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) throw std::invalid_argument(std::string(rfc3339));
  return *t;
}

}  // namespace disparo::campaigns::test
