#include "dispatcher/campaigns/campaign_tick.hpp"

#include <algorithm>
#include <stdexcept>

#include <date/tz.h>

#include "campaigns/audience.hpp"
#include "campaigns/schedule.hpp"
#include "common/rfc3339.hpp"

namespace disparo::dispatch {
namespace {

using campaigns::Schedule;
using campaigns::Slot;

constexpr const char* kSkippedReason = "missed: older than the catch-up window when the scheduler ran";

struct DueCampaign {
  std::int64_t id = 0, tenant_id = 0;
  std::string kind;
  Schedule schedule;
  SysTime done_until{};
  const date::time_zone* zone = nullptr;
};

// Reads rows of: id, tenant_id, kind, schedule_days, schedule_time, done_until, time_zone.
std::optional<DueCampaign> due_campaign(const pg::Rows& rows, int r) {
  DueCampaign c;
  c.id = rows.int64(r, 0);
  c.tenant_id = rows.int64(r, 1);
  c.kind = std::string(rows.text(r, 2));
  c.schedule.days = static_cast<std::uint8_t>(rows.int64(r, 3));
  const auto time = campaigns::parse_time_of_day(rows.text(r, 4));
  const auto done = parse_rfc3339(rows.text(r, 5));
  if (!time || !done) return std::nullopt;
  c.schedule.time_of_day = *time;
  c.done_until = *done;
  try {
    c.zone = date::locate_zone(rows.text(r, 6));
  } catch (const std::runtime_error&) {
    return std::nullopt;  // an unknown zone: the tenant must fix it; other campaigns go on
  }
  return c;
}

constexpr const char* kCampaignColumns =
    "SELECT k.id, k.tenant_id, k.kind, k.schedule_days, k.schedule_time::text, "
    "       disparo_rfc3339(coalesce(k.slots_done_until, k.created_at)), t.time_zone "
    "FROM campaigns k JOIN tenants t ON t.id = k.tenant_id "
    "WHERE k.active AND k.schedule_days <> 0 AND k.archived_at IS NULL AND k.schedule_time IS NOT NULL ";

std::string array_of(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += items[i];  // timestamps, dates and our state words: no characters that need quoting
  }
  return out + "}";
}

// Locks one campaign and turns its due slots into runs; nullopt when another scheduler holds it
// or got there first.
Expected<std::optional<MaterialisedSlots>> materialise_one(pg::Connection& conn, std::int64_t campaign_id,
                                                           SysTime now, const CampaignTickSettings& settings) {
  return pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<std::optional<MaterialisedSlots>> {
    auto rows = c.exec(std::string(kCampaignColumns) + "AND k.id = $1 FOR UPDATE OF k SKIP LOCKED",
                       {std::to_string(campaign_id)});
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) return std::optional<MaterialisedSlots>{};
    auto campaign = due_campaign(*rows, 0);
    if (!campaign) return std::optional<MaterialisedSlots>{};
    const auto slots = campaigns::scheduled_slots(campaign->schedule, campaign->zone, campaign->done_until, now);
    if (slots.empty()) return std::optional<MaterialisedSlots>{};

    MaterialisedSlots result;
    result.tenant_id = campaign->tenant_id;
    result.campaign_id = campaign->id;
    result.kind = campaign->kind;
    const SysTime window_start = now - settings.catch_up;
    std::vector<std::string> at, day, state;
    std::size_t missed = 0;
    for (const Slot& slot : slots) missed += slot.at < window_start ? 1 : 0;
    // Only the most recent missed slots are recorded; a dispatcher down for months must not
    // write thousands of rows.
    const std::size_t unrecorded = missed > settings.max_skipped_rows ? missed - settings.max_skipped_rows : 0;
    for (std::size_t i = unrecorded; i < slots.size(); ++i) {
      at.push_back(format_rfc3339(slots[i].at));
      day.push_back(campaigns::format_local_date(slots[i].day));
      state.push_back(slots[i].at < window_start ? "skipped" : "requested");
    }
    result.skipped_unrecorded = static_cast<std::int64_t>(unrecorded);
    const std::string now_text = format_rfc3339(now);
    auto inserted = c.exec(
        "INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, state_reason, "
        "                           requested_at, finished_at) "
        "SELECT $1, $2, 'schedule', s.slot_at, s.local_day, s.state, "
        "       CASE WHEN s.state = 'skipped' THEN $3 END, $4::timestamptz, "
        "       CASE WHEN s.state = 'skipped' THEN $4::timestamptz END "
        "FROM unnest($5::timestamptz[], $6::date[], $7::text[]) AS s(slot_at, local_day, state) "
        "ON CONFLICT (campaign_id, trigger, slot_at) DO NOTHING RETURNING state",
        {std::to_string(campaign->tenant_id), std::to_string(campaign->id), std::string(kSkippedReason),
         now_text, array_of(at), array_of(day), array_of(state)});
    if (!inserted) return std::move(inserted).error();
    for (int r = 0; r < inserted->size(); ++r) {
      (inserted->text(r, 0) == "skipped" ? result.skipped : result.requested) += 1;
    }
    auto advanced = c.exec("UPDATE campaigns SET slots_done_until = $2 WHERE id = $1",
                           {std::to_string(campaign->id), now_text});
    if (!advanced) return std::move(advanced).error();
    return std::optional<MaterialisedSlots>(std::move(result));
  });
}

}  // namespace

