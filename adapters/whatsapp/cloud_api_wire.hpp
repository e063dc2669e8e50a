// Cloud API wire format: request bodies for POST /{phone-number-id}/messages and the reading
// of its answers (reference/whatsapp-providers.md §1.2–1.5). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "dispatcher/model/provider.hpp"
#include "dispatcher/model/send_outcome.hpp"

namespace disparo::whatsapp {

// The JSON body for one message. `to` always carries "+"; biz_opaque_callback_data is our id.
std::string build_cloud_api_body(const dispatch::OutboundMessage& message);

// Reads an HTTP answer of the messages endpoint: 200 with messages[].id / contacts[].wa_id, or
// Meta's error envelope classified by error.code.
dispatch::SendOutcome read_cloud_api_response(int http_status, std::string_view body);

}  // namespace disparo::whatsapp
