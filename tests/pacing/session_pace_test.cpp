// SessionPace examples with a fixed clock: burst then interval, jitter, the daily cap at local
// midnight (São Paulo, Manaus, UTC), a cap of 0, warm-up, windows (also across midnight) with
// the cap, recipient and campaign exclusions, and a pace rebuilt from the ledger.
#include "dispatcher/pacing/session_pace.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/rfc3339.hpp"
#include "tests/pacing/pace_simulator.hpp"

namespace disparo::dispatch {
namespace {

using namespace std::chrono_literals;
using namespace date::literals;
using Strings = std::vector<std::string>;

SysTime at(const char* text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) throw std::invalid_argument(text);
  return *parsed;
}

SessionPace pace_in(const char* zone, PacingPolicy policy) {
  return SessionPace(policy, *LocalCalendar::for_zone(zone));
}

PacingPolicy policy_with(std::chrono::milliseconds interval, int burst, int cap) {
  PacingPolicy policy;
  policy.min_interval = interval;
  policy.burst = burst;
  policy.daily_cap = cap;
  return policy;
}

TEST(SessionPace, FreshPaceOpensNow) {
  const auto pace = pace_in("America/Sao_Paulo", policy_with(10s, 1, 5));
  const SysTime now = at("2026-03-10T15:00:00.000001Z");
  EXPECT_EQ(pace.next_opening(now).at, now);
  EXPECT_EQ(pace.next_opening(now).reason, Hold::none);
}

TEST(SessionPace, BurstStartsBackToBackThenTheIntervalApplies) {
  auto pace = pace_in("America/Sao_Paulo", policy_with(10s, 3, 100));
  const SysTime t0 = at("2026-03-10T15:00:00Z");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(pace.next_opening(t0).at, t0) << "send " << i;
    pace.record_send(t0, "r" + std::to_string(i));
  }
  EXPECT_EQ(pace.next_opening(t0).at, t0 + 10s);
  EXPECT_EQ(pace.next_opening(t0).reason, Hold::interval);
  pace.record_send(t0 + 10s, "r3");
  EXPECT_EQ(pace.next_opening(t0 + 10s).at, t0 + 20s);
  // A quiet minute refills the bucket: three may go back-to-back again.
  const SysTime later = t0 + 90s;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(pace.next_opening(later).at, later) << "send " << i;
    pace.record_send(later, "q" + std::to_string(i));
  }
  EXPECT_EQ(pace.next_opening(later).at, later + 10s);
}

