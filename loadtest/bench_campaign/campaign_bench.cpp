// disparo-bench-campaign: expands one campaign over N clients (default 100,000) into durable
// queued messages, the way the dispatcher's scheduler does (campaigns/expansion.hpp: audience SQL,
// rendering in C++, COPY into a staging table, one INSERT ... SELECT with the events, one
// transaction), and measures the same run's physical limit for the same rows:
//   - raw COPY of N pre-rendered rows straight into messages, then of their N events (no
//     audience, no staging, no ON CONFLICT);
//   - COPY into a staging table + INSERT ... SELECT into messages + 1 event row each, i.e. the
//     expansion's write path without the audience query and the rendering;
//   - the audience statement alone and the rendering alone.
// Each figure is the median of --repeat runs. A private database (created, migrated, dropped).
//
//   disparo-bench-campaign [--pg-url URL] [--clients 100000] [--sessions 4] [--repeat 3] [--out FILE]
//   PostgreSQL: --pg-url, else DISPARO_BENCH_PG_URL, else DISPARO_TEST_PG_URL (a superuser URL to
//   `postgres`). loadtest/bench_campaign/run starts a private durable one.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "adapters/postgres/migrate.hpp"
#include "adapters/postgres/pg.hpp"
#include "campaigns/audience.hpp"
#include "campaigns/expansion.hpp"
#include "campaigns/message_template.hpp"
#include "common/rfc3339.hpp"
#include "loadtest/bench_support/options.hpp"

