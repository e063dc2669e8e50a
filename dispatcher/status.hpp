// The message lifecycle and its one rule: status only moves forward.
//
// accepted -> queued -> sending -> sent -> delivered -> read, or failed / expired / cancelled.
// A late "delivered" after "read" changes nothing; "read" without "delivered" is fine (Meta
// skips delivered when both happen together). Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace disparo::dispatch {

enum class Status { accepted, queued, sending, sent, delivered, read, failed, expired, cancelled };

std::string_view to_string(Status status) noexcept;
std::optional<Status> parse_status(std::string_view text) noexcept;
bool is_terminal(Status status) noexcept;  // no further change: read, failed, expired, cancelled

// Whether a message in `from` may move to `to` because of a provider status report.
bool provider_report_advances(Status from, Status to) noexcept;
// The statuses from which a provider report of `to` advances (for SQL: status = ANY($n)).
std::vector<std::string_view> predecessors_for_report(Status to);

}  // namespace disparo::dispatch
