#include "admin/client_query.hpp"

#include <algorithm>
#include <cctype>

#include "admin/resource_support.hpp"
#include "common/crypto.hpp"
#include "common/rfc3339.hpp"

namespace disparo::admin {

const char* const kClientSelect =
    "SELECT c.id, c.name, c.username, c.password, c.phone, c.phone_country, c.email, c.notes, "
    "       c.server_id, c.plan_id, c.amount_cents, "
    "       CASE WHEN c.amount_cents > 0 THEN c.amount_cents ELSE coalesce(p.price_cents, 0) END, "
    "       c.screens, c.due_date::text, c.due_day, c.channel_id, c.blocked, "
    "       disparo_rfc3339(c.archived_at), c.archive_reason, "
    "       disparo_client_status(c.due_date, p.grace_days, c.blocked, c.archived_at, "
    "                             (now() AT TIME ZONE tn.time_zone)::date), "
    "       disparo_client_category((c.last_payment_at AT TIME ZONE tn.time_zone)::date, c.archived_at, "
    "                               (now() AT TIME ZONE tn.time_zone)::date), "
    "       disparo_rfc3339(c.last_payment_at), disparo_rfc3339(c.created_at), disparo_rfc3339(c.updated_at), "
    "       (SELECT coalesce(json_agg(g.tag ORDER BY g.tag), '[]') FROM client_tags g WHERE g.client_id = c.id)::text, "
    "       (SELECT coalesce(json_agg(json_build_object('id', a.id, 'title', a.title, 'text', a.text, "
    "                                 'active', a.active, 'created_at', disparo_rfc3339(a.created_at)) "
    "                                 ORDER BY a.id), '[]') "
    "          FROM client_alerts a WHERE a.client_id = c.id)::text ";

const char* const kClientFrom =
    "FROM clients c JOIN tenants tn ON tn.id = c.tenant_id LEFT JOIN plans p ON p.id = c.plan_id ";

namespace {

bool looks_like_phone(std::string_view q, std::string& digits) {
  digits.clear();
  for (char ch : q) {
    if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
    else if (ch != ' ' && ch != '+' && ch != '-' && ch != '(' && ch != ')' && ch != '.') return false;
  }
  return digits.size() >= 4;
}

std::string like_escape(std::string_view text) {
  std::string out = "%";
  for (char ch : text) {
    if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
    out += ch;
  }
  out += '%';
  return out;
}

std::optional<bool> parse_bool(std::string_view v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return std::nullopt;
}

const char* sort_name(ClientSort sort) {
  switch (sort) {
    case ClientSort::name: return "name";
    case ClientSort::created_at: return "created_at";
    case ClientSort::due_date: return "due_date";
  }
  return "name";
}

}  // namespace

Validated<ClientListRequest> read_client_list_request(const QueryParams& query) {
  ClientListRequest out;
  std::vector<FieldError> errors;
  std::optional<std::string> cursor_text;
  auto bad = [&](const std::string& key, std::string message) { errors.push_back({key, std::move(message)}); };
  auto id = [&](const std::string& key, const std::string& v, std::optional<std::int64_t>& target) {
    if (auto parsed = parse_id(v)) target = parsed;
    else bad(key, "must be a positive integer id");
  };
  auto choice = [&](const std::string& key, const std::string& v, std::initializer_list<std::string_view> allowed,
                    std::optional<std::string>& target) {
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) target = v;
    else bad(key, "is not one of the accepted values");
  };
  auto boolean = [&](const std::string& key, const std::string& v, std::optional<bool>& target) {
    if (auto parsed = parse_bool(v)) target = parsed;
    else bad(key, "must be true or false");
  };
  auto moment = [&](const std::string& key, const std::string& v, std::optional<std::string>& target) {
    if (valid_date(v) || parse_rfc3339(v)) target = v;
    else bad(key, "must be a date (YYYY-MM-DD) or an RFC 3339 time");
  };
  auto day = [&](const std::string& key, const std::string& v, std::optional<std::string>& target) {
    if (valid_date(v)) target = v;
    else bad(key, "must be a date (YYYY-MM-DD)");
  };

