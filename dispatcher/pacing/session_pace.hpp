// SessionPace: the limiter of one WhatsApp session, as pure logic over a Clock's instants.
//
// It answers "when may this session start its next send?" and "to whom not yet?", and learns
// from record_send(). Rules, all at once:
//  - interval and burst: GCRA (a token bucket of capacity `burst` refilled one token per
//    min_interval); each send adds its drawn jitter to the interval that follows it;
//  - daily cap per local calendar day (tenant zone), with warm-up;
//  - sending window in local time;
//  - per-recipient spacing (pair limit) and per-group spacing (campaign interval) as exclusions,
//    so one recipient or campaign never blocks the others.
// State is rebuilt after a restart by replaying the send ledger (record_send of today's sends).
// Not thread-safe: owned by one SessionRunner.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "dispatcher/pacing/local_calendar.hpp"
#include "dispatcher/pacing/pacing_policy.hpp"

namespace disparo::dispatch {

enum class Hold { none, interval, daily_cap, window };
const char* to_string(Hold hold) noexcept;

struct Opening {
  SysTime at;        // earliest instant the next send may start (>= the time asked about)
  Hold reason = Hold::none;  // what holds it back when at > now
};

class SessionPace {
 public:
  SessionPace(PacingPolicy policy, LocalCalendar calendar);

  void set_policy(PacingPolicy policy) { policy_ = policy; }
  const PacingPolicy& policy() const { return policy_; }

  Opening next_opening(SysTime now) const;

  // Recipients / groups that may not receive a send starting at `now`.
  std::vector<std::string> blocked_recipients(SysTime now) const;
  std::vector<std::string> blocked_groups(SysTime now) const;
  // The earliest instant after `now` at which a blocked recipient or group is free again.
  std::optional<SysTime> next_release(SysTime now) const;

  // A send started at `at`. `jitter` is the extra wait drawn for the interval after it.
  void record_send(SysTime at, std::string_view recipient, std::string_view group = {},
                   std::chrono::milliseconds group_interval = {},
                   std::chrono::milliseconds jitter = {});

  int sent_on(date::local_days day) const;
  int sent_today(SysTime now) const { return sent_on(calendar_.day_of(now)); }
  int cap_today(SysTime now) const { return cap_for_day(policy_, calendar_.day_of(now)); }
  const LocalCalendar& calendar() const { return calendar_; }

 private:
  SysTime interval_opening(SysTime now) const;
  void forget_old(SysTime now);

  PacingPolicy policy_;
  LocalCalendar calendar_;
  bool has_sent_ = false;
  SysTime tat_{};  // GCRA theoretical arrival time
  std::map<date::local_days, int> sent_per_day_;
  std::map<std::string, SysTime, std::less<>> recipient_last_;
  std::map<std::string, SysTime, std::less<>> group_ready_at_;
};

}  // namespace disparo::dispatch
