#include "admin/campaigns/run_store.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include <boost/json.hpp>

#include "common/crypto.hpp"

namespace disparo::admin::campaigns {
namespace {

constexpr std::array<std::string_view, 9> kMessageStatuses{"accepted", "queued", "sending", "sent", "delivered",
                                                           "read", "failed", "expired", "cancelled"};

// Cursors are opaque to callers: base64url of "<listing>|<values>", checked when they come back.
std::string encode_token(const std::string& raw) { return crypto::base64url_encode(raw); }

std::optional<std::string> decode_token(std::string_view text, std::string_view listing) {
  if (text.empty() || text.size() > 200) return std::nullopt;
  std::string raw;
  if (!crypto::base64url_decode(text, raw)) return std::nullopt;
  const std::string prefix = std::string(listing) + "|";
  if (raw.rfind(prefix, 0) != 0) return std::nullopt;
  return raw.substr(prefix.size());
}

std::optional<int> read_limit(const std::string& value) {
  auto n = parse_id(value);
  if (!n || *n > kMaxRunPage) return std::nullopt;
  return static_cast<int>(*n);
}

std::string limit_error() { return "must be between 1 and " + std::to_string(kMaxRunPage); }

// Counts by final status per run: sent counts every message that reached the provider (sent,
// delivered or read), delivered those delivered or read.
constexpr const char* kRunSelect =
    "SELECT r.id, r.campaign_id, c.name, c.kind, r.trigger, disparo_rfc3339(r.slot_at), r.local_day::text, "
    "       r.state, r.state_reason, r.recipients, r.excluded, r.requested_by, disparo_rfc3339(r.requested_at), "
    "       disparo_rfc3339(r.started_at), disparo_rfc3339(r.finished_at), "
    "       s.messages, s.sent, s.delivered, s.read, s.failed "
    "FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id "
    "LEFT JOIN LATERAL (SELECT count(*) AS messages, "
    "         count(*) FILTER (WHERE m.status IN ('sent', 'delivered', 'read')) AS sent, "
    "         count(*) FILTER (WHERE m.status IN ('delivered', 'read')) AS delivered, "
    "         count(*) FILTER (WHERE m.status = 'read') AS read, "
    "         count(*) FILTER (WHERE m.status = 'failed') AS failed "
    "       FROM messages m WHERE m.campaign_run_id = r.id) s ON true "
    "WHERE r.tenant_id = $1 ";

boost::json::object run_json(const pg::Rows& rows, int r) {
  return boost::json::object{
      {"id", rows.int64(r, kRunId)},
      {"campaign_id", rows.int64(r, kRunCampaignId)},
      {"campaign_name", rows.text(r, kRunCampaignName)},
      {"campaign_kind", rows.text(r, kRunCampaignKind)},
      {"trigger", rows.text(r, kRunTrigger)},
      {"slot_at", rows.text(r, kRunSlotAt)},
      {"local_day", rows.text(r, kRunLocalDay)},
      {"state", rows.text(r, kRunState)},
      {"state_reason", nullable_text(rows, r, kRunStateReason)},
      {"recipients", nullable_int(rows, r, kRunRecipients)},
      {"excluded", nullable_int(rows, r, kRunExcluded)},
      {"requested_by", nullable_text(rows, r, kRunRequestedBy)},
      {"requested_at", rows.text(r, kRunRequestedAt)},
      {"started_at", nullable_text(rows, r, kRunStartedAt)},
      {"finished_at", nullable_text(rows, r, kRunFinishedAt)},
      {"sent", rows.int64(r, kRunSent)},
      {"delivered", rows.int64(r, kRunDelivered)},
      {"read", rows.int64(r, kRunRead)},
      {"failed", rows.int64(r, kRunFailed)},
  };
}

boost::json::object recipient_json(const pg::Rows& rows, int r) {
  return boost::json::object{
      {"client_id", nullable_int(rows, r, kRcptClientId)},
      {"name", nullable_text(rows, r, kRcptName)},
      {"phone", nullable_text(rows, r, kRcptPhone)},
      {"status", rows.text(r, kRcptStatus)},
      {"reason", nullable_text(rows, r, kRcptReason)},
      {"message_id", nullable_int(rows, r, kRcptMessageId)},
      {"session_id", nullable_int(rows, r, kRcptSessionId)},
      {"send_at", nullable_text(rows, r, kRcptSendAt)},
      {"updated_at", nullable_text(rows, r, kRcptUpdatedAt)},
  };
}

}  // namespace

Validated<RunListRequest> read_run_list_request(const QueryParams& query) {
  RunListRequest out;
  std::vector<FieldError> errors;
  auto choice = [&](const std::string& key, const std::string& v, std::initializer_list<std::string_view> allowed,
                    std::optional<std::string>& target) {
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) target = v;
    else errors.push_back({key, "is not one of the accepted values"});
  };
  for (const auto& [key, value] : query) {
    auto& f = out.filter;
    if (key == "campaign_id") {
      f.campaign_id = parse_id(value);
      if (!f.campaign_id) errors.push_back({key, "must be a positive integer id"});
    } else if (key == "state") {
      choice(key, value, {"requested", "sending", "completed", "skipped", "failed"}, f.state);
    } else if (key == "trigger") {
      choice(key, value, {"schedule", "manual"}, f.trigger);
    } else if (key == "kind") {
      choice(key, value, {"billing", "recovery", "referral", "post_sale", "custom"}, f.kind);
    } else if (key == "from" || key == "to") {
      if (!valid_date(value)) errors.push_back({key, "must be a date (YYYY-MM-DD)"});
      else (key == "from" ? f.from : f.to) = value;
    } else if (key == "limit") {
      auto n = read_limit(value);
      if (!n) errors.push_back({key, limit_error()});
      else out.limit = *n;
    } else if (key == "cursor") {
      auto raw = decode_token(value, "runs");
      auto id = raw ? parse_id(*raw) : std::nullopt;
      if (!id) errors.push_back({key, "is not a cursor of this listing"});
      else out.after_id = id;
    } else {
      errors.push_back({key, "is not a known parameter"});
    }
  }
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(out), {}};
}