namespace disparo::bench {
namespace {

using Clock = std::chrono::steady_clock;

pg::Rows must(Expected<pg::Rows> rows, const char* what) {
  if (!rows) throw std::runtime_error(std::string(what) + ": " + rows.error().message);
  return std::move(*rows);
}

// Puts every timed write on the same footing: the one before it wakes autovacuum (100,000
// inserts cross its insert threshold), which on 2 cores would run during the next measurement.
// No autovacuum worker before each. (Not a CHECKPOINT: right after one, every first touch of a
// page writes a full-page image to the WAL, which measured 1.4-2 s slower for every figure.)
void settle(pg::Connection& conn) {
  for (int i = 0; i < 600; ++i) {
    const auto busy = must(conn.exec("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"),
                           "autovacuum").int64(0, 0);
    if (busy == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// COPY text format escaping (content JSON may hold backslashes).
std::string copy_field(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\n') out += "\\n";
    else if (ch == '\r') out += "\\r";
    else out += ch;
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string with_database(const std::string& url, const std::string& name) {
  // postgresql://user@host:port/postgres -> .../name (a URL ending with the database).
  const auto slash = url.rfind('/');
  if (slash == std::string::npos || slash < 12) throw std::runtime_error("need a postgresql:// URL");
  const auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

struct Seeded {
  std::int64_t tenant = 0, campaign = 0, first_session = 0;
};

Seeded seed(pg::Connection& conn, std::int64_t clients, std::int64_t sessions) {
  Seeded s;
  s.tenant = must(conn.exec("INSERT INTO tenants (slug, name, callback_secret) VALUES ('bench-campaign', 'Bench', 'x') "
                            "RETURNING id"), "tenant").int64(0, 0);
  const std::string t = std::to_string(s.tenant);
  must(conn.exec("INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, is_default) "
                 "SELECT $1, 'S' || g, 'sandbox', 'http://127.0.0.1:1/v24.0', g = 1 FROM generate_series(1, $2::int) g",
                 {t, std::to_string(sessions)}), "sessions");
  must(conn.exec("INSERT INTO servers (tenant_id, name, session_id) "
                 "SELECT $1, 'Servidor ' || w.name, w.id FROM whatsapp_sessions w WHERE w.tenant_id = $1",
                 {t}), "servers");
  must(conn.exec("INSERT INTO plans (tenant_id, name, cycle, price_cents) VALUES ($1, 'Mensal', 'monthly', 3500)", {t}),
       "plan");
  // Clients spread over the servers, due dates over a month, a few blocked / archived / opted out
  // so the exclusion branches run too.
  must(conn.exec(
           "INSERT INTO clients (tenant_id, server_id, name, phone, username, password, plan_id, due_date, blocked) "
           "SELECT $1, (SELECT id FROM servers WHERE tenant_id = $1 ORDER BY id OFFSET (g % $3::int) LIMIT 1), "
           "       'Cliente ' || g, '+55119' || (80000000 + g)::text, 'user' || g, 'pw' || g, "
           "       (SELECT id FROM plans WHERE tenant_id = $1), DATE '2026-11-01' + (g % 30), g % 997 = 0 "
           "FROM generate_series(1, $2::int) g",
           {t, std::to_string(clients), std::to_string(sessions)}), "clients");
  must(conn.exec("INSERT INTO opt_outs (tenant_id, contact_key, keyword, opted_out_at) "
                 "SELECT $1, disparo_contact_key(phone), 'SAIR', now() FROM clients WHERE tenant_id = $1 AND id % 1009 = 0",
                 {t}), "opt-outs");
  const auto tmpl = must(conn.exec(
      "INSERT INTO message_templates (tenant_id, name, kind, body) VALUES ($1, 'lembrete', 'text', "
      "'Olá {nome}! Seu plano {plano} no {servidor} vence em {vencimento} ({dias} dias): {valor}. "
      "Usuário {usuario}. Qualquer dúvida, fale com a {empresa}.') RETURNING id", {t}), "template").int64(0, 0);
  s.campaign = must(conn.exec("INSERT INTO campaigns (tenant_id, name, kind, template_id, interval_seconds) "
                              "VALUES ($1, 'bench', 'billing', $2, 10) RETURNING id",
                              {t, std::to_string(tmpl)}), "campaign").int64(0, 0);
  s.first_session = must(conn.exec("SELECT min(id) FROM whatsapp_sessions WHERE tenant_id = $1", {t}), "s").int64(0, 0);
  must(conn.exec("ANALYZE"), "analyze");
  return s;
}

// The expansion's write path alone: the same staging table, INSERT ... SELECT and events.
double staged_insert(pg::Connection& conn, const Seeded& s, const std::string& rows, int rep) {
  const auto start = Clock::now();
  auto done = pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<void> {
    if (auto r = c.exec_script("CREATE TEMP TABLE staging (ord int, client_id bigint, session_id bigint, recipient text, "
                               "kind text, content text, idempotency_key text) ON COMMIT DROP"); !r) return r;
    if (auto r = c.copy_in("COPY staging FROM STDIN", rows); !r) return std::move(r).error();
    auto r = c.exec(
        "WITH ins AS (INSERT INTO messages (tenant_id, session_id, client_id, recipient, kind, content, priority, status, "
        "  idempotency_key, send_at, expires_at, group_id, group_interval_ms, origin) "
        "  SELECT $1, session_id, client_id, recipient, kind, content::jsonb, 1, 'queued', 'staged:' || $2 || ':' || idempotency_key, "
        "         now(), now() + interval '1 day', 'bench', 10000, 'campaign' FROM staging ORDER BY ord "
        "  ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id), "
        "ev AS (INSERT INTO message_events (message_id, status, reason) SELECT ins.id, 'queued', 'campaign' FROM ins "
        "  ORDER BY ins.id) "
        "SELECT count(*) FROM ins",
        {std::to_string(s.tenant), std::to_string(rep)});
    if (!r) return std::move(r).error();
    return {};
  });
  if (!done) throw std::runtime_error("staged insert: " + done.error().message);
  return seconds_since(start);
}

// Raw COPY of the same rows straight into messages with ids drawn beforehand, then COPY of their
// queued events (one each, like the expansion): the floor for the same durable rows (no audience, no rendering, no
// staging, no ON CONFLICT). Returns {messages only, messages + events}.
std::pair<double, double> raw_copy(pg::Connection& conn, const std::vector<std::string>& rows) {
  double messages_s = 0;
  const auto start = Clock::now();
  auto done = pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<void> {
    auto ids = c.exec("SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, $1::int)",
                      {std::to_string(rows.size())});
    if (!ids) return std::move(ids).error();
    std::string messages, events;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string id(ids->text(static_cast<int>(i), 0));
      messages += id + '\t' + rows[i];
      events += id + "\tqueued\tcampaign\n";
    }
    // COPY writes identity columns as given (like OVERRIDING SYSTEM VALUE).
    auto m = c.copy_in("COPY messages (id, tenant_id, session_id, client_id, recipient, kind, content, status, "
                       "idempotency_key, expires_at) FROM STDIN", messages);
    if (!m) return std::move(m).error();
    messages_s = seconds_since(start);
    auto e = c.copy_in("COPY message_events (message_id, status, reason) FROM STDIN", events);
    if (!e) return std::move(e).error();
    return {};
  });
  if (!done) throw std::runtime_error("raw copy: " + done.error().message);
  return {messages_s, seconds_since(start)};
}

int run(int argc, char** argv) {
  Options options(argc, argv);
  const std::int64_t clients = options.integer("clients", 100'000);
  const std::int64_t sessions = options.integer("sessions", 4);
  const int repeat = static_cast<int>(options.integer("repeat", 3));
  Summary summary(options.text("out", ""));
  std::string base = options.text("pg-url", "");
  for (const char* name : {"DISPARO_BENCH_PG_URL", "DISPARO_TEST_PG_URL"}) {
    if (const char* v = std::getenv(name); base.empty() && v != nullptr) base = v;
  }
  if (base.empty()) throw std::runtime_error("pass --pg-url or set DISPARO_BENCH_PG_URL or DISPARO_TEST_PG_URL");

  const std::string db_name = "disparo_bench_campaign_" + std::to_string(::getpid());
  auto admin = pg::Connection::open(base);
  if (!admin) throw std::runtime_error("cannot connect: " + admin.error().message);
  must(admin->exec("CREATE DATABASE " + db_name), "create database");
  struct Dropper {
    pg::Connection& admin;
    std::string name;
    ~Dropper() { (void)admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
  } dropper{*admin, db_name};

  auto conn = pg::Connection::open(with_database(base, db_name));
  if (!conn) throw std::runtime_error("cannot connect: " + conn.error().message);
  if (auto migrated = pg::migrate(*conn, pg::embedded_migrations()); !migrated) {
    throw std::runtime_error("migrate: " + migrated.error().message);
  }
  auto t0 = Clock::now();
  const Seeded s = seed(*conn, clients, sessions);
  summary.add("seed_s", seconds_since(t0), 2);

  const std::string server_version(must(conn->exec("SHOW server_version"), "version").text(0, 0));
  summary.add("postgres", server_version);
  summary.add("clients", clients);
  summary.add("sessions", sessions);

  std::vector<double> expansion, audience, render, staged, raw, raw_events;
  std::int64_t recipients = 0, excluded = 0;
  const date::local_days first_day{date::year{2026} / 11 / 23};
  for (int rep = 0; rep < repeat; ++rep) {
    const auto day = first_day + date::days{rep};  // a new day: nobody "already reached today"
    const SysTime slot = SysTime{std::chrono::seconds(1'795'000'000 + rep * 86'400)};

    // The audience statement alone (what the preview runs).
    const campaigns::AudienceScope scope{.tenant_id = s.tenant, .campaign_id = s.campaign, .day = day, .run_id = std::nullopt};
    t0 = Clock::now();
    const auto rows = must(conn->exec(campaigns::audience_sql(), campaigns::audience_params(scope)), "audience");
    audience.push_back(seconds_since(t0));

    // Rendering alone, and the COPY rows the write-path figures use.
    auto tmpl = campaigns::load_template(*conn, s.tenant, must(conn->exec(
        "SELECT template_id FROM campaigns WHERE id = $1", {std::to_string(s.campaign)}), "t").int64(0, 0));
    if (!tmpl) throw std::runtime_error("template: " + tmpl.error().message);
    std::string staged_rows;
    std::vector<std::string> raw_rows;
    t0 = Clock::now();
    for (int r = 0; r < rows.size(); ++r) {
      if (!rows.is_null(r, campaigns::kReason)) continue;
      const auto context = campaigns::context_from_row(rows, r, "Bench", day, std::chrono::minutes(9 * 60));
      auto message = campaigns::render_message(*tmpl, context, false);
      if (!message) throw std::runtime_error("render: " + message.error().message);
      const std::string client = std::string(rows.text(r, campaigns::kClientId));
      const std::string session = std::string(rows.text(r, campaigns::kSessionId));
      staged_rows += std::to_string(r) + '\t' + client + '\t' + session + '\t' + std::string(rows.text(r, campaigns::kPhone)) +
                     '\t' + message->kind + '\t' + copy_field(message->content_json) + '\t' + client + '\n';
      raw_rows.push_back(std::to_string(s.tenant) + '\t' + session + '\t' + client + '\t' + std::string(rows.text(r, campaigns::kPhone)) +
                  '\t' + message->kind + '\t' + copy_field(message->content_json) + "\tqueued\traw:" + std::to_string(rep) + ':' + client +
                  "\t2030-01-01T00:00:00Z\n");
    }
    render.push_back(seconds_since(t0));

    settle(*conn);
    staged.push_back(staged_insert(*conn, s, staged_rows, rep));
    settle(*conn);
    const auto [raw_messages_s, raw_with_events_s] = raw_copy(*conn, raw_rows);
    raw.push_back(raw_messages_s);
    raw_events.push_back(raw_with_events_s);

    // The real thing: a requested run expanded by the engine, one transaction, committed.
    const auto run_id = must(conn->exec(
        "INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, requested_at) "
        "VALUES ($1, $2, 'manual', $3, $4::date, 'requested', $3) RETURNING id",
        {std::to_string(s.tenant), std::to_string(s.campaign), format_rfc3339(slot), campaigns::format_local_date(day)}),
        "run").int64(0, 0);
    settle(*conn);
    t0 = Clock::now();
    auto outcome = campaigns::expand_run(*conn, run_id, slot, campaigns::ExpansionSettings{});
    expansion.push_back(seconds_since(t0));
    if (!outcome || !*outcome) throw std::runtime_error("expansion failed");
    recipients = (*outcome)->recipients;
    excluded = (*outcome)->excluded;
    std::cerr << "rep " << rep << ": expansion " << expansion.back() << " s, staged write " << staged.back()
              << " s, raw copy " << raw.back() << " s (+ events " << raw_events.back() << " s), audience " << audience.back() << " s, render "
              << render.back() << " s\n";
  }
  const auto durable = must(conn->exec("SELECT count(*) FROM messages WHERE origin = 'campaign' AND campaign_run_id IS NOT NULL"),
                            "count").int64(0, 0);
  summary.add("recipients", recipients);
  summary.add("excluded", excluded);
  summary.add("messages_durable", durable);
  summary.add("expansion_s", median(expansion), 3);
  summary.add("expansion_per_s", static_cast<double>(recipients) / median(expansion), 0);
  summary.add("audience_query_s", median(audience), 3);
  summary.add("render_s", median(render), 3);
  summary.add("staged_write_with_events_s", median(staged), 3);
  summary.add("raw_copy_s", median(raw), 3);
  summary.add("raw_copy_per_s", static_cast<double>(recipients) / median(raw), 0);
  summary.add("raw_copy_with_events_s", median(raw_events), 3);
  summary.add("expansion_over_raw_copy_with_events", median(expansion) / median(raw_events), 2);
  summary.write();
  return 0;
}

}  // namespace
}  // namespace disparo::bench

int main(int argc, char** argv) {
  try {
    return disparo::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "disparo-bench-campaign: " << e.what() << "\n";
    return 1;
  }
}
