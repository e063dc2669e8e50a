// disparo-bench-admin-list: the client listing of the admin API under 100,000 clients.
//
// Creates a private database (dropped at the end unless --keep-db), applies the migrations,
// seeds one tenant with --clients clients (generate_series: names, usernames, phones, servers,
// plans, channels, due dates spread around today, blocked/archived shares, tags, one payment for
// every other client), runs the real admin service (AdminApp) on loopback in this process, and
// walks pages of GET /v1/clients over HTTP for several filter mixes, following next_cursor. Each
// request is timed on the client side (keep-alive connection, one request in flight); prints
// p50/p90/p99/max per mix as a Markdown table and key=value lines (--summary file).
//
// Usage: disparo-bench-admin-list --pg-url postgresql://postgres@127.0.0.1:55442/postgres
//          [--clients 100000] [--pages 400] [--limit 50] [--keep-db] [--summary out.txt]
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "adapters/postgres/migrate.hpp"
#include "adapters/postgres/pg.hpp"
#include "admin/app.hpp"
#include "admin/tenants.hpp"
#include "loadtest/bench_support/http_connection.hpp"
#include "loadtest/bench_support/options.hpp"
#include "loadtest/bench_support/stats.hpp"

namespace {

using namespace disparo;

std::string database_url(const std::string& url, const std::string& db) {
  // postgresql://user@host:port/name?opts -> same with /db
  auto scheme = url.find("://");
  if (scheme == std::string::npos) throw std::invalid_argument("--pg-url must be a postgresql:// URL");
  auto slash = url.find('/', scheme + 3);
  auto query = url.find('?', scheme + 3);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  return base + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

void must(const Expected<void>& r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
}
pg::Rows must(Expected<pg::Rows> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

struct Seeded {
  std::string key;
  std::int64_t server = 0, plan = 0;
};

Seeded seed(pg::Connection& conn, std::int64_t clients) {
  auto created = admin::create_tenant(conn, {"bench-list", "Bench list", "America/Sao_Paulo"});
  if (!created) throw std::runtime_error("create tenant: " + created.error().message);
  const auto tenant = std::to_string(created->tenant.id);
  must(conn.exec_script("BEGIN"), "begin");
  must(conn.exec("INSERT INTO servers (tenant_id, name, credit_cost_cents) "
                 "SELECT $1, 'Servidor ' || i, 100 * i FROM generate_series(1, 5) i", {tenant}), "servers");
  must(conn.exec("INSERT INTO plans (tenant_id, name, cycle, price_cents, grace_days) VALUES "
                 "($1, 'Mensal', 'monthly', 3500, 5), ($1, 'Bimestral', 'bimonthly', 6500, 3), "
                 "($1, 'Trimestral', 'quarterly', 9000, 0), ($1, 'Anual', 'annual', 30000, 10)", {tenant}), "plans");
  must(conn.exec("INSERT INTO acquisition_channels (tenant_id, name, cost_cents) VALUES "
                 "($1, 'Facebook', 800), ($1, 'Indicação', 0), ($1, 'Disparo', 50), ($1, 'Instagram', 600)", {tenant}),
       "channels");
  // Random but reproducible attributes (setseed): no column is correlated with another, so the
  // sort order of a listing tells nothing about which rows a filter keeps.
  must(conn.exec("SELECT setseed(0.42)"), "setseed");
  must(conn.exec(
           "WITH s AS (SELECT array_agg(id ORDER BY id) a FROM servers WHERE tenant_id = $1), "
           "     p AS (SELECT array_agg(id ORDER BY id) a FROM plans WHERE tenant_id = $1), "
           "     c AS (SELECT array_agg(id ORDER BY id) a FROM acquisition_channels WHERE tenant_id = $1), "
           "     r AS (SELECT i, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, "
           "                 (random() * 90)::int - 60 AS due, random() r7, random() r8 "
           "           FROM generate_series(1, $2::bigint) i) "
           "INSERT INTO clients (tenant_id, name, username, phone, server_id, plan_id, channel_id, due_date, due_day, "
           "  blocked, archived_at, archive_reason, created_at, amount_cents, screens) "
           "SELECT $1, "
           "  (ARRAY['Ana','Bruno','Carla','Daniel','Eduarda','Felipe','Gabriela','Heitor','Isabela','João','Karina',"
           "         'Lucas','Mariana','Nicolas','Olívia','Pedro','Quésia','Rafael','Sofia','Thiago','Ursula','Vitor',"
           "         'Wesley','Xuxa','Yasmin','Zeca','Alice','Bernardo','Cecília','Davi'])[1 + floor(r1 * 30)::int] || ' ' || "
           "  (ARRAY['Silva','Santos','Oliveira','Souza','Rodrigues','Ferreira','Alves','Pereira','Lima','Gomes',"
           "         'Costa','Ribeiro','Martins','Carvalho','Almeida','Lopes','Soares','Fernandes','Vieira','Barbosa'])"
           "    [1 + floor(r2 * 20)::int] || ' ' || i, "
           "  'user' || i, '+55' || (11 + floor(r3 * 88)::int)::text || '9' || lpad((i * 7919 % 100000000)::text, 8, '0'), "
           "  s.a[1 + floor(r4 * 5)::int], p.a[1 + floor(r5 * 4)::int], "
           "  CASE WHEN r6 < 0.33 THEN NULL ELSE c.a[1 + floor(r6 * 4)::int % 4] END, "
           "  current_date + due, extract(day FROM current_date + due)::smallint, "
           "  r7 < 0.05, CASE WHEN r8 < 0.03 THEN now() END, CASE WHEN r8 < 0.03 THEN 'churn' END, "
           "  now() - make_interval(secs => ($2::bigint - i) * 300), CASE WHEN r8 > 0.9 THEN 5000 ELSE 0 END, 1 "
           "FROM r, s, p, c",
           {tenant, std::to_string(clients)}),
       "clients");
  must(conn.exec("INSERT INTO client_tags (client_id, tag) "
                 "SELECT id, CASE WHEN x < 0.10 THEN 'Matrícula 2026' ELSE 'vip' END "
                 "FROM (SELECT id, random() x FROM clients WHERE tenant_id = $1) t WHERE x < 0.24", {tenant}), "tags");
  // One payment for about half the clients; the trigger's work is done once, in bulk.
  must(conn.exec_script("ALTER TABLE payments DISABLE TRIGGER payments_last_payment"), "disable trigger");
  must(conn.exec("INSERT INTO payments (tenant_id, client_id, amount_cents, method, paid_at, paid_on, new_due_date) "
                 "SELECT $1, id, 3500, (ARRAY['pix','card','boleto','cash'])[1 + floor(m * 4)::int], "
                 "  now() - make_interval(days => d), current_date - d, current_date "
                 "FROM (SELECT id, random() x, random() m, floor(random() * 120)::int d FROM clients "
                 "      WHERE tenant_id = $1) t WHERE x < 0.5", {tenant}), "payments");
  must(conn.exec("UPDATE clients c SET last_payment_at = p.paid_at FROM payments p "
                 "WHERE p.client_id = c.id AND c.tenant_id = $1", {tenant}), "last payment");
  must(conn.exec_script("ALTER TABLE payments ENABLE TRIGGER payments_last_payment"), "enable trigger");
  must(conn.exec_script("COMMIT"), "commit");
  must(conn.exec_script("VACUUM ANALYZE"), "vacuum analyze");
  auto ids = must(conn.exec("SELECT (SELECT min(id) FROM servers WHERE tenant_id = $1), "
                            "(SELECT min(id) FROM plans WHERE tenant_id = $1)", {tenant}), "ids");
  return {created->api_key, ids.int64(0, 0), ids.int64(0, 1)};
}

struct Mix {
  std::string name;
  std::string query;  // without cursor
};

}  // namespace

int main(int argc, char** argv) try {
  bench::Options options(argc, argv);
  const auto pg_url = options.required("pg-url");
  const auto clients = options.integer("clients", 100'000);
  const auto pages = options.integer("pages", 400);
  const auto limit = options.integer("limit", 50);
  const std::string db_name = "disparo_bench_admin_" + std::to_string(::getpid());
  bench::Summary summary(options.text("summary", ""));

  auto admin_conn = pg::Connection::open(pg_url);
  if (!admin_conn) throw std::runtime_error("connect: " + admin_conn.error().message);
  must(admin_conn->exec_script("CREATE DATABASE " + db_name), "create database");
  const auto url = database_url(pg_url, db_name);
  struct Dropper {
    pg::Connection& conn;
    std::string name;
    bool keep;
    ~Dropper() {
      if (!keep) (void)conn.exec_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  } dropper{*admin_conn, db_name, options.flag("keep-db")};

  auto conn = pg::Connection::open(url);
  if (!conn) throw std::runtime_error("connect: " + conn.error().message);
  if (auto m = pg::migrate(*conn, pg::embedded_migrations()); !m) throw std::runtime_error("migrate: " + m.error().message);
  const double seed_started = bench::steady_seconds();
  auto seeded = seed(*conn, clients);
  std::cerr << "seeded " << clients << " clients in " << (bench::steady_seconds() - seed_started) << " s\n";
  summary.add("admin_list_seed_seconds", bench::steady_seconds() - seed_started);

  log::Logger logger("bench-admin", log::Level::warn);
  boost::asio::io_context ioc(1);
  config::AdminSettings settings;
  settings.http.host = "127.0.0.1";
  settings.http.port = 0;
  settings.database.url = url;
  settings.database.pool_size = 4;
  auto app = std::make_unique<admin::AdminApp>(ioc, settings, logger, std::chrono::seconds(2));
  if (auto started = app->start(); !started) throw std::runtime_error("admin: " + started.error().message);
  const auto port = app->port();
  std::thread loop([&ioc] { ioc.run(); });

  const std::string l = "limit=" + std::to_string(limit);
  const std::vector<Mix> mixes{
      {"no filter, by name", "?" + l},
      {"no filter, newest first", "?sort=-created_at&" + l},
      {"status=overdue, by due date", "?status=overdue&sort=due_date&" + l},
      {"suspended, not blocked, latest due first", "?suspended=true&blocked=false&sort=-due_date&" + l},
      {"server + plan", "?server_id=" + std::to_string(seeded.server) + "&plan_id=" + std::to_string(seeded.plan) + "&" + l},
      {"text search 'silva'", "?q=silva&" + l},
      {"text search 'mariana oli'", "?q=mariana%20oli&" + l},
      {"phone digits '98765'", "?q=98765&" + l},
      {"tag 'Matrícula 2026'", "?tag=Matr%C3%ADcula%202026&" + l},
      {"category=active + payment_method=pix", "?category=active&payment_method=pix&" + l},
      {"category=lead", "?category=lead&" + l},
      {"created in 2026, newest first", "?created_from=2026-01-01&created_to=2026-12-31&sort=-created_at&" + l},
  };

  bench::HttpConnection http("127.0.0.1", port);
  const bench::HeaderList headers{{"Authorization", "Bearer " + seeded.key}};
  std::printf("| mix | pages | rows/page | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|\n");
  double worst_p99 = 0;
  int mix_index = 0;
  for (const auto& mix : mixes) {
    std::vector<double> ms;
    std::string cursor;
    std::int64_t rows = 0;
    for (std::int64_t i = 0; i < pages + 20; ++i) {  // the first 20 warm the caches, untimed
      const auto target = "/v1/clients" + mix.query + (cursor.empty() ? "" : "&cursor=" + cursor);
      const double t0 = bench::steady_seconds();
      auto reply = http.request("GET", target, {}, headers);
      const double elapsed = (bench::steady_seconds() - t0) * 1000.0;
      if (!reply || reply->status != 200) {
        throw std::runtime_error("GET " + target + " failed: " + (reply ? reply->body : reply.error().message));
      }
      auto body = boost::json::parse(reply->body).as_object();
      if (i >= 20) {
        ms.push_back(elapsed);
        rows += static_cast<std::int64_t>(body.at("items").as_array().size());
      }
      cursor = body.at("next_cursor").is_null() ? "" : std::string(body.at("next_cursor").as_string());
    }
    auto d = bench::distribution(ms);
    worst_p99 = std::max(worst_p99, d.p99);
    std::printf("| %s | %zu | %.1f | %.2f | %.2f | %.2f | %.2f |\n", mix.name.c_str(), d.count,
                static_cast<double>(rows) / static_cast<double>(d.count), d.p50, d.p90, d.p99, d.max);
    const auto key = "admin_list_mix" + std::to_string(++mix_index);
    summary.add(key + "_p50_ms", d.p50, 2);
    summary.add(key + "_p99_ms", d.p99, 2);
  }
  std::fflush(stdout);
  summary.add("admin_list_worst_p99_ms", worst_p99, 2);
  summary.add("admin_list_clients", clients);
  summary.write();

  boost::asio::post(ioc, [&app] { app->shutdown(); app->close_all(); });
  loop.join();
  app.reset();
  return worst_p99 < 20.0 ? 0 : 3;
} catch (const std::exception& e) {
  std::cerr << "disparo-bench-admin-list: " << e.what() << "\n";
  return 1;
}
