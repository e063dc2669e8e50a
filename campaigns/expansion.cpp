#include "campaigns/expansion.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include <date/tz.h>

#include "campaigns/audience.hpp"
#include "campaigns/message_template.hpp"
#include "common/rfc3339.hpp"

namespace disparo::campaigns {
namespace {

constexpr const char* kClaimColumns =
    "SELECT r.id, r.tenant_id, r.campaign_id, r.trigger, disparo_rfc3339(r.slot_at), "
    "       r.local_day::text, r.slot_at < $1::timestamptz - make_interval(mins => $2::int) "
    "FROM campaign_runs r ";

struct ClaimedRun {
  std::int64_t id = 0, tenant_id = 0, campaign_id = 0;
  std::string trigger;
  SysTime slot_at{};
  date::local_days day{};
  bool too_old = false;
};

// COPY text format: backslash, tab, newline and carriage return are escaped.
void append_copy_field(std::string& out, std::string_view value) {
  for (char ch : value) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += ch;
    }
  }
}

const date::time_zone* zone_or_default(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return date::locate_zone("America/Sao_Paulo");  // zones are validated when a tenant saves one
  }
}

Expected<void> finish_run(pg::Connection& conn, const ClaimedRun& run, std::string_view state,
                          const std::string& reason, const std::string& now) {
  auto updated = conn.exec(
      "UPDATE campaign_runs SET state = $2, state_reason = $3, finished_at = $4 WHERE id = $1",
      {std::to_string(run.id), std::string(state), reason, now});
  if (!updated) return std::move(updated).error();
  return {};
}

struct Rendered {
  std::string buffer;  // COPY rows for the staging table
  std::map<std::int64_t, std::int64_t> per_session;
  std::vector<std::pair<std::int64_t, std::string>> exclusions;  // client, reason
};

// Renders every recipient of the audience rows; a client whose message cannot be rendered is
// excluded (render_error) instead of stopping the run.
Rendered render_all(const pg::Rows& rows, const MessageTemplate& tmpl, const ClaimedRun& run,
                    const std::string& tenant_name, std::chrono::minutes local_minutes) {
  Rendered out;
  out.buffer.reserve(static_cast<std::size_t>(rows.size()) * 160);
  const std::string key_prefix =
      "campaign:" + std::to_string(run.campaign_id) + ":" +
      std::to_string(std::chrono::floor<std::chrono::seconds>(run.slot_at).time_since_epoch().count()) + ":";
  for (int r = 0; r < rows.size(); ++r) {
    const std::int64_t client_id = rows.int64(r, kClientId);
    if (!rows.is_null(r, kReason)) {
      out.exclusions.emplace_back(client_id, std::string(rows.text(r, kReason)));
      continue;
    }
    const RenderContext context = context_from_row(rows, r, tenant_name, run.day, local_minutes);
    auto message = render_message(tmpl, context, rows.text(r, kProvider) == "cloud_api");
    if (!message) {
      out.exclusions.emplace_back(client_id, message.error().code == kNoProviderTemplate
                                                 ? std::string(kNoProviderTemplate)
                                                 : std::string(kRenderError));
      continue;
    }
    const std::int64_t session_id = rows.int64(r, kSessionId);
    ++out.per_session[session_id];
    out.buffer += std::to_string(r);
    out.buffer += '\t';
    out.buffer += std::to_string(client_id);
    out.buffer += '\t';
    out.buffer += std::to_string(session_id);
    out.buffer += '\t';
    append_copy_field(out.buffer, rows.text(r, kPhone));
    out.buffer += '\t';
    append_copy_field(out.buffer, message->kind);
    out.buffer += '\t';
    append_copy_field(out.buffer, message->content_json);
    out.buffer += '\t';
    out.buffer += key_prefix;
    out.buffer += std::to_string(client_id);
    out.buffer += '\n';
  }
  return out;
}

// One INSERT ... SELECT from the staging table: the messages and one event each. A campaign
// message is born queued (accepted and queued in the same instant of the same transaction), so
// its history starts with one `queued` event whose reason names the campaign: a second row per
// message was 100,000 rows per 100,000 clients for no information.
constexpr const char* kInsertSql = R"SQL(
WITH ins AS (
  INSERT INTO messages (tenant_id, session_id, client_id, recipient, kind, content, priority, status,
                        idempotency_key, metadata, send_at, expires_at, group_id, group_interval_ms,
                        origin, campaign_run_id)
  SELECT $1, b.session_id, b.client_id, b.recipient, b.kind, b.content::jsonb, 1, 'queued',
         b.idempotency_key, $2::jsonb, $3::timestamptz, $4::timestamptz, $5, $6::int, 'campaign', $7
  FROM campaign_expansion b ORDER BY b.ord
  ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id
), ev AS (
  INSERT INTO message_events (message_id, status, reason)
  SELECT ins.id, 'queued', 'campaign' FROM ins ORDER BY ins.id
)
SELECT count(*) FROM ins
)SQL";

