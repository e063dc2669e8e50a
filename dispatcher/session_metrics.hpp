// SessionMetrics: per-session series (labels tenant and session, both numeric ids), so an
// operator sees which session is slow, capped, paused or failing.
//
// Two sources: the SessionRunner sets the pace figures (sent today, today's cap, interval,
// window) and counts each send by outcome class; Sender::refresh() sets queue depth by
// priority, the age of the oldest due message and the paused flag for every session from one
// database query (every instance exports these: aggregate with max by (session)). Series of a
// deleted session are removed. Cardinality: ~10 series per session, created when first used.
// io_context thread only (prometheus-cpp itself is thread-safe).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "dispatcher/model/send_outcome.hpp"

namespace disparo::dispatch {

inline constexpr std::size_t kSessionOutcomes = 8;  // OutcomeClass values

struct SessionKey {
  std::int64_t tenant_id = 0;
  std::int64_t session_id = 0;
};

// One session's series; references stay valid until SessionMetrics::remove().
struct SessionSeries {
  prometheus::Gauge* queue_transactional = nullptr;
  prometheus::Gauge* queue_marketing = nullptr;
  prometheus::Gauge* oldest_age = nullptr;
  prometheus::Gauge* sent_today = nullptr;
  prometheus::Gauge* daily_cap = nullptr;
  prometheus::Gauge* min_interval = nullptr;
  prometheus::Gauge* window_open = nullptr;
  prometheus::Gauge* paused = nullptr;
  prometheus::Gauge* day_start = nullptr;  // Unix time the session's (tenant's) calendar day began
  std::array<prometheus::Counter*, kSessionOutcomes> sends{};
};

class SessionMetrics {
 public:
  explicit SessionMetrics(prometheus::Registry& registry);

  SessionSeries& series(SessionKey key);
  void count_send(SessionKey key, OutcomeClass outcome);
  // Drops the series of sessions not in `alive` (deleted sessions).
  template <class Alive>
  void retain(const Alive& alive) {
    for (auto it = series_.begin(); it != series_.end();) {
      if (alive(it->first)) {
        ++it;
      } else {
        remove_series(it->second, it->first);
        it = series_.erase(it);
      }
    }
  }
  void set_sessions_by_state(double active, double paused);

 private:
  void remove_series(SessionSeries& series, std::int64_t session_id);

  prometheus::Family<prometheus::Gauge>& queue_depth_;
  prometheus::Family<prometheus::Gauge>& oldest_age_;
  prometheus::Family<prometheus::Gauge>& sent_today_;
  prometheus::Family<prometheus::Gauge>& daily_cap_;
  prometheus::Family<prometheus::Gauge>& min_interval_;
  prometheus::Family<prometheus::Gauge>& window_open_;
  prometheus::Family<prometheus::Gauge>& paused_;
  prometheus::Family<prometheus::Gauge>& day_start_;
  prometheus::Family<prometheus::Counter>& sends_;
  prometheus::Family<prometheus::Gauge>& sessions_;
  prometheus::Gauge& sessions_active_;
  prometheus::Gauge& sessions_paused_;
  std::map<std::int64_t, SessionSeries> series_;  // by session id
  std::map<std::int64_t, std::int64_t> tenant_of_;
};

}  // namespace disparo::dispatch
