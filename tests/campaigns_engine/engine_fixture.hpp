// Test helpers for the campaign engine's PostgreSQL tests: one private migrated database per test
// binary, and a few seeding helpers (tenants with sessions and servers, clients, a template, a
// campaign, runs). Every helper throws std::runtime_error with the SQL error on failure. Test
// thread only (connections are per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/postgres/pg.hpp"
#include "common/clock.hpp"

namespace disparo::campaigns::test {

// The binary's database (created and migrated on first use, dropped at exit).
pg::Connection connect();
std::string database_url();

// Runs one statement; throws on error.
pg::Rows exec(pg::Connection& conn, const std::string& sql, const pg::Params& params = {});
std::int64_t exec_id(pg::Connection& conn, const std::string& sql, const pg::Params& params = {});
std::int64_t count(pg::Connection& conn, const std::string& sql, const pg::Params& params = {});

// A tenant with a sandbox session S1 (is_default when default_session), a cloud_api session S2,
// servers A -> S1, B -> S2, C without session, a plan, and a text template without provider
// mapping ("Olá {nome}, seu plano {plano} vence em {vencimento}: {valor}.").
struct TenantSeed {
  std::int64_t tenant = 0, s1 = 0, s2 = 0, server_a = 0, server_b = 0, server_c = 0, plan = 0,
               template_id = 0;
};
TenantSeed seed_tenant(pg::Connection& conn, const std::string& zone = "America/Sao_Paulo",
                       bool default_session = false);

struct ClientSpec {
  std::string name = "Cliente";
  std::optional<std::int64_t> server = std::nullopt;
  std::optional<std::string> due_date = std::nullopt;  // YYYY-MM-DD
  bool blocked = false;
  bool archived = false;
  bool opted_out = false;
  std::optional<std::int64_t> plan = std::nullopt;
};
std::int64_t add_client(pg::Connection& conn, std::int64_t tenant, const ClientSpec& spec);

// A campaign over the seed's template; `extra_columns`/`extra_values` add column assignments
// (", schedule_days, schedule_time" / ", 127, '09:00'").
std::int64_t add_campaign(pg::Connection& conn, const TenantSeed& seed, const std::string& name,
                          const std::string& extra_columns = "", const std::string& extra_values = "");

// A manual run requested at `at` for local day `day` (YYYY-MM-DD).
std::int64_t request_manual_run(pg::Connection& conn, const TenantSeed& seed, std::int64_t campaign,
                                SysTime at, const std::string& day);

SysTime at(std::string_view rfc3339);
std::string unique_suffix();

}  // namespace disparo::campaigns::test
