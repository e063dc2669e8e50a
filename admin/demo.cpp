#include "admin/demo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "admin/tenants.hpp"
#include "common/api_key.hpp"

namespace disparo::admin {
namespace {

constexpr std::string_view kDemoSlug = "demo";
constexpr std::string_view kDemoName = "Demo IPTV";
constexpr std::string_view kSessionName = "principal";
constexpr std::string_view kServerName = "Servidor 1";

struct DemoClient {
  std::string_view name;
  std::string_view phone;  // E.164, Brazilian mobiles with the ninth digit
};
constexpr std::array<DemoClient, 5> kDemoClients = {{
    {"Ana Souza", "+5511987650001"},
    {"Bruno Oliveira", "+5511987650002"},
    {"Carla Ferreira", "+5511987650003"},
    {"Diego Almeida", "+5511987650004"},
    {"Eduarda Lima", "+5511987650005"},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorKind::unavailable, "cannot " + what + " " + path + ": " + std::strerror(errno));
}

Expected<std::int64_t> ensure_tenant(pg::Connection& tx, DemoSummary& summary) {
  auto inserted = tx.exec(
      "INSERT INTO tenants (slug, name, time_zone, callback_secret) "
      "VALUES ($1, $2, 'America/Sao_Paulo', $3) ON CONFLICT (slug) DO NOTHING RETURNING id",
      {std::string(kDemoSlug), std::string(kDemoName), mint_webhook_secret()});
  if (!inserted) return std::move(inserted).error();
  if (inserted->size() == 1) {
    summary.tenant_created = true;
    return inserted->int64(0, 0);
  }
  auto existing = find_tenant_by_slug(tx, kDemoSlug);
  if (!existing) return std::move(existing).error();
  return existing->id;
}

Expected<std::int64_t> ensure_session(pg::Connection& tx, std::int64_t tenant_id,
                                      const DemoOptions& options, DemoSummary& summary) {
  const std::string tenant = std::to_string(tenant_id);
  auto found = tx.exec(
      "SELECT id, base_url, access_token, coalesce(phone_number_id, '') FROM whatsapp_sessions "
      "WHERE tenant_id = $1 AND name = $2",
      {tenant, std::string(kSessionName)});
  if (!found) return std::move(found).error();
  if (found->size() == 0) {
    auto inserted = tx.exec(
        "INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, phone_number_id, "
        "  access_token, is_default, min_interval_ms, burst, daily_cap) "
        "VALUES ($1, $2, 'sandbox', $3, $4, $5, true, 1000, 3, 1000) RETURNING id",
        {tenant, std::string(kSessionName), options.sandbox_url, options.phone_number_id,
         options.access_token});
    if (!inserted) return std::move(inserted).error();
    summary.session_created = true;
    return inserted->int64(0, 0);
  }
  const std::int64_t id = found->int64(0, 0);
  // Sandbox tokens are regenerated on every sandbox start: follow them.
  if (found->text(0, 1) != options.sandbox_url || found->text(0, 2) != options.access_token ||
      found->text(0, 3) != options.phone_number_id) {
    auto updated = tx.exec(
        "UPDATE whatsapp_sessions SET base_url = $2, access_token = $3, phone_number_id = $4 "
        "WHERE id = $1",
        {std::to_string(id), options.sandbox_url, options.access_token, options.phone_number_id});
    if (!updated) return std::move(updated).error();
    summary.session_updated = true;
  }
  return id;
}

Expected<std::int64_t> ensure_server(pg::Connection& tx, std::int64_t tenant_id,
                                     std::int64_t session_id) {
  auto rows = tx.exec(
      "INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, $2, $3) "
      "ON CONFLICT (tenant_id, name) DO UPDATE SET session_id = EXCLUDED.session_id RETURNING id",
      {std::to_string(tenant_id), std::string(kServerName), std::to_string(session_id)});
  if (!rows) return std::move(rows).error();
  return rows->int64(0, 0);
}

Expected<void> ensure_clients(pg::Connection& tx, std::int64_t tenant_id, std::int64_t server_id,
                              DemoSummary& summary) {
  const std::string tenant = std::to_string(tenant_id);
  for (const auto& client : kDemoClients) {
    // clients has no natural unique key; the phone identifies a demo client.
    auto rows = tx.exec(
        "INSERT INTO clients (tenant_id, server_id, name, phone) SELECT $1, $2, $3, $4 "
        "WHERE NOT EXISTS (SELECT 1 FROM clients WHERE tenant_id = $1 AND phone = $4)",
        {tenant, std::to_string(server_id), std::string(client.name), std::string(client.phone)});
    if (!rows) return std::move(rows).error();
    summary.clients_added += static_cast<int>(rows->affected());
  }
  auto count = tx.exec("SELECT count(*) FROM clients WHERE tenant_id = $1", {tenant});
  if (!count) return std::move(count).error();
  summary.clients_total = static_cast<int>(count->int64(0, 0));
  return {};
}

// Keeps the env file's key when it is a live key of the demo tenant; otherwise mints one and
// writes the file.
Expected<void> ensure_key(pg::Connection& tx, std::int64_t tenant_id, const DemoOptions& options,
                          DemoSummary& summary) {
  if (auto existing = read_env_api_key(options.env_file)) {
    auto live = tx.exec(
        "SELECT 1 FROM api_keys WHERE key_hash = $1 AND tenant_id = $2 AND revoked_at IS NULL",
        {api_key_hash(*existing), std::to_string(tenant_id)});
    if (!live) return std::move(live).error();
    if (live->size() == 1) {
      summary.key_reused = true;
      return {};
    }
  }
  auto key = add_api_key(tx, tenant_id, kOwnerRole, "demo");
  if (!key) return std::move(key).error();
  return write_demo_env_file(options.env_file, *key);
}

}  // namespace

std::optional<std::string> read_env_api_key(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string line;
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    if (text.substr(0, 7) == "export ") text = trim(text.substr(7));
    auto eq = text.find('=');
    if (eq == std::string_view::npos || trim(text.substr(0, eq)) != "DISPARO_API_KEY") continue;
    auto value = trim(text.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    found = value.empty() ? std::nullopt : std::optional<std::string>(value);  // last one wins
  }
  return found;
}

Expected<void> write_demo_env_file(const std::string& path, const std::string& api_key) {
  const std::string temp = path + ".tmp";
  // Created 0600 from the start (and fchmod'ed in case it existed): the key is a secret.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create", temp);
  const std::string content = "DISPARO_API_KEY=" + api_key + "\nDISPARO_TENANT=demo\n";
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t done = 0;
  while (ok && done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (!ok) {
    auto error = io_error("write", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  if (::close(fd) != 0) return io_error("write", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = io_error("replace", path);
    ::unlink(temp.c_str());
    return error;
  }
  return {};
}

Expected<DemoSummary> seed_demo(pg::Connection& conn, const DemoOptions& options) {
  return pg::in_transaction(conn, [&](pg::Connection& tx) -> Expected<DemoSummary> {
    DemoSummary summary;
    // Two demo runs at once would both insert clients (no unique key): serialise them.
    if (auto locked = tx.exec("SELECT pg_advisory_xact_lock(hashtext('disparo.admin.demo'))"); !locked) {
      return std::move(locked).error();
    }
    auto tenant = ensure_tenant(tx, summary);
    if (!tenant) return std::move(tenant).error();
    summary.tenant_id = *tenant;
    auto session = ensure_session(tx, summary.tenant_id, options, summary);
    if (!session) return std::move(session).error();
    summary.session_id = *session;
    auto server = ensure_server(tx, summary.tenant_id, summary.session_id);
    if (!server) return std::move(server).error();
    summary.server_id = *server;
    if (auto clients = ensure_clients(tx, summary.tenant_id, summary.server_id, summary); !clients) {
      return std::move(clients).error();
    }
    if (auto key = ensure_key(tx, summary.tenant_id, options, summary); !key) {
      return std::move(key).error();
    }
    return summary;
  });
}

}  // namespace disparo::admin