  for (const auto& [key, value] : query) {
    auto& f = out.filter;
    if (key == "q") {
      if (value.empty()) continue;
      if (utf8_length(value) > 100) {
        bad(key, "must have at most 100 characters");
        continue;
      }
      std::string digits;
      f.text = looks_like_phone(value, digits) ? digits : value;
    } else if (key == "server_id") {
      id(key, value, f.server_id);
    } else if (key == "plan_id") {
      id(key, value, f.plan_id);
    } else if (key == "channel_id") {
      id(key, value, f.channel_id);
    } else if (key == "tag") {
      if (value.empty() || utf8_length(value) > 100) bad(key, "must have 1 to 100 characters");
      else f.tag = value;
    } else if (key == "status") {
      choice(key, value, {"active", "overdue", "suspended"}, f.status);
    } else if (key == "blocked") {
      boolean(key, value, f.blocked);
    } else if (key == "suspended") {
      boolean(key, value, f.suspended);
    } else if (key == "category") {
      choice(key, value, {"lead", "active", "inactive", "archived"}, f.category);
    } else if (key == "archived") {
      choice(key, value, {"true", "false", "all"}, f.archived);
    } else if (key == "created_from") {
      moment(key, value, f.created_from);
    } else if (key == "created_to") {
      moment(key, value, f.created_to);
    } else if (key == "due_from") {
      day(key, value, f.due_from);
    } else if (key == "due_to") {
      day(key, value, f.due_to);
    } else if (key == "payment_method") {
      choice(key, value, {"pix", "card", "boleto", "cash"}, f.payment_method);
    } else if (key == "sort") {
      std::string_view s = value;
      out.descending = !s.empty() && s.front() == '-';
      if (out.descending) s.remove_prefix(1);
      if (s == "name") out.sort = ClientSort::name;
      else if (s == "created_at") out.sort = ClientSort::created_at;
      else if (s == "due_date") out.sort = ClientSort::due_date;
      else bad(key, "must be name, created_at or due_date, with '-' for descending");
    } else if (key == "limit") {
      auto n = parse_id(value);
      if (!n || *n > kMaxPageSize) bad(key, "must be between 1 and " + std::to_string(kMaxPageSize));
      else out.limit = static_cast<int>(*n);
    } else if (key == "cursor") {
      cursor_text = value;
    } else {
      bad(key, "is not a known parameter");
    }
  }
  if (cursor_text) {
    out.after = decode_cursor(*cursor_text, out.sort, out.descending);
    if (!out.after) bad("cursor", "is not a cursor of this listing's sort order");
  }
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(out), {}};
}

std::string encode_cursor(ClientSort sort, bool descending, const ClientCursor& cursor) {
  // "<sort>|<dir>|<id>|<value>", base64url without padding: opaque to callers, and checked
  // against the request's sort when it comes back.
  std::string raw = std::string(sort_name(sort)) + "|" + (descending ? "d" : "a") + "|" +
                    std::to_string(cursor.id) + "|" + cursor.value;
  return crypto::base64url_encode(raw);
}

std::optional<ClientCursor> decode_cursor(std::string_view text, ClientSort sort, bool descending) {
  if (text.empty() || text.size() > 1024) return std::nullopt;
  std::string raw;
  if (!crypto::base64url_decode(text, raw)) return std::nullopt;
  const std::string prefix = std::string(sort_name(sort)) + "|" + (descending ? "d" : "a") + "|";
  if (raw.rfind(prefix, 0) != 0) return std::nullopt;
  auto rest = std::string_view(raw).substr(prefix.size());
  auto bar = rest.find('|');
  if (bar == std::string_view::npos) return std::nullopt;
  auto id = parse_id(rest.substr(0, bar));
  if (!id) return std::nullopt;
  ClientCursor cursor{std::string(rest.substr(bar + 1)), *id};
  // The value goes to SQL as a parameter of the sort's type; check it parses as that type.
  if (sort == ClientSort::created_at && !parse_rfc3339(cursor.value)) return std::nullopt;
  if (sort == ClientSort::due_date && cursor.value != "infinity" && !valid_date(cursor.value)) return std::nullopt;
  return cursor;
}

