#include "dispatcher/pacing/session_pace.hpp"

#include <algorithm>

namespace disparo::dispatch {

using std::chrono::milliseconds;

const char* to_string(Hold hold) noexcept {
  switch (hold) {
    case Hold::none: return "none";
    case Hold::interval: return "interval";
    case Hold::daily_cap: return "daily_cap";
    case Hold::window: return "window";
  }
  return "none";
}

int cap_for_day(const PacingPolicy& policy, date::local_days day) {
  if (!policy.warm_up || policy.warm_up->days <= 0) return policy.daily_cap;
  const auto& warm = *policy.warm_up;
  const long elapsed = (day - warm.started_on).count();
  if (elapsed <= 0) return std::min(warm.start_cap, policy.daily_cap);
  if (elapsed >= warm.days) return policy.daily_cap;
  const long span = static_cast<long>(policy.daily_cap) - warm.start_cap;
  const long cap = warm.start_cap + span * elapsed / warm.days;
  return static_cast<int>(std::clamp<long>(cap, 0, policy.daily_cap));
}

SessionPace::SessionPace(PacingPolicy policy, LocalCalendar calendar)
    : policy_(policy), calendar_(calendar) {}

SysTime SessionPace::interval_opening(SysTime now) const {
  if (!has_sent_) return now;
  const auto allowance = policy_.min_interval * std::max(0, policy_.burst - 1);
  return std::max(now, tat_ - allowance);
}

Opening SessionPace::next_opening(SysTime now) const {
  Opening opening{interval_opening(now), Hold::none};
  if (opening.at > now) opening.reason = Hold::interval;
  // Cap and window can each move the instant to another day: settle within a few rounds
  // (a cap of 0 keeps moving a day at a time; a week of that is reported as held by the cap).
  for (int round = 0; round < 8; ++round) {
    const SysTime before = opening.at;
    const date::local_days day = calendar_.day_of(opening.at);
    if (sent_on(day) >= cap_for_day(policy_, day)) {
      opening = {calendar_.start_of_day(day + date::days{1}), Hold::daily_cap};
    }
    if (policy_.window && !calendar_.in_window(opening.at, *policy_.window)) {
      opening = {calendar_.next_window_open(opening.at, *policy_.window), Hold::window};
    }
    if (opening.at == before) break;
  }
  return opening;
}

std::vector<std::string> SessionPace::blocked_recipients(SysTime now) const {
  std::vector<std::string> blocked;
  for (const auto& [recipient, last] : recipient_last_) {
    if (now < last + policy_.recipient_spacing) blocked.push_back(recipient);
  }
  return blocked;
}

std::vector<std::string> SessionPace::blocked_groups(SysTime now) const {
  std::vector<std::string> blocked;
  for (const auto& [group, ready_at] : group_ready_at_) {
    if (now < ready_at) blocked.push_back(group);
  }
  return blocked;
}

std::optional<SysTime> SessionPace::next_release(SysTime now) const {
  std::optional<SysTime> earliest;
  auto consider = [&](SysTime at) {
    if (at > now && (!earliest || at < *earliest)) earliest = at;
  };
  for (const auto& [recipient, last] : recipient_last_) consider(last + policy_.recipient_spacing);
  for (const auto& [group, ready_at] : group_ready_at_) consider(ready_at);
  return earliest;
}

void SessionPace::record_send(SysTime at, std::string_view recipient, std::string_view group,
                              milliseconds group_interval, milliseconds jitter) {
  const SysTime base = has_sent_ ? std::max(tat_, at) : at;
  tat_ = base + policy_.min_interval + jitter;
  has_sent_ = true;
  ++sent_per_day_[calendar_.day_of(at)];
  if (!recipient.empty()) {
    auto [it, inserted] = recipient_last_.try_emplace(std::string(recipient), at);
    if (!inserted) it->second = std::max(it->second, at);
  }
  if (!group.empty()) {
    // The campaign's wait applies on top of the session's interval.
    const SysTime ready = at + std::max(group_interval, milliseconds{0});
    auto [it, inserted] = group_ready_at_.try_emplace(std::string(group), ready);
    if (!inserted) it->second = std::max(it->second, ready);
  }
  forget_old(at);
}

int SessionPace::sent_on(date::local_days day) const {
  auto found = sent_per_day_.find(day);
  return found == sent_per_day_.end() ? 0 : found->second;
}

void SessionPace::forget_old(SysTime now) {
  // Bounded memory: only what can still hold a send back is kept.
  const date::local_days today = calendar_.day_of(now);
  while (!sent_per_day_.empty() && sent_per_day_.begin()->first < today - date::days{1}) {
    sent_per_day_.erase(sent_per_day_.begin());
  }
  std::erase_if(recipient_last_, [&](const auto& entry) { return entry.second + policy_.recipient_spacing <= now; });
  std::erase_if(group_ready_at_, [&](const auto& entry) { return entry.second <= now; });
}

}  // namespace disparo::dispatch