Expected<std::vector<MaterialisedSlots>> materialise_slots(pg::Connection& conn, SysTime now,
                                                           const CampaignTickSettings& settings) {
  // A first look without locks: only campaigns with a slot due take a lock and write.
  auto rows = conn.exec(std::string(kCampaignColumns) + "ORDER BY k.id");
  if (!rows) return std::move(rows).error();
  std::vector<MaterialisedSlots> done;
  for (int r = 0; r < rows->size(); ++r) {
    auto campaign = due_campaign(*rows, r);
    if (!campaign) continue;
    if (campaigns::scheduled_slots(campaign->schedule, campaign->zone, campaign->done_until, now).empty()) continue;
    auto one = materialise_one(conn, campaign->id, now, settings);
    if (!one) return std::move(one).error();
    if (*one) done.push_back(std::move(**one));
  }
  return done;
}

Expected<std::vector<TimedExpansion>> expand_requested_runs(pg::Connection& conn, SysTime now,
                                                            const CampaignTickSettings& settings) {
  std::vector<TimedExpansion> done;
  while (done.size() < settings.max_expansions) {
    const auto started = std::chrono::steady_clock::now();
    auto outcome = campaigns::expand_next_run(conn, now, settings.expansion, settings.hooks);
    if (!outcome) return std::move(outcome).error();
    if (!*outcome) break;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    done.push_back({std::move(**outcome), took.count()});
  }
  return done;
}

Expected<std::vector<CompletedRun>> complete_finished_runs(pg::Connection& conn, SysTime now,
                                                           const CampaignTickSettings& settings) {
  return pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<std::vector<CompletedRun>> {
    // "Final" = no message can still leave: sent, delivered and read count as done, like
    // failed, expired and cancelled.
    auto runs = c.exec(
        "SELECT r.id, r.tenant_id, k.kind FROM campaign_runs r JOIN campaigns k ON k.id = r.campaign_id "
        "WHERE r.state = 'sending' AND NOT EXISTS ("
        "  SELECT 1 FROM messages m WHERE m.campaign_run_id = r.id "
        "  AND m.status IN ('accepted', 'queued', 'sending')) "
        "ORDER BY r.id LIMIT $1 FOR UPDATE OF r SKIP LOCKED",
        {std::to_string(settings.max_completions)});
    if (!runs) return std::move(runs).error();
    std::vector<CompletedRun> done;
    if (runs->size() == 0) return done;
    std::string ids = "{";
    std::map<std::int64_t, std::size_t> index;
    for (int r = 0; r < runs->size(); ++r) {
      done.push_back({runs->int64(r, 0), runs->int64(r, 1), std::string(runs->text(r, 2)), {}});
      index[done.back().run_id] = done.size() - 1;
      ids += (r ? "," : "") + std::to_string(done.back().run_id);
    }
    ids += "}";
    auto statuses = c.exec(
        "SELECT campaign_run_id, status, count(*) FROM messages WHERE campaign_run_id = ANY ($1::bigint[]) "
        "GROUP BY campaign_run_id, status",
        {ids});
    if (!statuses) return std::move(statuses).error();
    for (int r = 0; r < statuses->size(); ++r) {
      done[index.at(statuses->int64(r, 0))].statuses[std::string(statuses->text(r, 1))] = statuses->int64(r, 2);
    }
    auto updated = c.exec(
        "UPDATE campaign_runs SET state = 'completed', finished_at = $2 WHERE id = ANY ($1::bigint[])",
        {ids, format_rfc3339(now)});
    if (!updated) return std::move(updated).error();
    return done;
  });
}

CampaignTickReport run_campaign_tick(pg::Connection& conn, SysTime now, const CampaignTickSettings& settings) {
  CampaignTickReport report;
  auto materialised = materialise_slots(conn, now, settings);
  if (!materialised) {
    report.error = std::move(materialised).error();
    return report;
  }
  report.materialised = std::move(*materialised);
  auto expanded = expand_requested_runs(conn, now, settings);
  if (!expanded) {
    report.error = std::move(expanded).error();
    return report;
  }
  report.expansions = std::move(*expanded);
  auto completed = complete_finished_runs(conn, now, settings);
  if (!completed) {
    report.error = std::move(completed).error();
    return report;
  }
  report.completed = std::move(*completed);
  auto figures = conn.exec(
      "SELECT k.tenant_id, k.kind, (SELECT count(*) FROM campaign_runs r "
      "                             WHERE r.tenant_id = k.tenant_id AND r.state = 'sending') "
      "FROM (SELECT DISTINCT tenant_id, kind FROM campaigns) k ORDER BY 1, 2");
  if (!figures) {
    report.error = std::move(figures).error();
    return report;
  }
  for (int r = 0; r < figures->size(); ++r) {
    report.campaign_kinds.emplace_back(figures->int64(r, 0), std::string(figures->text(r, 1)));
    report.active_runs[figures->int64(r, 0)] = figures->int64(r, 2);
  }
  return report;
}

}  // namespace disparo::dispatch
