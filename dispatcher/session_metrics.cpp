#include "dispatcher/session_metrics.hpp"

namespace disparo::dispatch {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

prometheus::Family<prometheus::Gauge>& gauge_family(prometheus::Registry& registry, const char* name,
                                                    const char* help) {
  return BuildGauge().Name(name).Help(help).Register(registry);
}

}  // namespace

SessionMetrics::SessionMetrics(prometheus::Registry& registry)
    : queue_depth_(gauge_family(registry, "disparo_session_queue_depth",
                                "Messages queued on a session (due or scheduled), by priority.")),
      oldest_age_(gauge_family(registry, "disparo_session_oldest_queued_age_seconds",
                               "Seconds the oldest due message of a session has waited since its send_at.")),
      sent_today_(gauge_family(registry, "disparo_session_sent_today",
                               "Business-initiated sends of a session today (tenant's local day).")),
      daily_cap_(gauge_family(registry, "disparo_session_daily_cap", "Today's cap of a session (warm-up included).")),
      min_interval_(gauge_family(registry, "disparo_session_min_interval_seconds",
                                 "Minimum interval between two sends of a session (its policy).")),
      window_open_(gauge_family(registry, "disparo_session_window_open",
                                "1 while the session's sending window is open (always 1 without a window).")),
      paused_(gauge_family(registry, "disparo_session_paused", "1 while a session is paused (see its reason).")),
      day_start_(gauge_family(registry, "disparo_session_day_start_timestamp_seconds",
                              "Unix time the current calendar day of the session's tenant began (the cap's day).")),
      sends_(BuildCounter()
                 .Name("disparo_session_sends_total")
                 .Help("Provider send attempts of a session, by outcome class.")
                 .Register(registry)),
      sessions_(gauge_family(registry, "disparo_sessions", "WhatsApp sessions by state (all tenants).")),
      sessions_active_(sessions_.Add({{"state", "active"}})),
      sessions_paused_(sessions_.Add({{"state", "paused"}})) {}

SessionSeries& SessionMetrics::series(SessionKey key) {
  auto [it, inserted] = series_.try_emplace(key.session_id);
  if (!inserted) return it->second;
  tenant_of_[key.session_id] = key.tenant_id;
  const std::map<std::string, std::string> labels{{"tenant", std::to_string(key.tenant_id)},
                                                   {"session", std::to_string(key.session_id)}};
  auto with = [&labels](const char* name, const char* value) {
    auto copy = labels;
    copy[name] = value;
    return copy;
  };
  SessionSeries& s = it->second;
  s.queue_transactional = &queue_depth_.Add(with("priority", "transactional"));
  s.queue_marketing = &queue_depth_.Add(with("priority", "marketing"));
  s.oldest_age = &oldest_age_.Add(labels);
  s.sent_today = &sent_today_.Add(labels);
  s.daily_cap = &daily_cap_.Add(labels);
  s.min_interval = &min_interval_.Add(labels);
  s.window_open = &window_open_.Add(labels);
  s.window_open->Set(1);
  s.paused = &paused_.Add(labels);
  s.day_start = &day_start_.Add(labels);
  return s;
}

void SessionMetrics::count_send(SessionKey key, OutcomeClass outcome) {
  auto& s = series(key);
  const auto index = static_cast<std::size_t>(outcome);
  if (index >= s.sends.size()) return;
  if (s.sends[index] == nullptr) {
    s.sends[index] = &sends_.Add({{"tenant", std::to_string(key.tenant_id)},
                                  {"session", std::to_string(key.session_id)},
                                  {"outcome", to_string(outcome)}});
  }
  s.sends[index]->Increment();
}

void SessionMetrics::remove_series(SessionSeries& s, std::int64_t session_id) {
  queue_depth_.Remove(s.queue_transactional);
  queue_depth_.Remove(s.queue_marketing);
  oldest_age_.Remove(s.oldest_age);
  sent_today_.Remove(s.sent_today);
  daily_cap_.Remove(s.daily_cap);
  min_interval_.Remove(s.min_interval);
  window_open_.Remove(s.window_open);
  paused_.Remove(s.paused);
  day_start_.Remove(s.day_start);
  for (auto* counter : s.sends) {
    if (counter != nullptr) sends_.Remove(counter);
  }
  tenant_of_.erase(session_id);
}

void SessionMetrics::set_sessions_by_state(double active, double paused) {
  sessions_active_.Set(active);
  sessions_paused_.Set(paused);
}

}  // namespace disparo::dispatch
