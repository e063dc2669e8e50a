// Cloud API webhooks that are not message statuses (reference 1.10 and 1.12): an inbound text
// message, message_template_status_update and phone_number_quality_update. Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadtest/sandbox/cloud_api_wire.hpp"

namespace disparo::sandbox {

struct InboundText {
  std::string from_wa_id;  // digits, as WhatsApp knows the person
  std::string profile_name;
  std::string wamid;
  std::string text;
  std::int64_t timestamp = 0;  // unix seconds
};
// field "messages": value.{messaging_product, metadata, contacts[{profile.name, wa_id}],
// messages[{from, id, timestamp, type:"text", text.body}]}.
std::string render_inbound_webhook(const BusinessAccount& account, const InboundText& message);

struct TemplateStatus {
  std::string event;  // APPROVED | PAUSED | DISABLED | REJECTED
  std::int64_t template_id = 0;
  std::string name;
  std::string language;
  std::string reason = "NONE";
  std::string category = "UTILITY";
};
// field "message_template_status_update" (PAUSED adds other_info, DISABLED disable_info,
// REJECTED rejection_info).
std::string render_template_status_webhook(std::string_view waba_id, std::int64_t time,
                                           const TemplateStatus& status);

struct QualityChange {
  std::string phone_number_id;
  std::string display_phone_number;
  std::string event;    // FLAGGED | UNFLAGGED | UPGRADE | DOWNGRADE | ...
  std::string quality;  // GREEN | YELLOW | RED
  std::string tier;     // TIER_250 | TIER_2K | ...
};
// field "phone_number_quality_update": display_phone_number, event, current_limit,
// max_daily_conversations_per_business, plus quality_rating and phone_number_id (see README).
std::string render_quality_webhook(std::string_view waba_id, std::int64_t time,
                                   const QualityChange& change);

}  // namespace disparo::sandbox
