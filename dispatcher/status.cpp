#include "dispatcher/status.hpp"

#include <array>

namespace disparo::dispatch {
namespace {

constexpr std::array<std::string_view, 9> kNames{"accepted", "queued", "sending",  "sent",     "delivered",
                                                 "read",     "failed", "expired",  "cancelled"};

// Position on the forward path; terminal side states have no rank.
int rank(Status status) noexcept {
  switch (status) {
    case Status::accepted: return 0;
    case Status::queued: return 1;
    case Status::sending: return 2;
    case Status::sent: return 3;
    case Status::delivered: return 4;
    case Status::read: return 5;
    default: return -1;
  }
}

}  // namespace

std::string_view to_string(Status status) noexcept { return kNames[static_cast<std::size_t>(status)]; }

std::optional<Status> parse_status(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return static_cast<Status>(i);
  }
  return std::nullopt;
}

bool is_terminal(Status status) noexcept {
  return status == Status::read || status == Status::failed || status == Status::expired ||
         status == Status::cancelled;
}

bool provider_report_advances(Status from, Status to) noexcept {
  if (is_terminal(from)) return false;
  if (to == Status::failed) {
    // The provider can only fail what it was given.
    return from == Status::sending || from == Status::sent || from == Status::delivered;
  }
  if (to != Status::sent && to != Status::delivered && to != Status::read) return false;
  // A report can only concern a message that was handed to the provider.
  return rank(from) >= rank(Status::sending) && rank(to) > rank(from);
}

std::vector<std::string_view> predecessors_for_report(Status to) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (provider_report_advances(static_cast<Status>(i), to)) out.push_back(kNames[i]);
  }
  return out;
}

}  // namespace disparo::dispatch