ClientPageSql client_page_sql(std::int64_t tenant_id, const ClientListRequest& request) {
  ClientPageSql out;
  auto& params = out.params;
  params.push_back(param(tenant_id));
  auto next = [&](pg::Param value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  const auto& f = request.filter;
  const std::string today = "(now() AT TIME ZONE tn.time_zone)::date";
  const std::string status = "disparo_client_status(c.due_date, p.grace_days, c.blocked, c.archived_at, " + today + ")";
  std::string where = "WHERE c.tenant_id = $1 ";
  // Overdue in due-date order walks each plan from its own bound (below) instead of one walk from
  // the tenant's largest grace period (max_grace_days, not looked up then).
  const bool overdue_by_plan = f.status == std::string("overdue") && request.sort == ClientSort::due_date;
  if (f.text) where += "AND c.search_text LIKE lower(" + next(like_escape(*f.text)) + ") ";
  if (f.server_id) where += "AND c.server_id = " + next(param(f.server_id)) + "::bigint ";
  if (f.plan_id) where += "AND c.plan_id = " + next(param(f.plan_id)) + "::bigint ";
  if (f.channel_id) where += "AND c.channel_id = " + next(param(f.channel_id)) + "::bigint ";
  if (f.tag) {
    where += "AND EXISTS (SELECT 1 FROM client_tags g WHERE g.client_id = c.id AND g.tag = " + next(*f.tag) + ") ";
  }
  // The derived state is decided by the SQL functions alone. The planner cannot estimate how
  // many rows a CASE expression keeps (it guesses 0.5%, then sorts the whole tenant instead of
  // walking the sort index), so each state filter also gets a plain-column guard that is a
  // superset of it (the tenant's local date is within two days of the server's current_date, whatever both zones).
  if (f.status) {
    where += "AND " + status + " = " + next(*f.status) + " ";
    where += *f.status == "active" ? "AND coalesce(c.due_date, 'infinity'::date) >= current_date - 2 "
                                   : "AND coalesce(c.due_date, 'infinity'::date) <= current_date + 2 ";
    // Overdue is at most the largest grace period past due: a lower bound for the due-date index.
    // (Written on the due-date sort key, coalesce(due_date, 'infinity'), so that the index of
    // that sort can start its walk there.)
    if (*f.status == "overdue" && !overdue_by_plan) {
      where += "AND coalesce(c.due_date, 'infinity'::date) >= current_date - 3 - " +
               next(std::to_string(request.max_grace_days)) + "::int ";
    }
  }
  if (f.suspended) {
    where += std::string("AND ") + status + (*f.suspended ? " = " : " <> ") + "'suspended' ";
    if (*f.suspended) where += "AND coalesce(c.due_date, 'infinity'::date) <= current_date + 2 ";
  }
  if (f.blocked) where += "AND c.blocked = " + next(param(*f.blocked)) + "::boolean ";
  if (f.category) {
    where += "AND disparo_client_category((c.last_payment_at AT TIME ZONE tn.time_zone)::date, c.archived_at, " +
             today + ") = " + next(*f.category) + " ";
    if (*f.category == "archived") where += "AND c.archived_at IS NOT NULL ";
    if (*f.category == "lead") where += "AND c.last_payment_at IS NULL ";
    if (*f.category == "active") where += "AND c.last_payment_at >= now() - interval '62 days' ";
    if (*f.category == "inactive") where += "AND c.last_payment_at < now() - interval '59 days' ";
  }
  // Archived clients are hidden unless asked for (archived=true|all, or category=archived).
  const std::string archived = f.archived.value_or(f.category == std::string("archived") ? "all" : "false");
  if (archived == "false") where += "AND c.archived_at IS NULL ";
  if (archived == "true") where += "AND c.archived_at IS NOT NULL ";
  auto time_bound = [&](const std::string& v, bool upper) {
    if (valid_date(v)) {
      // A date is the tenant's local day: from its first instant, to the end of it.
      return std::string(upper ? "AND c.created_at < (" : "AND c.created_at >= (") + next(v) + "::date" +
             (upper ? " + 1" : "") + ")::timestamp AT TIME ZONE tn.time_zone ";
    }
    return std::string(upper ? "AND c.created_at <= " : "AND c.created_at >= ") + next(v) + "::timestamptz ";
  };
  if (f.created_from) where += time_bound(*f.created_from, false);
  if (f.created_to) where += time_bound(*f.created_to, true);
  if (f.due_from) where += "AND c.due_date >= " + next(*f.due_from) + "::date ";
  if (f.due_to) where += "AND c.due_date <= " + next(*f.due_to) + "::date ";
  if (f.payment_method) {
    // A scalar subquery, not EXISTS: the planner would turn EXISTS into a hash semi-join over
    // every payment of every tenant and then sort; a method is common, so checking the rows met
    // while walking the sort index (payments_client index) finds a page sooner.
    where += "AND (SELECT true FROM payments py WHERE py.client_id = c.id AND py.deleted_at IS NULL "
             "AND py.method = " + next(*f.payment_method) + " LIMIT 1) ";
  }

  std::string key, key_text, cast;
  switch (request.sort) {
    case ClientSort::name: key = "c.name"; key_text = "c.name"; cast = "::text"; break;
    case ClientSort::created_at: key = "c.created_at"; key_text = "disparo_rfc3339(c.created_at)"; cast = "::timestamptz"; break;
    case ClientSort::due_date:
      key = "coalesce(c.due_date, 'infinity'::date)";
      key_text = "coalesce(c.due_date, 'infinity'::date)::text";
      cast = "::date";
      break;
  }
  const char* dir = request.descending ? " DESC" : "";
  if (request.after) {
    const auto v = next(request.after->value);
    const auto i = next(param(request.after->id));
    where += "AND (" + key + ", c.id) " + (request.descending ? "<" : ">") + " (" + v + cast + ", " + i + "::bigint) ";
  }
  const std::string limit = " LIMIT " + std::to_string(request.limit + 1);
  if (overdue_by_plan) {
    // Overdue in due-date order: one walk of clients_tenant_plan_due (0008) per plan with grace
    // days, each over exactly the due dates that plan makes overdue (today - grace_days <= due <
    // today: a guard the index can use; disparo_client_status in `where` still decides), each
    // stopping after a page, merged by the outer ORDER BY. Clients without a plan, or of plans
    // without grace days, are never overdue. The tenant's local date is an uncorrelated
    // sub-select (an InitPlan), so the planner can use it as an index bound.
    const std::string local_today = "(SELECT (now() AT TIME ZONE t.time_zone)::date FROM tenants t WHERE t.id = $1)";
    const std::string order = " ORDER BY " + key + dir + ", c.id" + dir;
    const std::string walk = "SELECT c.id, " + key + " AS k " + kClientFrom + where + "AND c.plan_id = gp.id AND " + key +
                             " >= " + local_today + " - gp.grace_days AND " + key + " < " + local_today + order + limit;
    out.sql = std::string(kClientSelect) + ", " + key_text + " AS sort_key " +
              "FROM (SELECT o.id, o.k FROM plans gp CROSS JOIN LATERAL (" + walk + ") o " +
              "WHERE gp.tenant_id = $1 AND gp.grace_days > 0 ORDER BY o.k" + dir + ", o.id" + dir + limit + ") page " +
              "JOIN clients c ON c.id = page.id JOIN tenants tn ON tn.id = c.tenant_id "
              "LEFT JOIN plans p ON p.id = c.plan_id WHERE c.tenant_id = $1 ORDER BY page.k" + dir + ", page.id" + dir;
    return out;
  }
  out.sql = std::string(kClientSelect) + ", " + key_text + " AS sort_key " + kClientFrom + where + "ORDER BY " + key + dir +
            ", c.id" + dir + limit;
  return out;
}

}  // namespace disparo::admin
