// Cloud API status webhooks: reads the POST body Meta (or the sandbox) sends to
// /webhooks/cloud_api into plain status reports (reference/whatsapp-providers.md §1.12).
//
// Tolerant of unknown fields and of changes that are not statuses (inbound messages, template
// updates are skipped here and handled by the providers issue); strict about what it uses.
// Untrusted input: pure, never throws, bounded by the body size the server allows. Fuzzed.
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

struct CloudApiWebhook {
  std::vector<ProviderStatusReport> statuses;
  std::size_t other_changes = 0;  // changes we did not interpret (inbound messages, ...)
};

// invalid_argument when the body is not a whatsapp_business_account notification.
Expected<CloudApiWebhook> parse_cloud_api_webhook(std::string_view body);

}  // namespace disparo::dispatch
