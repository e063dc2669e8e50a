#include "admin/campaigns/campaign_store.hpp"

#include <boost/json.hpp>

#include "admin/campaigns/run_store.hpp"

namespace disparo::admin::campaigns {
namespace {

// Arrays travel as JSON text both ways: array_to_json on the way out, and PostgreSQL array
// literals (ids) or JSON (tags) as parameters on the way in.
constexpr const char* kSelect =
    "SELECT c.id, c.name, c.kind, c.template_id, t.name, array_to_json(c.server_ids)::text, "
    "       c.audience_status, c.audience_anchor, c.day_offset, array_to_json(c.plan_ids)::text, "
    "       array_to_json(c.channel_ids)::text, array_to_json(c.tags)::text, c.schedule_days, "
    "       to_char(c.schedule_time, 'HH24:MI'), c.interval_seconds, c.active, c.preset, "
    "       disparo_rfc3339(c.archived_at), disparo_rfc3339(c.created_at), disparo_rfc3339(c.updated_at), "
    "       t.archived_at IS NOT NULL, "
    "       (SELECT json_build_object('id', r.id, 'trigger', r.trigger, 'state', r.state, "
    "                                 'slot_at', disparo_rfc3339(r.slot_at)) "
    "          FROM campaign_runs r WHERE r.campaign_id = c.id ORDER BY r.id DESC LIMIT 1)::text "
    "FROM campaigns c JOIN message_templates t ON t.id = c.template_id "
    "WHERE c.tenant_id = $1 ";

constexpr const char* kUnique = "A campaign with this name already exists.";

boost::json::value json_or_null(const pg::Rows& rows, int r, int c) {
  if (rows.is_null(r, c)) return nullptr;
  return boost::json::parse(rows.text(r, c));
}

template <class T>
std::optional<std::vector<T>> array_of(const pg::Rows& rows, int r, int c) {
  if (rows.is_null(r, c)) return std::nullopt;
  std::vector<T> out;
  const auto parsed = boost::json::parse(rows.text(r, c));  // named: the loop must not outlive it
  for (const auto& v : parsed.as_array()) {
    if constexpr (std::is_same_v<T, std::string>) out.emplace_back(v.as_string().c_str());
    else out.push_back(v.to_number<T>());
  }
  return out;
}

boost::json::object campaign_json(const pg::Rows& rows, int r) {
  return boost::json::object{
      {"id", rows.int64(r, 0)},
      {"name", rows.text(r, 1)},
      {"kind", rows.text(r, 2)},
      {"template_id", rows.int64(r, 3)},
      {"template_name", rows.text(r, 4)},
      {"template_archived", rows.boolean(r, 20)},
      {"server_ids", json_or_null(rows, r, 5)},
      {"audience_status", rows.text(r, 6)},
      {"audience_anchor", rows.text(r, 7)},
      {"day_offset", nullable_int(rows, r, 8)},
      {"plan_ids", json_or_null(rows, r, 9)},
      {"channel_ids", json_or_null(rows, r, 10)},
      {"tags", json_or_null(rows, r, 11)},
      {"schedule_days", weekday_names(static_cast<int>(rows.int64(r, 12)))},
      {"schedule_time", nullable_text(rows, r, 13)},
      {"interval_seconds", rows.int64(r, 14)},
      {"active", rows.boolean(r, 15)},
      {"preset", nullable_text(rows, r, 16)},
      {"archived_at", nullable_text(rows, r, 17)},
      {"created_at", rows.text(r, 18)},
      {"updated_at", rows.text(r, 19)},
      {"last_run", json_or_null(rows, r, 21)},
  };
}

CampaignFields fields_from_row(const pg::Rows& rows, int r) {
  CampaignFields f;
  f.name = rows.text(r, 1);
  f.kind = rows.text(r, 2);
  f.template_id = rows.int64(r, 3);
  f.server_ids = array_of<std::int64_t>(rows, r, 5);
  f.audience_status = rows.text(r, 6);
  f.audience_anchor = rows.text(r, 7);
  if (!rows.is_null(r, 8)) f.day_offset = rows.int64(r, 8);
  f.plan_ids = array_of<std::int64_t>(rows, r, 9);
  f.channel_ids = array_of<std::int64_t>(rows, r, 10);
  f.tags = array_of<std::string>(rows, r, 11);
  f.schedule_days = static_cast<int>(rows.int64(r, 12));
  if (!rows.is_null(r, 13)) f.schedule_time = std::string(rows.text(r, 13));
  f.interval_seconds = static_cast<int>(rows.int64(r, 14));
  f.active = rows.boolean(r, 15);
  return f;
}

pg::Param ids_param(const std::optional<std::vector<std::int64_t>>& ids) {
  if (!ids) return std::nullopt;
  return id_array_literal(*ids);
}

pg::Param tags_param(const std::optional<std::vector<std::string>>& tags) {
  if (!tags) return std::nullopt;
  boost::json::array a;
  for (const auto& t : *tags) a.emplace_back(t);
  return boost::json::serialize(a);
}

// Every id of `ids` is a row of `table` (a constant) in the tenant; else a field error.
Expected<void> check_ids(pg::Connection& conn, std::string_view table, std::int64_t tenant_id,
                         const std::optional<std::vector<std::int64_t>>& ids, std::string_view field,
                         std::vector<FieldError>& errors) {
  if (!ids) return {};
  auto rows = conn.exec("SELECT count(*) FROM " + std::string(table) + " WHERE tenant_id = $1 AND id = ANY($2::bigint[])",
                        {param(tenant_id), id_array_literal(*ids)});
  if (!rows) return std::move(rows).error();
  if (rows->int64(0, 0) != static_cast<std::int64_t>(ids->size())) {
    errors.push_back({std::string(field), "must name only this tenant's " + std::string(table)});
  }
  return {};
}

Expected<void> check_template(pg::Connection& conn, std::int64_t tenant_id, std::int64_t template_id,
                              std::vector<FieldError>& errors) {
  auto rows = conn.exec("SELECT archived_at IS NOT NULL FROM message_templates WHERE id = $1 AND tenant_id = $2",
                        {param(template_id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) errors.push_back({"template_id", "does not name one of this tenant's templates"});
  else if (rows->boolean(0, 0)) errors.push_back({"template_id", "names an archived template"});
  return {};
}

// Which references to check: all of them for a new campaign, the changed ones for a PATCH (a
// template archived after the campaign was saved must not block an unrelated change).
struct RefsToCheck {
  bool template_id = true, servers = true, plans = true, channels = true;
};

Expected<void> check_references(pg::Connection& conn, std::int64_t tenant_id, const CampaignFields& f,
                                RefsToCheck which, std::vector<FieldError>& errors) {
  if (which.template_id) {
    if (auto ok = check_template(conn, tenant_id, f.template_id, errors); !ok) return ok;
  }
  if (which.servers) {
    if (auto ok = check_ids(conn, "servers", tenant_id, f.server_ids, "server_ids", errors); !ok) return ok;
  }
  if (which.plans) {
    if (auto ok = check_ids(conn, "plans", tenant_id, f.plan_ids, "plan_ids", errors); !ok) return ok;
  }
  if (which.channels) {
    if (auto ok = check_ids(conn, "acquisition_channels", tenant_id, f.channel_ids, "channel_ids", errors); !ok) {
      return ok;
    }
  }
  return {};
}

// The columns every write sets, $3.. after ($1 tenant or id, $2 ...): see callers.
pg::Params field_params(const CampaignFields& f) {
  return {param(f.name),
          param(f.kind),
          param(f.template_id),
          ids_param(f.server_ids),
          param(f.audience_status),
          param(f.audience_anchor),
          param(f.day_offset),
          ids_param(f.plan_ids),
          ids_param(f.channel_ids),
          tags_param(f.tags),
          param(static_cast<std::int64_t>(f.schedule_days)),
          param(f.schedule_time),
          param(static_cast<std::int64_t>(f.interval_seconds)),
          param(f.active)};
}

Expected<boost::json::value> read_one(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec(std::string(kSelect) + "AND c.id = $2", {param(tenant_id), param(id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("campaign");
  return boost::json::value(campaign_json(*rows, 0));
}

}  // namespace

Expected<boost::json::value> list_campaigns(pg::Connection& conn, std::int64_t tenant_id,
                                            const CampaignListFilter& filter) {
  pg::Params params{param(tenant_id)};
  std::string where;
  if (filter.kind) {
    params.push_back(*filter.kind);
    where += "AND c.kind = $" + std::to_string(params.size()) + " ";
  }
  if (filter.active) {
    params.push_back(param(*filter.active));
    where += "AND c.active = $" + std::to_string(params.size()) + "::boolean ";
  }
  if (filter.archived == "false") where += "AND c.archived_at IS NULL ";
  if (filter.archived == "true") where += "AND c.archived_at IS NOT NULL ";
  auto rows = conn.exec(std::string(kSelect) + where + "ORDER BY c.name, c.id", params);
  if (!rows) return std::move(rows).error();
  boost::json::array items;
  for (int r = 0; r < rows->size(); ++r) items.push_back(campaign_json(*rows, r));
  return boost::json::value(boost::json::object{{"items", std::move(items)}});
}

Expected<boost::json::value> read_campaign(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  return read_one(conn, tenant_id, id);
}

Expected<StoreAnswer> insert_campaign(pg::Connection& conn, std::int64_t tenant_id, const CampaignFields& fields,
                                      std::optional<std::string> preset) {
  StoreAnswer answer;
  answer.errors = check_campaign(fields);
  if (auto ok = check_references(conn, tenant_id, fields, {}, answer.errors); !ok) return std::move(ok).error();
  if (!answer.errors.empty()) return answer;
  auto params = field_params(fields);
  params.insert(params.begin(), param(tenant_id));
  params.push_back(param(preset));
  // slots_done_until = now(): a new campaign's schedule starts now, it never back-fills.
  auto rows = conn.exec(
      "INSERT INTO campaigns (tenant_id, name, kind, template_id, server_ids, audience_status, audience_anchor, "
      "  day_offset, plan_ids, channel_ids, tags, schedule_days, schedule_time, interval_seconds, active, preset, "
      "  slots_done_until) "
      "VALUES ($1, $2, $3, $4, $5::bigint[], $6, $7, $8::integer, $9::bigint[], $10::bigint[], "
      "  (SELECT array_agg(x ORDER BY o) FROM jsonb_array_elements_text($11::jsonb) WITH ORDINALITY AS e(x, o)), $12::smallint, $13::time, $14::integer, "
      "  $15::boolean, $16, now()) "
      "ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id",
      params);
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return make_error(ErrorKind::conflict, kUnique);
  auto body = read_one(conn, tenant_id, rows->int64(0, 0));
  if (!body) return std::move(body).error();
  answer.body = std::move(*body);
  return answer;
}

Expected<StoreAnswer> create_campaign(pg::Connection& conn, std::int64_t tenant_id, const CampaignInput& input) {
  CampaignFields fields;
  apply_input(fields, input);
  return insert_campaign(conn, tenant_id, fields);
}

Expected<StoreAnswer> update_campaign(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                      const CampaignInput& input) {
  return pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<StoreAnswer> {
    auto rows = c.exec(std::string(kSelect) + "AND c.id = $2 FOR UPDATE OF c", {param(tenant_id), param(id)});
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) return not_found_error("campaign");
    if (!rows->is_null(0, 17)) return make_error(ErrorKind::conflict, "This campaign is archived.");
    const auto before = fields_from_row(*rows, 0);
    auto after = before;
    apply_input(after, input);
    StoreAnswer answer;
    answer.errors = check_campaign(after);
    RefsToCheck which{input.template_id.value && *input.template_id.value != before.template_id,
                      input.server_ids.present, input.plan_ids.present, input.channel_ids.present};
    if (auto ok = check_references(c, tenant_id, after, which, answer.errors); !ok) return std::move(ok).error();
    if (!answer.errors.empty()) return answer;
    // Turning a campaign on, or moving its schedule, restarts its slots from now: slots while it
    // was off, or of the old schedule, are neither run nor recorded as skipped.
    const bool restart = (after.active && !before.active) || after.schedule_days != before.schedule_days ||
                         after.schedule_time != before.schedule_time;
    auto params = field_params(after);
    params.insert(params.begin(), {param(id), param(tenant_id)});
    params.push_back(param(restart));
    auto updated = c.exec(
        "UPDATE campaigns SET name = $3, kind = $4, template_id = $5, server_ids = $6::bigint[], "
        "  audience_status = $7, audience_anchor = $8, day_offset = $9::integer, plan_ids = $10::bigint[], "
        "  channel_ids = $11::bigint[], tags = (SELECT array_agg(x ORDER BY o) FROM jsonb_array_elements_text($12::jsonb) WITH ORDINALITY AS e(x, o)), "
        "  schedule_days = $13::smallint, schedule_time = $14::time, interval_seconds = $15::integer, "
        "  active = $16::boolean, updated_at = now(), "
        "  slots_done_until = CASE WHEN $17::boolean THEN greatest(slots_done_until, now()) ELSE slots_done_until END "
        "WHERE id = $1 AND tenant_id = $2",
        params);
    if (!updated) {
      if (updated.error().code == "23505") return make_error(ErrorKind::conflict, kUnique);
      return std::move(updated).error();
    }
    auto body = read_one(c, tenant_id, id);
    if (!body) return std::move(body).error();
    answer.body = std::move(*body);
    return answer;
  });
}

Expected<boost::json::value> delete_campaign(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec(
      "WITH gone AS (DELETE FROM campaigns c WHERE c.id = $1 AND c.tenant_id = $2 "
      "              AND NOT EXISTS (SELECT 1 FROM campaign_runs r WHERE r.campaign_id = c.id) RETURNING id), "
      "     kept AS (UPDATE campaigns c SET archived_at = coalesce(archived_at, now()), active = false, "
      "              updated_at = now() WHERE c.id = $1 AND c.tenant_id = $2 "
      "              AND EXISTS (SELECT 1 FROM campaign_runs r WHERE r.campaign_id = c.id) RETURNING id) "
      "SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM kept)",
      {param(id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->int64(0, 0) == 0) return not_found_error("campaign");
  return boost::json::value(nullptr);
}

}  // namespace disparo::admin::campaigns

namespace disparo::admin::campaigns {

Expected<boost::json::value> request_run(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                         std::int64_t key_id) {
  auto run_id = pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<std::int64_t> {
    // The campaign row lock serialises two "run now" of the same campaign, so the check for a
    // run still requested and the insert see each other.
    auto campaign = c.exec(
        "SELECT c.archived_at IS NOT NULL, t.archived_at IS NOT NULL FROM campaigns c "
        "JOIN message_templates t ON t.id = c.template_id WHERE c.id = $1 AND c.tenant_id = $2 FOR UPDATE OF c",
        {param(id), param(tenant_id)});
    if (!campaign) return std::move(campaign).error();
    if (campaign->size() == 0) return not_found_error("campaign");
    if (campaign->boolean(0, 0)) return make_error(ErrorKind::conflict, "This campaign is archived.");
    if (campaign->boolean(0, 1)) {
      return make_error(ErrorKind::conflict, "The campaign's template is archived; choose another template first.");
    }
    auto pending = c.exec(
        "SELECT id FROM campaign_runs WHERE campaign_id = $1 AND trigger = 'manual' AND state = 'requested' LIMIT 1",
        {param(id)});
    if (!pending) return std::move(pending).error();
    if (pending->size() > 0) {
      return make_error(ErrorKind::conflict, "A manual run of this campaign (run " + std::string(pending->text(0, 0)) +
                                                 ") has not started yet.");
    }
    auto inserted = c.exec(
        "INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, requested_by) "
        "SELECT tn.id, $1, 'manual', date_trunc('second', now()), (now() AT TIME ZONE tn.time_zone)::date, "
        "       'requested', (SELECT k.prefix FROM api_keys k WHERE k.id = $3 AND k.tenant_id = tn.id) "
        "FROM tenants tn WHERE tn.id = $2 "
        "ON CONFLICT (campaign_id, trigger, slot_at) DO NOTHING RETURNING id",
        {param(id), param(tenant_id), param(key_id)});
    if (!inserted) return std::move(inserted).error();
    if (inserted->size() == 0) {
      return make_error(ErrorKind::conflict, "A manual run of this campaign was requested this very second.");
    }
    return inserted->int64(0, 0);
  });
  if (!run_id) return std::move(run_id).error();
  return read_run(conn, tenant_id, *run_id);
}

}  // namespace disparo::admin::campaigns