Expected<ExpansionOutcome> expand_claimed(pg::Connection& conn, const ClaimedRun& run, SysTime now,
                                          const ExpansionSettings& settings) {
  const std::string now_text = format_rfc3339(now);
  ExpansionOutcome outcome;
  outcome.run_id = run.id;
  outcome.tenant_id = run.tenant_id;
  outcome.campaign_id = run.campaign_id;
  outcome.trigger = run.trigger;

  auto campaign = conn.exec(
      "SELECT k.kind, k.template_id, k.interval_seconds, k.archived_at IS NOT NULL, t.name, t.time_zone "
      "FROM campaigns k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = $1 AND k.tenant_id = $2",
      {std::to_string(run.campaign_id), std::to_string(run.tenant_id)});
  if (!campaign) return std::move(campaign).error();
  if (campaign->size() == 0) return make_error(ErrorKind::internal, "run without its campaign");
  outcome.campaign_kind = std::string(campaign->text(0, 0));
  const std::int64_t interval_seconds = campaign->int64(0, 2);
  const std::string tenant_name(campaign->text(0, 4));
  const date::time_zone* zone = zone_or_default(campaign->text(0, 5));

  auto fail = [&](std::string reason) -> Expected<ExpansionOutcome> {
    if (auto done = finish_run(conn, run, "failed", reason, now_text); !done) return std::move(done).error();
    outcome.result = RunResult::failed;
    outcome.reason = std::move(reason);
    return outcome;
  };
  if (run.too_old) {
    std::string reason = "missed: not expanded within the catch-up window";
    if (auto done = finish_run(conn, run, "skipped", reason, now_text); !done) return std::move(done).error();
    outcome.result = RunResult::skipped;
    outcome.reason = std::move(reason);
    return outcome;
  }
  if (campaign->boolean(0, 3)) return fail("campaign archived");
  auto tmpl = load_template(conn, run.tenant_id, campaign->int64(0, 1));
  if (!tmpl) {
    if (tmpl.error().kind == ErrorKind::not_found) return fail("template not found");
    return std::move(tmpl).error();
  }
  if (tmpl->archived_at) return fail("template archived");
  if (auto problems = validate_template(*tmpl); !problems.empty()) {
    return fail("template invalid: " + problems.front().field + ": " + problems.front().message);
  }

  const AudienceScope scope{.tenant_id = run.tenant_id, .campaign_id = run.campaign_id, .day = run.day, .run_id = run.id};
  auto rows = conn.exec(audience_sql(), audience_params(scope));
  if (!rows) return std::move(rows).error();
  const auto local = zone->to_local(now);
  const auto local_minutes =
      std::chrono::duration_cast<std::chrono::minutes>(local - date::floor<date::days>(local));
  Rendered rendered = render_all(*rows, *tmpl, run, tenant_name, local_minutes);

  std::int64_t busiest = 0;
  for (const auto& [session, count] : rendered.per_session) {
    busiest = std::max(busiest, count);
    outcome.session_ids.push_back(session);
  }
  if (!rendered.per_session.empty()) {
    auto staged = conn.exec_script(
        "CREATE TEMP TABLE campaign_expansion (ord int, client_id bigint, session_id bigint, "
        "recipient text, kind text, content text, idempotency_key text) ON COMMIT DROP");
    if (!staged) return std::move(staged).error();
    auto copied = conn.copy_in("COPY campaign_expansion FROM STDIN", rendered.buffer);
    if (!copied) return std::move(copied).error();
    // The last client of the busiest session is paced busiest * interval after now; every
    // message stays valid `validity` beyond that.
    const SysTime expires = now + std::chrono::seconds(busiest * interval_seconds) + settings.validity;
    const std::string metadata = "{\"campaign_id\":\"" + std::to_string(run.campaign_id) +
                                 "\",\"campaign_run_id\":\"" + std::to_string(run.id) + "\"}";
    auto inserted = conn.exec(kInsertSql, {std::to_string(run.tenant_id), metadata, now_text,
                                           format_rfc3339(expires), "campaign-run:" + std::to_string(run.id),
                                           std::to_string(interval_seconds * 1000), std::to_string(run.id)});
    if (!inserted) return std::move(inserted).error();
    outcome.recipients = inserted->int64(0, 0);
  }
  if (!rendered.exclusions.empty()) {
    std::string buffer;
    buffer.reserve(rendered.exclusions.size() * 32);
    std::map<std::string, std::int64_t> reasons;
    for (const auto& [client, reason] : rendered.exclusions) {
      buffer += std::to_string(run.id) + '\t' + std::to_string(client) + '\t' + reason + '\n';
      ++reasons[reason];
    }
    auto copied = conn.copy_in("COPY campaign_exclusions (run_id, client_id, reason) FROM STDIN", buffer);
    if (!copied) return std::move(copied).error();
    outcome.excluded = static_cast<std::int64_t>(rendered.exclusions.size());
    for (std::string_view reason : kExclusionReasons) {
      if (auto it = reasons.find(std::string(reason)); it != reasons.end()) outcome.excluded_by_reason.push_back(*it);
    }
    if (auto it = reasons.find(std::string(kRenderError)); it != reasons.end()) outcome.excluded_by_reason.push_back(*it);
  }
  auto updated = conn.exec(
      "UPDATE campaign_runs SET state = 'sending', state_reason = NULL, recipients = $2, excluded = $3, "
      "started_at = $4 WHERE id = $1",
      {std::to_string(run.id), std::to_string(outcome.recipients), std::to_string(outcome.excluded), now_text});
  if (!updated) return std::move(updated).error();
  outcome.result = RunResult::expanded;
  return outcome;
}