TEST(SessionPace, JitterLengthensTheIntervalAfterItsSend) {
  auto pace = pace_in("UTC", policy_with(10s, 1, 100));
  const SysTime t0 = at("2026-03-10T15:00:00Z");
  pace.record_send(t0, "a", {}, {}, 3'250ms);
  EXPECT_EQ(pace.next_opening(t0).at, t0 + 13'250ms);
  pace.record_send(t0 + 13'250ms, "b");
  EXPECT_EQ(pace.next_opening(t0 + 13'250ms).at, t0 + 23'250ms);
}

TEST(SessionPace, DailyCapResetsAtSaoPauloMidnightNotUtc) {
  // 23:30 and 01:00 UTC are 20:30 and 22:00 of the same São Paulo day (no DST since 2019).
  auto pace = pace_in("America/Sao_Paulo", policy_with(1s, 1, 2));
  pace.record_send(at("2026-03-10T23:30:00Z"), "a");
  pace.record_send(at("2026-03-11T01:00:00Z"), "b");
  const Opening held = pace.next_opening(at("2026-03-11T01:00:05Z"));
  EXPECT_EQ(held.at, at("2026-03-11T03:00:00Z"));
  EXPECT_EQ(held.reason, Hold::daily_cap);
  EXPECT_EQ(pace.sent_today(at("2026-03-11T02:59:59.999999Z")), 2);
  EXPECT_EQ(pace.sent_today(at("2026-03-11T03:00:00Z")), 0);
  EXPECT_EQ(pace.next_opening(at("2026-03-11T03:00:00Z")).at, at("2026-03-11T03:00:00Z"));

  // In UTC the same two sends fall on two days: nothing holds.
  auto utc = pace_in("UTC", policy_with(1s, 1, 2));
  utc.record_send(at("2026-03-10T23:30:00Z"), "a");
  utc.record_send(at("2026-03-11T01:00:00Z"), "b");
  EXPECT_EQ(utc.next_opening(at("2026-03-11T01:00:05Z")).at, at("2026-03-11T01:00:05Z"));
}

TEST(SessionPace, ManausCapReopensAtFourUtc) {
  auto pace = pace_in("America/Manaus", policy_with(0ms, 1, 1));
  pace.record_send(at("2026-03-11T03:59:00Z"), "a");  // 23:59 on the 10th in Manaus
  EXPECT_EQ(pace.next_opening(at("2026-03-11T03:59:00Z")).at, at("2026-03-11T04:00:00Z"));
}

TEST(SessionPace, CapOfZeroNeverOpens) {
  const auto pace = pace_in("America/Sao_Paulo", policy_with(1s, 5, 0));
  for (SysTime now = at("2026-03-10T00:00:00Z"); now < at("2026-04-10T00:00:00Z"); now += 7h + 13min) {
    const Opening opening = pace.next_opening(now);
    ASSERT_GT(opening.at, now);
    ASSERT_EQ(opening.reason, Hold::daily_cap);
  }
  // The runner's loop over a month never sends.
  pacing_test::Scenario scenario;
  scenario.zone = "America/Sao_Paulo";
  scenario.policy = policy_with(1s, 5, 0);
  scenario.start = at("2026-03-10T12:00:00Z");
  scenario.arrivals.push_back({scenario.start, "r0", "", 0ms});
  scenario.horizon = scenario.start + date::days{30};
  const auto result = pacing_test::run_simulation(scenario);
  EXPECT_TRUE(result.sends.empty());
  EXPECT_FALSE(result.all_sent);
}

TEST(SessionPace, WarmUpCapsTheFirstDays) {
  PacingPolicy policy = policy_with(0ms, 10, 100);
  policy.warm_up = WarmUp{10, 9, date::local_days{2026_y / 3 / 10}};
  EXPECT_EQ(cap_for_day(policy, date::local_days{2026_y / 3 / 1}), 10);
  EXPECT_EQ(cap_for_day(policy, date::local_days{2026_y / 3 / 10}), 10);
  EXPECT_EQ(cap_for_day(policy, date::local_days{2026_y / 3 / 13}), 40);
  EXPECT_EQ(cap_for_day(policy, date::local_days{2026_y / 3 / 19}), 100);
  EXPECT_EQ(cap_for_day(policy, date::local_days{2026_y / 4 / 19}), 100);

  auto pace = pace_in("America/Sao_Paulo", policy);
  const SysTime noon = at("2026-03-13T15:00:00Z");
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(pace.next_opening(noon).at, noon) << "send " << i;
    pace.record_send(noon, "r" + std::to_string(i));
  }
  EXPECT_EQ(pace.cap_today(noon), 40);
  EXPECT_EQ(pace.next_opening(noon).at, at("2026-03-14T03:00:00Z"));
}

TEST(SessionPace, WindowHoldsUntilItOpens) {
  PacingPolicy policy = policy_with(1s, 1, 100);
  policy.window = SendingWindow{8h, 20h};
  const auto pace = pace_in("America/Sao_Paulo", policy);
  const Opening opening = pace.next_opening(at("2026-03-10T23:00:00Z"));  // 20:00 local
  EXPECT_EQ(opening.at, at("2026-03-11T11:00:00Z"));
  EXPECT_EQ(opening.reason, Hold::window);
}

TEST(SessionPace, CapReachedInANightWindowReopensAtLocalMidnight) {
  // 22:00-06:00: the part after midnight belongs to the next day's cap.
  PacingPolicy policy = policy_with(1s, 1, 1);
  policy.window = SendingWindow{22h, 6h};
  auto pace = pace_in("America/Sao_Paulo", policy);
  pace.record_send(at("2026-03-11T02:00:00Z"), "a");  // 23:00 local on the 10th
  const Opening opening = pace.next_opening(at("2026-03-11T02:00:01Z"));
  EXPECT_EQ(opening.at, at("2026-03-11T03:00:00Z"));
  EXPECT_EQ(opening.reason, Hold::daily_cap);
  // The 11th's cap reached at 05:00 local: its 22:00 is capped too, so the next is midnight.
  pace.record_send(at("2026-03-11T08:00:00Z"), "b");
  const Opening evening = pace.next_opening(at("2026-03-11T08:00:01Z"));
  EXPECT_EQ(evening.at, at("2026-03-12T03:00:00Z"));  // 22:00 is capped too: midnight after it
  EXPECT_EQ(evening.reason, Hold::daily_cap);
}

TEST(SessionPace, CapReachedInADaytimeWindowReopensAtTomorrowsStart) {
  PacingPolicy policy = policy_with(1s, 1, 1);
  policy.window = SendingWindow{8h, 20h};
  auto pace = pace_in("America/Rio_Branco", policy);  // UTC-5: 08:00 is 13:00 UTC
  pace.record_send(at("2026-03-10T15:00:00Z"), "a");
  const Opening opening = pace.next_opening(at("2026-03-10T15:00:01Z"));
  EXPECT_EQ(opening.at, at("2026-03-11T13:00:00Z"));
  EXPECT_EQ(opening.reason, Hold::window);
}

TEST(SessionPace, RecipientSpacingBlocksOnlyThatRecipient) {
  auto pace = pace_in("UTC", policy_with(0ms, 10, 100));
  const SysTime t0 = at("2026-03-10T15:00:00Z");
  pace.record_send(t0, "alice");
  pace.record_send(t0 + 1s, "bob");
  EXPECT_EQ(pace.blocked_recipients(t0 + 5'999'999us), (Strings{"alice", "bob"}));
  EXPECT_EQ(pace.blocked_recipients(t0 + 6s), (Strings{"bob"}));
  EXPECT_EQ(pace.blocked_recipients(t0 + 7s), Strings{});
  EXPECT_EQ(pace.next_opening(t0 + 2s).at, t0 + 2s);  // the session itself is open
}

TEST(SessionPace, CampaignSpacingBlocksOnlyThatCampaign) {
  auto pace = pace_in("UTC", policy_with(0ms, 10, 100));
  const SysTime t0 = at("2026-03-10T15:00:00Z");
  pace.record_send(t0, "alice", "spring-promo", 60s);
  pace.record_send(t0, "bob", "reminders", 0ms);
  pace.record_send(t0 + 1s, "carol");
  EXPECT_EQ(pace.blocked_groups(t0 + 59s), Strings{"spring-promo"});
  EXPECT_EQ(pace.blocked_groups(t0 + 60s), Strings{});
  // A later send in the campaign moves its opening; an earlier record never shortens it.
  pace.record_send(t0 + 60s, "dave", "spring-promo", 60s);
  pace.record_send(t0 + 30s, "erin", "spring-promo", 10s);
  EXPECT_EQ(pace.blocked_groups(t0 + 119s), Strings{"spring-promo"});
}

TEST(SessionPace, LedgerReplayRestoresCapAndInterval) {
  // What SessionRunner::restore does: record_send of the ledger's rows, without their jitter.
  const SysTime t0 = at("2026-03-10T12:00:00Z");
  for (const int cap : {3, 100}) {
    const PacingPolicy policy = policy_with(30s, 2, cap);
    auto live = pace_in("America/Noronha", policy);
    auto restored = pace_in("America/Noronha", policy);
    for (const auto offset : {0s, 4s, 38s}) {
      ASSERT_EQ(live.next_opening(t0 + offset).at, t0 + offset);
      live.record_send(t0 + offset, "r", {}, {}, 4s);
      restored.record_send(t0 + offset, "r");
    }
    EXPECT_EQ(restored.sent_today(t0), 3);
    if (cap == 3) {
      EXPECT_EQ(restored.next_opening(t0 + 39s).at, at("2026-03-11T02:00:00Z"));
      EXPECT_EQ(restored.next_opening(t0 + 39s).reason, Hold::daily_cap);
    } else {
      // The lost jitter (3 x 4 s) opens it earlier than the live pace, never before the GCRA
      // without jitter allows: 30 s after the second send's slot.
      EXPECT_EQ(live.next_opening(t0 + 39s).at, t0 + 72s);
      EXPECT_EQ(restored.next_opening(t0 + 39s).at, t0 + 60s);
    }
  }
}

TEST(SessionPace, HoldNames) {
  EXPECT_STREQ(to_string(Hold::none), "none");
  EXPECT_STREQ(to_string(Hold::interval), "interval");
  EXPECT_STREQ(to_string(Hold::daily_cap), "daily_cap");
  EXPECT_STREQ(to_string(Hold::window), "window");
}

}  // namespace
}  // namespace disparo::dispatch
