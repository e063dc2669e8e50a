// SendRequest: one validated send request from an upstream CRM, parsed from the JSON body of
// POST /v1/messages (a single message object, or {"messages":[...]} for a batch).
//
// Parsing is pure (simdjson) and all-or-nothing: a batch with any invalid item is refused as a
// whole with field-level errors ("messages[3].to"), so nothing is half-accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "dispatcher/model/message_content.hpp"

namespace disparo::dispatch {

enum class Priority : int { transactional = 0, marketing = 1 };

struct SendRequest {
  std::string to;  // canonical E.164
  std::optional<std::int64_t> session_id;
  std::optional<std::int64_t> server_id;
  std::optional<std::int64_t> client_id;
  MessageContent content;
  std::string idempotency_key;  // "" when absent
  SysTime send_at{};
  SysTime expires_at{};
  Priority priority = Priority::marketing;
  std::string group_id;       // campaign run or any group: "" when absent
  std::chrono::milliseconds group_interval{0};  // the group's wait between two of its sends
  std::string callback_url;   // "" when absent
  std::string metadata_json;  // minified JSON object, "" when absent
  // Set at acceptance (check_acceptance), never parsed: non-empty = accepted and cancelled at
  // once with this reason (a marketing message to a person who opted out).
  std::string suppressed_reason;
};

struct FieldError {
  std::string field;    // "to", "messages[3].template.name"
  std::string message;  // what is wrong, for a person
};

struct ParsedSendBody {
  std::vector<SendRequest> messages;
  std::vector<FieldError> errors;  // non-empty: refuse the whole body
  bool is_batch = false;
};

struct SendLimits {
  std::size_t max_batch = 10'000;
  std::size_t max_idempotency_key = 200;
  std::size_t max_metadata_bytes = 4'096;
  std::chrono::hours default_validity{24};
  std::chrono::hours max_schedule_ahead{24 * 35};
};

ParsedSendBody parse_send_body(std::string_view body, SysTime now, const SendLimits& limits = {});

}  // namespace disparo::dispatch
