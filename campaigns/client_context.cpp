#include "campaigns/client_context.hpp"

#include <stdexcept>

namespace disparo::campaigns {
namespace {

constexpr const char* kDefaultZone = "America/Sao_Paulo";

const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    // Tenants' zones are validated when saved; an unknown one here means an older tz database.
    return date::locate_zone(kDefaultZone);
  }
}

std::optional<date::sys_days> parse_iso_date(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  auto num = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return -1;
      v = v * 10 + (iso[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days(ymd);
}

}  // namespace

LocalNow local_now(std::string_view zone, SysTime now) {
  const auto local = find_zone(zone)->to_local(now);
  const auto today = date::floor<date::days>(local);
  return {today, std::chrono::duration_cast<std::chrono::minutes>(local - today)};
}

Expected<ClientTarget> load_client_target(pg::Connection& conn, std::int64_t tenant_id, std::int64_t client_id,
                                          SysTime now) {
  // The session rule is the dispatcher's: the client's server's session, else the tenant's
  // default session; both must belong to the tenant.
  auto rows = conn.exec(
      "SELECT c.name, c.phone, coalesce(c.username, ''), coalesce(c.password, ''), coalesce(sv.name, ''), "
      "       coalesce(p.name, ''), CASE WHEN c.amount_cents > 0 THEN c.amount_cents "
      "                                  ELSE coalesce(p.price_cents, 0) END, "
      "       c.due_date::text, t.name, t.time_zone, c.blocked, c.archived_at IS NOT NULL, c.server_id, "
      "       ws.id, ws.provider "
      "FROM clients c JOIN tenants t ON t.id = c.tenant_id "
      "LEFT JOIN servers sv ON sv.id = c.server_id AND sv.tenant_id = c.tenant_id "
      "LEFT JOIN plans p ON p.id = c.plan_id AND p.tenant_id = c.tenant_id "
      "LEFT JOIN LATERAL (SELECT w.id, w.provider FROM whatsapp_sessions w "
      "                   WHERE w.tenant_id = c.tenant_id AND (w.id = sv.session_id OR w.is_default) "
      "                   ORDER BY coalesce(w.id = sv.session_id, false) DESC LIMIT 1) ws ON true "
      "WHERE c.tenant_id = $1 AND c.id = $2",
      {std::to_string(tenant_id), std::to_string(client_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) {
    return make_error(ErrorKind::not_found, "No client with id " + std::to_string(client_id) + ".");
  }
  const auto& r = *rows;
  ClientTarget target;
  target.tenant_id = tenant_id;
  target.client_id = client_id;
  target.phone = r.text(0, 1);
  target.time_zone = r.text(0, 9);
  target.blocked = r.boolean(0, 10);
  target.archived = r.boolean(0, 11);
  if (!r.is_null(0, 12)) target.server_id = r.int64(0, 12);
  if (!r.is_null(0, 13)) {
    target.session_id = r.int64(0, 13);
    target.provider = r.text(0, 14);
  }
  auto& c = target.context;
  c.nome = r.text(0, 0);
  c.telefone = target.phone;
  c.usuario = r.text(0, 2);
  c.senha = r.text(0, 3);
  c.servidor = r.text(0, 4);
  c.plano = r.text(0, 5);
  c.valor_cents = r.int64(0, 6);
  if (!r.is_null(0, 7)) c.vencimento = parse_iso_date(r.text(0, 7));
  c.empresa = r.text(0, 8);
  const auto local = local_now(target.time_zone, now);
  c.today = local.today;
  c.now_local_minutes = local.minutes;
  return target;
}

}  // namespace disparo::campaigns
