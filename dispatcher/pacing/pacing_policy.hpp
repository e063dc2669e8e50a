// PacingPolicy: how fast one WhatsApp session may send, as configured per session.
//
// Plain validated values read from whatsapp_sessions; the rules themselves live in SessionPace.
#pragma once

#include <chrono>
#include <optional>

#include <date/date.h>

#include "dispatcher/pacing/local_calendar.hpp"

namespace disparo::dispatch {

// A new number's cap ramps linearly from start_cap (day 0) to the full daily cap on day `days`.
struct WarmUp {
  int start_cap = 0;
  int days = 0;
  date::local_days started_on{};
  bool operator==(const WarmUp&) const = default;
};

struct PacingPolicy {
  std::chrono::milliseconds min_interval{1'000};   // between two sends, after the burst
  std::chrono::milliseconds jitter{0};             // uniform extra wait on top of each interval
  int burst = 1;                                   // sends that may start back-to-back
  int daily_cap = 100;                             // sends per local calendar day
  std::optional<SendingWindow> window;             // none: any time of day
  std::optional<WarmUp> warm_up;
  std::chrono::milliseconds recipient_spacing{6'000};  // Meta's pair limit: 1 per 6 s per person
  bool operator==(const PacingPolicy&) const = default;
};

// The cap in force on `day`, with warm-up applied.
int cap_for_day(const PacingPolicy& policy, date::local_days day);

}  // namespace disparo::dispatch
