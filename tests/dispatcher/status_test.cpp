// The message lifecycle: names, terminal states, and the rule that provider reports only move
// a message forward (examples, then properties over random report sequences).
#include "dispatcher/status.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace disparo::dispatch {
namespace {

const std::vector<Status> kAll = {Status::accepted, Status::queued,    Status::sending,
                                  Status::sent,     Status::delivered, Status::read,
                                  Status::failed,   Status::expired,   Status::cancelled};

// Position on accepted < queued < sending < sent < delivered < read; -1 off the path.
int path_rank(Status s) {
  const std::vector<Status> path = {Status::accepted, Status::queued,    Status::sending,
                                    Status::sent,     Status::delivered, Status::read};
  const auto it = std::find(path.begin(), path.end(), s);
  return it == path.end() ? -1 : static_cast<int>(it - path.begin());
}

TEST(Status, NamesRoundTrip) {
  const std::vector<std::string> names = {"accepted", "queued", "sending", "sent", "delivered",
                                          "read", "failed", "expired", "cancelled"};
  ASSERT_EQ(names.size(), kAll.size());
  for (std::size_t i = 0; i < kAll.size(); ++i) {
    EXPECT_EQ(to_string(kAll[i]), names[i]);
    EXPECT_EQ(parse_status(names[i]), kAll[i]);
  }
  EXPECT_FALSE(parse_status("played"));
  EXPECT_FALSE(parse_status("Sent"));
  EXPECT_FALSE(parse_status(""));
  EXPECT_FALSE(parse_status("sent "));
}

TEST(Status, TerminalStates) {
  for (Status s : kAll) {
    const bool expected = s == Status::read || s == Status::failed || s == Status::expired ||
                          s == Status::cancelled;
    EXPECT_EQ(is_terminal(s), expected) << to_string(s);
  }
}

TEST(Status, ProviderReportExamples) {
  EXPECT_TRUE(provider_report_advances(Status::sending, Status::sent));
  EXPECT_TRUE(provider_report_advances(Status::sent, Status::delivered));
  EXPECT_TRUE(provider_report_advances(Status::delivered, Status::read));
  EXPECT_TRUE(provider_report_advances(Status::sent, Status::read));        // Meta skips delivered
  EXPECT_TRUE(provider_report_advances(Status::sending, Status::delivered));  // webhook beat the answer
  EXPECT_TRUE(provider_report_advances(Status::sent, Status::failed));
  EXPECT_TRUE(provider_report_advances(Status::delivered, Status::failed));

  EXPECT_FALSE(provider_report_advances(Status::read, Status::delivered));  // late delivered
  EXPECT_FALSE(provider_report_advances(Status::delivered, Status::delivered));  // duplicate
  EXPECT_FALSE(provider_report_advances(Status::delivered, Status::sent));
  EXPECT_FALSE(provider_report_advances(Status::read, Status::failed));
  EXPECT_FALSE(provider_report_advances(Status::failed, Status::read));
  EXPECT_FALSE(provider_report_advances(Status::expired, Status::sent));
  EXPECT_FALSE(provider_report_advances(Status::cancelled, Status::delivered));
  // Never handed to the provider: a report cannot concern it.
  EXPECT_FALSE(provider_report_advances(Status::queued, Status::sent));
  EXPECT_FALSE(provider_report_advances(Status::accepted, Status::delivered));
  EXPECT_FALSE(provider_report_advances(Status::queued, Status::failed));
  // Providers do not report our own internal states.
  EXPECT_FALSE(provider_report_advances(Status::sending, Status::queued));
  EXPECT_FALSE(provider_report_advances(Status::sending, Status::expired));
  EXPECT_FALSE(provider_report_advances(Status::sending, Status::cancelled));
}

std::vector<std::string_view> names(std::initializer_list<Status> list) {
  std::vector<std::string_view> out;
  for (Status s : list) out.push_back(to_string(s));
  return out;
}

TEST(Status, PredecessorsForReport) {
  EXPECT_EQ(predecessors_for_report(Status::sent), names({Status::sending}));
  EXPECT_EQ(predecessors_for_report(Status::delivered), names({Status::sending, Status::sent}));
  EXPECT_EQ(predecessors_for_report(Status::read), names({Status::sending, Status::sent, Status::delivered}));
  EXPECT_EQ(predecessors_for_report(Status::failed), names({Status::sending, Status::sent, Status::delivered}));
  EXPECT_TRUE(predecessors_for_report(Status::queued).empty());
  EXPECT_TRUE(predecessors_for_report(Status::expired).empty());
  EXPECT_TRUE(predecessors_for_report(Status::accepted).empty());
}

rc::Gen<Status> any_status() { return rc::gen::elementOf(kAll); }

RC_GTEST_PROP(StatusProperty, ReportsNeverMoveBackwards, ()) {
  const Status from = *any_status();
  const Status to = *any_status();
  if (!provider_report_advances(from, to)) return;
  RC_ASSERT(!is_terminal(from));
  if (to == Status::failed) {
    RC_ASSERT(from == Status::sending || from == Status::sent || from == Status::delivered);
  } else {
    RC_ASSERT(path_rank(to) > path_rank(from));
    RC_ASSERT(path_rank(from) >= path_rank(Status::sending));
  }
}

RC_GTEST_PROP(StatusProperty, PredecessorsAgreeWithAdvances, ()) {
  const Status to = *any_status();
  const auto preds = predecessors_for_report(to);
  for (Status from : kAll) {
    const bool listed = std::find(preds.begin(), preds.end(), to_string(from)) != preds.end();
    RC_ASSERT(listed == provider_report_advances(from, to));
  }
}

// Any sequence of reports, applied one by one as the store does (apply when it advances),
// walks forward along the path, stops at a terminal state, and fails only from the provider's
// side of the path.
RC_GTEST_PROP(StatusProperty, ReportSequencesOnlyAdvance, ()) {
  Status current = *rc::gen::element(Status::queued, Status::sending, Status::sent, Status::delivered);
  const auto reports = *rc::gen::container<std::vector<Status>>(
      rc::gen::element(Status::sent, Status::delivered, Status::read, Status::failed, Status::queued,
                       Status::cancelled));
  for (Status report : reports) {
    const Status before = current;
    if (provider_report_advances(current, report)) current = report;
    if (is_terminal(before)) RC_ASSERT(current == before);
    if (current == Status::failed && before != Status::failed) {
      RC_ASSERT(before == Status::sending || before == Status::sent || before == Status::delivered);
    }
    if (current != Status::failed) RC_ASSERT(path_rank(current) >= path_rank(before));
  }
}

}  // namespace
}  // namespace disparo::dispatch