Validated<RecipientListRequest> read_recipient_list_request(const QueryParams& query) {
  RecipientListRequest out;
  std::vector<FieldError> errors;
  for (const auto& [key, value] : query) {
    if (key == "status") {
      if (value == "excluded" || std::find(kMessageStatuses.begin(), kMessageStatuses.end(), value) != kMessageStatuses.end()) {
        out.status = value;
      } else {
        errors.push_back({key, "must be a message status or excluded"});
      }
    } else if (key == "limit") {
      auto n = read_limit(value);
      if (!n) errors.push_back({key, limit_error()});
      else out.limit = *n;
    } else if (key == "cursor") {
      auto raw = decode_token(value, "recipients");
      std::optional<std::int64_t> key_value;
      if (raw && raw->size() > 2 && ((*raw)[0] == '0' || (*raw)[0] == '1') && (*raw)[1] == '|') {
        key_value = parse_id(std::string_view(*raw).substr(2));
      }
      if (!key_value) errors.push_back({key, "is not a cursor of this listing"});
      else out.after = std::make_pair((*raw)[0] - '0', *key_value);
    } else {
      errors.push_back({key, "is not a known parameter"});
    }
  }
  if (!errors.empty()) return {std::nullopt, std::move(errors)};
  return {std::move(out), {}};
}

PageSql run_page_sql(std::int64_t tenant_id, const RunListRequest& request) {
  PageSql out;
  out.params.push_back(param(tenant_id));
  auto next = [&](pg::Param v) {
    out.params.push_back(std::move(v));
    return "$" + std::to_string(out.params.size());
  };
  const auto& f = request.filter;
  std::string where;
  if (f.campaign_id) where += "AND r.campaign_id = " + next(param(*f.campaign_id)) + "::bigint ";
  if (f.state) where += "AND r.state = " + next(*f.state) + " ";
  if (f.trigger) where += "AND r.trigger = " + next(*f.trigger) + " ";
  if (f.kind) where += "AND c.kind = " + next(*f.kind) + " ";
  if (f.from) where += "AND r.local_day >= " + next(*f.from) + "::date ";
  if (f.to) where += "AND r.local_day <= " + next(*f.to) + "::date ";
  if (request.after_id) where += "AND r.id < " + next(param(*request.after_id)) + "::bigint ";
  out.sql = std::string(kRunSelect) + where + "ORDER BY r.id DESC LIMIT " + std::to_string(request.limit + 1);
  return out;
}

PageSql recipient_page_sql(std::int64_t tenant_id, std::int64_t run_id, const RecipientListRequest& request) {
  PageSql out;
  out.params = {param(run_id), param(tenant_id)};
  std::string messages_where, exclusions_where;
  if (request.status == std::string("excluded")) {
    messages_where = "AND false ";
  } else if (request.status) {
    out.params.push_back(*request.status);
    messages_where = "AND m.status = $3 ";
    exclusions_where = "AND false ";
  }
  std::string after;
  if (request.after) {
    out.params.push_back(std::to_string(request.after->first));
    out.params.push_back(std::to_string(request.after->second));
    const auto n = out.params.size();
    after = "WHERE (u.part, u.key) > ($" + std::to_string(n - 1) + "::int, $" + std::to_string(n) + "::bigint) ";
  }
  // part 0: the run's messages (per-recipient status is the message's own); part 1: the clients
  // the run left out, with the reason as the status reason.
  out.sql =
      "SELECT * FROM ("
      "  SELECT 0 AS part, m.id AS key, m.client_id, c.name, m.recipient, m.status, m.status_reason, m.id, "
      "         m.session_id, disparo_rfc3339(m.send_at), disparo_rfc3339(m.updated_at) "
      "  FROM messages m LEFT JOIN clients c ON c.id = m.client_id "
      "  WHERE m.campaign_run_id = $1 AND m.tenant_id = $2 " + messages_where +
      "  UNION ALL "
      "  SELECT 1, e.client_id, e.client_id, c.name, c.phone, 'excluded', e.reason, NULL::bigint, NULL::bigint, "
      "         NULL::text, NULL::text "
      "  FROM campaign_exclusions e JOIN clients c ON c.id = e.client_id "
      "  WHERE e.run_id = $1 AND c.tenant_id = $2 " + exclusions_where +
      ") u " + after + "ORDER BY u.part, u.key LIMIT " + std::to_string(request.limit + 1);
  return out;
}