Expected<std::optional<ExpansionOutcome>> expand_where(pg::Connection& conn, const std::string& where,
                                                       pg::Params params, SysTime now,
                                                       const ExpansionSettings& settings,
                                                       const ExpansionHooks& hooks) {
  return pg::in_transaction(conn, [&](pg::Connection& c) -> Expected<std::optional<ExpansionOutcome>> {
    auto claimed = c.exec(std::string(kClaimColumns) + where, params);
    if (!claimed) return std::move(claimed).error();
    if (claimed->size() == 0) return std::optional<ExpansionOutcome>{};
    ClaimedRun run;
    run.id = claimed->int64(0, 0);
    run.tenant_id = claimed->int64(0, 1);
    run.campaign_id = claimed->int64(0, 2);
    run.trigger = std::string(claimed->text(0, 3));
    run.slot_at = parse_rfc3339(claimed->text(0, 4)).value_or(now);
    run.day = parse_local_date(claimed->text(0, 5)).value_or(date::local_days{});
    run.too_old = claimed->boolean(0, 6);
    auto outcome = expand_claimed(c, run, now, settings);
    if (!outcome) return std::move(outcome).error();
    if (hooks.before_commit) {
      if (auto hooked = hooks.before_commit(c); !hooked) return std::move(hooked).error();
    }
    return std::optional<ExpansionOutcome>(std::move(*outcome));
  });
}

}  // namespace

const char* to_string(RunResult result) noexcept {
  switch (result) {
    case RunResult::expanded: return "expanded";
    case RunResult::skipped: return "skipped";
    case RunResult::failed: return "failed";
  }
  return "failed";
}

std::string campaign_message_key(std::int64_t campaign_id, SysTime slot_at, std::int64_t client_id) {
  return "campaign:" + std::to_string(campaign_id) + ":" +
         std::to_string(std::chrono::floor<std::chrono::seconds>(slot_at).time_since_epoch().count()) +
         ":" + std::to_string(client_id);
}

Expected<std::optional<ExpansionOutcome>> expand_next_run(pg::Connection& conn, SysTime now,
                                                          const ExpansionSettings& settings,
                                                          const ExpansionHooks& hooks) {
  return expand_where(conn,
                      "WHERE r.state = 'requested' ORDER BY r.requested_at, r.id LIMIT 1 "
                      "FOR UPDATE SKIP LOCKED",
                      {format_rfc3339(now), std::to_string(settings.catch_up.count())}, now, settings, hooks);
}

Expected<std::optional<ExpansionOutcome>> expand_run(pg::Connection& conn, std::int64_t run_id,
                                                     SysTime now, const ExpansionSettings& settings,
                                                     const ExpansionHooks& hooks) {
  return expand_where(conn, "WHERE r.id = $3 AND r.state = 'requested' FOR UPDATE SKIP LOCKED",
                      {format_rfc3339(now), std::to_string(settings.catch_up.count()), std::to_string(run_id)},
                      now, settings, hooks);
}

}  // namespace disparo::campaigns
