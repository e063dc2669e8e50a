#include "loadtest/bench_ingest/physical_limit.hpp"

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "loadtest/bench_support/message_batches.hpp"
#include "loadtest/bench_support/scenario.hpp"
#include "loadtest/bench_support/stats.hpp"

namespace disparo::bench {
namespace {

constexpr const char* kColumns =
    "tenant_id, session_id, client_id, recipient, kind, content, priority, status, idempotency_key, "
    "metadata, callback_url, send_at, expires_at";

// COPY text format: the JSON we write has no tab, newline or backslash, so no escaping is needed.
std::string copy_rows(std::int64_t tenant, std::int64_t session, std::int64_t first, std::int64_t count,
                      const std::string& send_at, const std::string& expires_at) {
  std::string data;
  data.reserve(static_cast<std::size_t>(count) * 260);
  const std::string prefix = std::to_string(tenant) + '\t' + std::to_string(session) + "\t\\N\t";
  for (std::int64_t i = first; i < first + count; ++i) {
    data += prefix;
    data += recipient_for(i);
    data += "\ttext\t";
    data += content_json_for(i);
    data += "\t1\tqueued\t\\N\t\\N\t\\N\t";
    data += send_at;
    data += '\t';
    data += expires_at;
    data += '\n';
  }
  return data;
}

std::string event_rows(std::int64_t first_id, std::int64_t count) {
  std::string data;
  data.reserve(static_cast<std::size_t>(count) * 24);
  for (std::int64_t id = first_id; id < first_id + count; ++id) {
    data += std::to_string(id) + "\taccepted\n";
    data += std::to_string(id) + "\tqueued\n";
  }
  return data;
}

// A PostgreSQL array literal; every element quoted, NULL unquoted.
std::string array_literal(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

void begin(pg::Connection& conn) {
  if (auto ok = conn.exec_script("BEGIN"); !ok) throw std::runtime_error("BEGIN: " + ok.error().message);
}
void commit(pg::Connection& conn) { exec_or_throw(conn, "COMMIT"); }
void copy(pg::Connection& conn, const std::string& sql, const std::string& data) {
  auto copied = conn.copy_in(sql, data);
  if (!copied) throw std::runtime_error("COPY failed: " + copied.error().message);
}

}  // namespace

PhysicalFigures measure_physical_limit(pg::Connection& conn, std::int64_t tenant, std::int64_t session,
                                       std::int64_t messages, std::int64_t batch, std::int64_t first_index) {
  PhysicalFigures figures;
  exec_or_throw(conn, "DROP TABLE IF EXISTS bench_scratch_messages, bench_scratch_events");
  exec_or_throw(conn, "CREATE TABLE bench_scratch_messages (LIKE messages INCLUDING ALL)");
  exec_or_throw(conn, "CREATE TABLE bench_scratch_events (LIKE message_events INCLUDING ALL)");
  // LIKE copies columns, checks and indexes but not storage parameters (messages' fillfactor).
  exec_or_throw(conn, R"SQL(
DO $$ DECLARE options text; BEGIN
  SELECT array_to_string(reloptions, ', ') INTO options FROM pg_class WHERE oid = 'messages'::regclass;
  IF options IS NOT NULL THEN EXECUTE 'ALTER TABLE bench_scratch_messages SET (' || options || ')'; END IF;
END $$)SQL");
  const std::string send_at = "2030-01-01 12:00:00+00", expires_at = "2030-01-02 12:00:00+00";
  const std::string copy_messages = std::string("COPY bench_scratch_messages (") + kColumns + ") FROM STDIN";
  const std::string copy_events = "COPY bench_scratch_events (message_id, status) FROM STDIN";
  const std::int64_t batches = messages / batch;

  // 1. One COPY of every row, one transaction.
  {
    const std::string data = copy_rows(tenant, session, first_index, messages, send_at, expires_at);
    const double t0 = steady_seconds();
    begin(conn);
    copy(conn, copy_messages, data);
    commit(conn);
    figures.copy_single_per_s = static_cast<double>(messages) / (steady_seconds() - t0);
    std::printf("  raw COPY, one transaction:            %10.0f rows/s\n", figures.copy_single_per_s);
  }
  exec_or_throw(conn, "TRUNCATE bench_scratch_messages, bench_scratch_events");

  // 2. COPY per batch with the events, one commit per batch (what one POST must make durable).
  {
    std::vector<std::string> message_data, events_data;
    for (std::int64_t b = 0; b < batches; ++b) {
      message_data.push_back(copy_rows(tenant, session, first_index + b * batch, batch, send_at, expires_at));
      events_data.push_back(event_rows(1 + b * batch, batch));
    }
    const double t0 = steady_seconds();
    for (std::int64_t b = 0; b < batches; ++b) {
      begin(conn);
      copy(conn, copy_messages, message_data[static_cast<std::size_t>(b)]);
      copy(conn, copy_events, events_data[static_cast<std::size_t>(b)]);
      commit(conn);
    }
    figures.copy_batched_with_events_per_s = static_cast<double>(batches * batch) / (steady_seconds() - t0);
    std::printf("  COPY per batch + 2 events/msg, commit each: %4.0f rows/s\n", figures.copy_batched_with_events_per_s);
  }
  exec_or_throw(conn, "TRUNCATE bench_scratch_messages, bench_scratch_events");

  // 3. INSERT ... SELECT FROM unnest(arrays), one statement (and commit) per batch.
  {
    std::vector<pg::Params> params;
    for (std::int64_t b = 0; b < batches; ++b) {
      std::vector<std::optional<std::string>> sessions, clients, recipients, kinds, contents, priorities,
          keys, metadata, callbacks, send_ats, expires_ats;
      for (std::int64_t i = first_index + b * batch; i < first_index + (b + 1) * batch; ++i) {
        sessions.emplace_back(std::to_string(session));
        clients.emplace_back(std::nullopt);
        recipients.emplace_back(recipient_for(i));
        kinds.emplace_back("text");
        contents.emplace_back(content_json_for(i));
        priorities.emplace_back("1");
        keys.emplace_back(std::nullopt);
        metadata.emplace_back(std::nullopt);
        callbacks.emplace_back(std::nullopt);
        send_ats.emplace_back(send_at);
        expires_ats.emplace_back(expires_at);
      }
      params.push_back({std::to_string(tenant), array_literal(sessions), array_literal(clients),
                        array_literal(recipients), array_literal(kinds), array_literal(contents),
                        array_literal(priorities), array_literal(keys), array_literal(metadata),
                        array_literal(callbacks), array_literal(send_ats), array_literal(expires_ats)});
    }
    const std::string sql = std::string("INSERT INTO bench_scratch_messages (") + kColumns + R"()
SELECT $1, s, c, r, k, ct, p, 'queued', ik, md, cb, sa, ea
FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::smallint[],
            $8::text[], $9::jsonb[], $10::text[], $11::timestamptz[], $12::timestamptz[])
     AS t(s, c, r, k, ct, p, ik, md, cb, sa, ea))";
    const double t0 = steady_seconds();
    for (const auto& p : params) exec_or_throw(conn, sql, p);
    figures.unnest_batched_per_s = static_cast<double>(batches * batch) / (steady_seconds() - t0);
    std::printf("  INSERT ... unnest per batch (autocommit): %6.0f rows/s\n", figures.unnest_batched_per_s);
  }
  exec_or_throw(conn, "DROP TABLE bench_scratch_messages, bench_scratch_events");
  return figures;
}

}  // namespace disparo::bench