Expected<bool> run_exists(pg::Connection& conn, std::int64_t tenant_id, std::int64_t run_id) {
  auto rows = conn.exec("SELECT 1 FROM campaign_runs WHERE id = $1 AND tenant_id = $2", {param(run_id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  return rows->size() > 0;
}

Expected<boost::json::value> list_runs(pg::Connection& conn, std::int64_t tenant_id, const RunListRequest& request) {
  const auto page = run_page_sql(tenant_id, request);
  auto rows = conn.exec(page.sql, page.params);
  if (!rows) return std::move(rows).error();
  const int n = std::min(rows->size(), request.limit);
  boost::json::array items;
  for (int r = 0; r < n; ++r) items.push_back(run_json(*rows, r));
  boost::json::value cursor = nullptr;
  if (rows->size() > request.limit) cursor = encode_token("runs|" + std::string(rows->text(n - 1, kRunId)));
  return boost::json::value(boost::json::object{{"items", std::move(items)}, {"next_cursor", cursor}});
}

Expected<boost::json::value> read_run(pg::Connection& conn, std::int64_t tenant_id, std::int64_t run_id) {
  auto rows = conn.exec(std::string(kRunSelect) + "AND r.id = $2", {param(tenant_id), param(run_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("campaign run");
  auto run = run_json(*rows, 0);

  auto statuses = conn.exec(
      "SELECT m.status, m.status_reason, count(*) FROM messages m WHERE m.campaign_run_id = $1 AND m.tenant_id = $2 "
      "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
      {param(run_id), param(tenant_id)});
  if (!statuses) return std::move(statuses).error();
  std::map<std::string, std::int64_t> by_status;
  for (auto s : kMessageStatuses) by_status[std::string(s)] = 0;
  boost::json::array failed_by_reason;
  std::int64_t total = 0;
  for (int r = 0; r < statuses->size(); ++r) {
    const std::string status(statuses->text(r, 0));
    const auto count = statuses->int64(r, 2);
    by_status[status] += count;
    total += count;
    if (status == "failed") {
      failed_by_reason.push_back(boost::json::object{
          {"reason", statuses->is_null(r, 1) ? boost::json::value("unknown") : boost::json::value(statuses->text(r, 1))},
          {"count", count}});
    }
  }
  auto exclusions = conn.exec(
      "SELECT e.reason, count(*) FROM campaign_exclusions e WHERE e.run_id = $1 GROUP BY 1 ORDER BY 2 DESC, 1",
      {param(run_id)});
  if (!exclusions) return std::move(exclusions).error();
  boost::json::array excluded_by_reason;
  std::int64_t excluded = 0;
  for (int r = 0; r < exclusions->size(); ++r) {
    excluded += exclusions->int64(r, 1);
    excluded_by_reason.push_back(
        boost::json::object{{"reason", exclusions->text(r, 0)}, {"count", exclusions->int64(r, 1)}});
  }
  boost::json::object status_counts;
  for (const auto& [status, count] : by_status) status_counts[status] = count;
  const auto pending = by_status["accepted"] + by_status["queued"] + by_status["sending"];
  run["report"] = boost::json::object{
      {"messages", total},
      {"pending", pending},
      {"sent", by_status["sent"] + by_status["delivered"] + by_status["read"]},
      {"delivered", by_status["delivered"] + by_status["read"]},
      {"read", by_status["read"]},
      {"failed", by_status["failed"]},
      {"expired", by_status["expired"]},
      {"cancelled", by_status["cancelled"]},
      {"by_status", std::move(status_counts)},
      {"failed_by_reason", std::move(failed_by_reason)},
      {"excluded", excluded},
      {"excluded_by_reason", std::move(excluded_by_reason)},
  };
  return boost::json::value(std::move(run));
}

Expected<boost::json::value> list_recipients(pg::Connection& conn, std::int64_t tenant_id, std::int64_t run_id,
                                             const RecipientListRequest& request) {
  auto exists = run_exists(conn, tenant_id, run_id);
  if (!exists) return std::move(exists).error();
  if (!*exists) return not_found_error("campaign run");
  const auto page = recipient_page_sql(tenant_id, run_id, request);
  auto rows = conn.exec(page.sql, page.params);
  if (!rows) return std::move(rows).error();
  const int n = std::min(rows->size(), request.limit);
  boost::json::array items;
  for (int r = 0; r < n; ++r) items.push_back(recipient_json(*rows, r));
  boost::json::value cursor = nullptr;
  if (rows->size() > request.limit) {
    cursor = encode_token("recipients|" + std::string(rows->text(n - 1, kRcptPart)) + "|" +
                          std::string(rows->text(n - 1, kRcptKey)));
  }
  return boost::json::value(boost::json::object{{"items", std::move(items)}, {"next_cursor", cursor}});
}

}  // namespace disparo::admin::campaigns
