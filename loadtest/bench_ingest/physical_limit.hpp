// The physical limit of durable acceptance on this machine and this PostgreSQL: the same rows
// the dispatcher stores for N text messages, written without HTTP, JSON or the dispatcher:
//   - one COPY of N rows into a scratch copy of `messages` (same columns, indexes, checks);
//   - COPY in batches, each batch with its 2 event rows per message, committed per batch
//     (the same durable unit of work as one POST of `batch` messages);
//   - INSERT ... SELECT FROM unnest(arrays) per batch over one connection;
//   - the dispatcher's own store functions (parse_send_body + load_routing + insert_messages)
//     called in-process over one connection on the real tables: its SQL without HTTP.
// Blocking; main thread only. Scratch tables are dropped afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"

namespace disparo::bench {

struct PhysicalFigures {
  double copy_single_per_s = 0;
  double copy_batched_with_events_per_s = 0;
  double unnest_batched_per_s = 0;
  double store_path_per_s = 0;          // dispatcher store functions, SQL part only
  double store_path_parse_ms_per_batch = 0;  // parse_send_body of one batch body
  double store_path_sql_ms_per_batch = 0;
};

PhysicalFigures measure_physical_limit(pg::Connection& conn, std::int64_t tenant, std::int64_t session,
                                       std::int64_t messages, std::int64_t batch, std::int64_t first_index);

// In store_path.cpp: the dispatcher's ingest functions in-process over `conn`.
void measure_store_path(pg::Connection& conn, std::int64_t tenant, const std::vector<std::string>& bodies,
                        PhysicalFigures& figures);

}  // namespace disparo::bench
