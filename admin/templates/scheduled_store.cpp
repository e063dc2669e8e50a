#include "admin/templates/scheduled_store.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "admin/json.hpp"
#include "campaigns/client_context.hpp"
#include "campaigns/enqueue.hpp"
#include "campaigns/message_template.hpp"
#include "common/rfc3339.hpp"

namespace disparo::admin::templates {
namespace {

constexpr const char* kColumns =
    "m.id, m.client_id, m.recipient, m.session_id, m.kind, m.content::text, m.status, m.status_reason, "
    "disparo_rfc3339(m.send_at), disparo_rfc3339(m.expires_at), disparo_rfc3339(m.created_at), "
    "disparo_rfc3339(m.updated_at), (m.metadata->>'template_id')::bigint, "
    "(extract(epoch FROM m.send_at) * 1000000)::bigint";
constexpr int kCursorColumn = 13;

boost::json::object scheduled_json(const pg::Rows& rows, int r) {
  boost::json::error_code ec;
  auto content = boost::json::parse(rows.text(r, 5), ec);
  if (ec) content = boost::json::object();
  boost::json::value text = nullptr;
  if (const auto* object = content.if_object()) {
    if (const auto* body = object->if_contains("body"); body && body->is_string()) text = *body;
    if (const auto* caption = object->if_contains("caption"); caption && caption->is_string()) text = *caption;
  }
  return boost::json::object{{"id", rows.int64(r, 0)},
                             {"client_id", nullable_int(rows, r, 1)},
                             {"to", rows.text(r, 2)},
                             {"session_id", rows.int64(r, 3)},
                             {"kind", rows.text(r, 4)},
                             {"template_id", nullable_int(rows, r, 12)},
                             {"content", std::move(content)},
                             {"text", std::move(text)},
                             {"send_at", rows.text(r, 8)},
                             {"expires_at", rows.text(r, 9)},
                             {"status", rows.text(r, 6)},
                             {"reason", nullable_text(rows, r, 7)},
                             {"created_at", rows.text(r, 10)},
                             {"updated_at", rows.text(r, 11)}};
}

struct Session {
  std::int64_t id = 0;
  std::string provider;
};

Expected<std::optional<Session>> session_for(pg::Connection& conn, std::int64_t tenant_id,
                                             const NewScheduled& in, const campaigns::ClientTarget* target) {
  if (in.session_id) {
    auto rows = conn.exec("SELECT id, provider FROM whatsapp_sessions WHERE id = $1 AND tenant_id = $2",
                          {param(*in.session_id), param(tenant_id)});
    if (!rows) return std::move(rows).error();
    if (rows->size() == 0) return field_error("session_id", "does not name one of this tenant's sessions");
    return std::optional<Session>(Session{rows->int64(0, 0), std::string(rows->text(0, 1))});
  }
  if (target) {
    if (!target->session_id) return std::optional<Session>();
    return std::optional<Session>(Session{*target->session_id, target->provider});
  }
  auto rows = conn.exec("SELECT id, provider FROM whatsapp_sessions WHERE tenant_id = $1 AND is_default",
                        {param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return std::optional<Session>();
  return std::optional<Session>(Session{rows->int64(0, 0), std::string(rows->text(0, 1))});
}

}  // namespace

bool placeholder_allowed_without_client(std::string_view name) {
  return name == "empresa" || name == "data" || name == "hora";
}

Expected<Reply> create_scheduled(pg::Connection& conn, std::int64_t tenant_id, const NewScheduled& in, SysTime now) {
  auto tenant = conn.exec("SELECT name, time_zone FROM tenants WHERE id = $1", {param(tenant_id)});
  if (!tenant) return std::move(tenant).error();
  if (tenant->size() == 0) return not_found_error("tenant");

  std::optional<campaigns::ClientTarget> target;
  campaigns::RenderContext context;
  std::string recipient = in.to.value_or("");
  if (in.client_id) {
    auto loaded = campaigns::load_client_target(conn, tenant_id, *in.client_id, now);
    if (!loaded) {
      if (loaded.error().kind == ErrorKind::not_found) {
        return field_error("client_id", "does not name one of this tenant's clients");
      }
      return std::move(loaded).error();
    }
    if (loaded->blocked || loaded->archived) {
      return make_error(ErrorKind::conflict, std::string("The client is ") + (loaded->blocked ? "blocked." : "archived."),
                        loaded->blocked ? "blocked" : "archived");
    }
    target = std::move(*loaded);
    context = target->context;
    recipient = target->phone;
  } else {
    context.empresa = tenant->text(0, 0);
  }
  // {data} and {hora} say when the message is sent, not when it was scheduled.
  const auto local = campaigns::local_now(tenant->text(0, 1), in.send_at);
  context.today = local.today;
  context.now_local_minutes = local.minutes;

  auto session = session_for(conn, tenant_id, in, target ? &*target : nullptr);
  if (!session) return std::move(session).error();
  if (!*session) {
    return make_error(ErrorKind::conflict, "No WhatsApp session to send from (the client's server's or the default).",
                      "no_session");
  }

  campaigns::MessageTemplate tmpl;
  if (in.template_id) {
    auto loaded = campaigns::load_template(conn, tenant_id, *in.template_id);
    if (!loaded) {
      if (loaded.error().kind == ErrorKind::not_found) {
        return field_error("template_id", "does not name one of this tenant's templates");
      }
      return std::move(loaded).error();
    }
    if (loaded->archived_at) return field_error("template_id", "names an archived template");
    tmpl = std::move(*loaded);
  } else {
    tmpl.kind = "text";
    tmpl.body = in.text.value_or("");
  }
  // A free text is sent as text whatever the provider (inside a Cloud API conversation window).
  const bool cloud = in.template_id.has_value() && (*session)->provider == "cloud_api";
  auto rendered = campaigns::render_message(tmpl, context, cloud);
  if (!rendered) {
    if (rendered.error().code == campaigns::kNoProviderTemplate) {
      return make_error(ErrorKind::conflict,
                        "The session is a Cloud API session and this template has no approved provider template.",
                        std::string(campaigns::kNoProviderTemplate));
    }
    return std::move(rendered).error();
  }

  campaigns::NewMessage m;
  m.tenant_id = tenant_id;
  m.session_id = (*session)->id;
  m.client_id = in.client_id;
  m.recipient = recipient;
  m.kind = rendered->kind;
  m.content_json = rendered->content_json;
  m.priority = 0;
  m.origin = "scheduled";
  m.send_at = in.send_at;
  if (in.idempotency_key) m.idempotency_key = "scheduled:" + *in.idempotency_key;
  boost::json::object metadata{{"api_key_id", in.key_id}};
  if (in.template_id) metadata["template_id"] = *in.template_id;
  m.metadata_json = to_json(metadata);
  auto inserted = campaigns::enqueue_message(conn, m);
  if (!inserted) return std::move(inserted).error();
  if (*inserted) {
    auto created = read_scheduled(conn, tenant_id, **inserted);
    if (created) created->status = http::status::created;
    return created;
  }
  auto existing = conn.exec("SELECT id FROM messages WHERE tenant_id = $1 AND idempotency_key = $2 AND origin = 'scheduled'",
                            {param(tenant_id), m.idempotency_key});
  if (!existing) return std::move(existing).error();
  if (existing->size() == 0) return make_error(ErrorKind::conflict, "The idempotency key is used by another message.");
  return read_scheduled(conn, tenant_id, existing->int64(0, 0));
}

Expected<Reply> list_scheduled(pg::Connection& conn, std::int64_t tenant_id, const ScheduledQuery& q) {
  pg::Params params{param(tenant_id), param(q.status), param(q.client_id), std::to_string(q.limit + 1)};
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM messages m WHERE m.tenant_id = $1 AND m.origin = 'scheduled' "
                    "AND ($2::text IS NULL OR m.status = $2) AND ($3::bigint IS NULL OR m.client_id = $3) ";
  if (q.after) {
    params.push_back(std::to_string(q.after->first));
    params.push_back(std::to_string(q.after->second));
    sql += "AND (m.send_at, m.id) < ('epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6::bigint) ";
  }
  sql += "ORDER BY m.send_at DESC, m.id DESC LIMIT $4::integer";
  auto rows = conn.exec(sql, params);
  if (!rows) return std::move(rows).error();
  const int shown = std::min(rows->size(), q.limit);
  boost::json::array items;
  for (int r = 0; r < shown; ++r) items.push_back(scheduled_json(*rows, r));
  boost::json::value next = nullptr;
  if (rows->size() > q.limit) {
    next = boost::json::string(std::string(rows->text(shown - 1, kCursorColumn)) + "." +
                               std::to_string(rows->int64(shown - 1, 0)));
  }
  return Reply{http::status::ok, boost::json::object{{"items", std::move(items)}, {"next_cursor", std::move(next)}}, {}};
}

Expected<Reply> read_scheduled(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  auto rows = conn.exec(std::string("SELECT ") + kColumns +
                            " FROM messages m WHERE m.tenant_id = $1 AND m.id = $2 AND m.origin = 'scheduled'",
                        {param(tenant_id), param(id)});
  if (!rows) return std::move(rows).error();
  if (rows->size() == 0) return not_found_error("scheduled message");
  auto out = scheduled_json(*rows, 0);
  auto events = conn.exec(
      "SELECT status, reason, disparo_rfc3339(occurred_at) FROM message_events WHERE message_id = $1 ORDER BY id",
      {param(id)});
  if (!events) return std::move(events).error();
  boost::json::array history;
  for (int r = 0; r < events->size(); ++r) {
    history.push_back(boost::json::object{{"status", events->text(r, 0)},
                                          {"reason", nullable_text(*events, r, 1)},
                                          {"occurred_at", events->text(r, 2)}});
  }
  out["events"] = std::move(history);
  return Reply{http::status::ok, std::move(out), {}};
}

Expected<Reply> cancel_scheduled(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id) {
  // The same statement shape as the dispatcher's cancel: only a message nobody is sending yet.
  auto rows = conn.exec(
      "WITH cancelled AS ("
      "  UPDATE messages SET status = 'cancelled', status_reason = 'cancelled by operator', updated_at = now() "
      "  WHERE id = $1 AND tenant_id = $2 AND origin = 'scheduled' AND status IN ('accepted', 'queued') RETURNING id), "
      "events AS (INSERT INTO message_events (message_id, status, reason) "
      "           SELECT id, 'cancelled', 'cancelled by operator' FROM cancelled) "
      "SELECT (SELECT count(*) FROM cancelled), "
      "       (SELECT status FROM messages WHERE id = $1 AND tenant_id = $2 AND origin = 'scheduled')",
      {param(id), param(tenant_id)});
  if (!rows) return std::move(rows).error();
  if (rows->int64(0, 0) == 0) {
    if (rows->is_null(0, 1)) return not_found_error("scheduled message");
    return make_error(ErrorKind::conflict, "The message is " + std::string(rows->text(0, 1)) +
                                               "; only queued messages can be cancelled.");
  }
  return read_scheduled(conn, tenant_id, id);
}

}  // namespace disparo::admin::templates
