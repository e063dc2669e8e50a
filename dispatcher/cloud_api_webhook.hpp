// Cloud API webhooks: reads the POST body Meta (or the sandbox) sends to /webhooks/cloud_api
// into plain values (reference/whatsapp-providers.md §1.9–1.12): message statuses, inbound
// messages (customer window, opt-outs), template status updates and phone-number quality.
//
// Tolerant of unknown fields and of changes it does not use (counted in other_changes);
// strict about what it uses. Untrusted input: pure, never throws, bounded by the body size the
// server allows; every string it returns is valid UTF-8 (simdjson validates the body). Fuzzed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace disparo::dispatch {

struct ProviderStatusReport {
  std::string phone_number_id;   // metadata.phone_number_id of the change
  std::string provider_message_id;  // statuses[].id (wamid)
  std::string status;            // sent | delivered | read | played | failed | (other, kept as is)
  std::int64_t timestamp = 0;    // unix seconds
  std::string recipient_id;      // wa_id
  std::string callback_data;     // biz_opaque_callback_data: our message id
  std::string error_code;        // first errors[].code for failed
  std::string error_detail;      // its details or title
};

// A message a person sent to one of our numbers.
struct InboundMessage {
  std::string phone_number_id;  // Cloud API: the receiving number; Evolution: ""
  std::string from;             // wa_id / JID as the provider wrote it (may lack the ninth digit)
  std::string provider_message_id;
  std::int64_t timestamp = 0;   // unix seconds; 0 when absent
  std::string type;             // text | button | interactive | image | ...
  std::string text;             // text body, button text/payload or reply title; "" otherwise (<= 1024 bytes)
};

// message_template_status_update (reference §1.10).
struct TemplateStatusUpdate {
  std::string waba_id;   // entry[].id
  std::string event;     // APPROVED | PAUSED | DISABLED | REJECTED | ...
  std::string name;
  std::string language;
  std::string template_id;
  std::string reason;
};

// phone_number_quality_update (reference §1.8–1.9).
struct QualityUpdate {
  std::string waba_id;               // entry[].id
  std::string phone_number_id;       // when the notification names it (the sandbox does)
  std::string display_phone_number;
  std::string event;                 // FLAGGED | UNFLAGGED | UPGRADE | DOWNGRADE | ONBOARDING | ...
  std::string quality;               // GREEN | YELLOW | RED | NA | "" when not given
  std::string tier;                  // TIER_250 | TIER_2K | ... | "" when not given
};

struct CloudApiWebhook {
  std::vector<ProviderStatusReport> statuses;
  std::vector<InboundMessage> inbound;
  std::vector<TemplateStatusUpdate> templates;
  std::vector<QualityUpdate> quality;
  std::size_t other_changes = 0;  // changes we did not interpret
};

// invalid_argument when the body is not a whatsapp_business_account notification.
Expected<CloudApiWebhook> parse_cloud_api_webhook(std::string_view body);

}  // namespace disparo::dispatch
