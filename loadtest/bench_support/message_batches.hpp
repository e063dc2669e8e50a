// The messages the benchmarks send: realistic Brazilian billing reminders to distinct mobile
// numbers, as JSON bodies for POST /v1/messages ({"messages":[...]}) and as the column values a
// raw COPY writes. Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace disparo::bench {

struct MessageSpec {
  std::int64_t index = 0;    // picks the recipient and the text
  std::int64_t session = 0;  // 0: the tenant's default session
  std::string send_at;       // RFC 3339; "" for now
};

std::string recipient_for(std::int64_t index);  // "+55119XXXXXXXX", distinct per index
std::string text_for(std::int64_t index);        // ~120 bytes of UTF-8, like a payment reminder
// The content column the dispatcher stores for a text message.
std::string content_json_for(std::int64_t index);

std::string batch_body(const std::vector<MessageSpec>& messages);

// `count` messages from `first_index`, round-robin over `sessions` (empty: default session).
std::vector<MessageSpec> specs(std::int64_t first_index, std::int64_t count,
                               const std::vector<std::int64_t>& sessions = {});

std::string json_escape(std::string_view text);

}  // namespace disparo::bench
