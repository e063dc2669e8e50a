// Meta WhatsApp Cloud API wire format as the simulator speaks it: the send path, validation of
// a send body, the success and error envelopes, and the status webhook body.
//
// Field names follow shared/reference/whatsapp-providers.md sections 1.2-1.5 and 1.12 exactly.
// Pure functions; SendRequestValidator keeps a parser between calls, so one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace disparo::sandbox {

inline constexpr std::size_t kMaxTextBody = 4096;     // text.body, in characters
inline constexpr std::size_t kMaxCallbackData = 512;  // biz_opaque_callback_data
inline constexpr std::size_t kMaxContactsPerMessage = 257;

// A Graph API error as Meta answers it synchronously.
struct MetaError {
  int http_status = 400;
  int code = 100;
  std::string title;    // "Invalid parameter"; the message is "(#<code>) <title>"
  std::string details;  // error_data.details; empty = no error_data (token errors have none)
};

MetaError invalid_token_error();                      // 401, code 190
MetaError invalid_parameter(std::string details);     // 400, code 100
MetaError missing_parameter(std::string details);     // 400, code 131008
MetaError unknown_path_error(std::string_view path);  // 404, code 100 (Graph "Unknown path")

// {"error":{"message","type":"OAuthException","code","error_data":{...},"fbtrace_id"}}
std::string render_error(const MetaError& error, std::string_view fbtrace_id);

// "/v24.0/1234567890/messages" -> version "v24.0", major 24, phone_number_id "1234567890".
struct MessagesPath {
  std::string version;
  int major = 0;
  std::string phone_number_id;
};
std::optional<MessagesPath> parse_messages_path(std::string_view path);

// What the simulator needs from a valid send body.
struct SendRequest {
  std::string to;              // exactly as sent
  std::string type;            // "text" when the body omits it (Meta's default)
  std::string recipient_type;  // "individual" when omitted
  std::optional<std::string> biz_opaque_callback_data;
  std::string template_name;      // type "template" only
  std::string template_language;  // template.language.code
};

class SendRequestValidator {
 public:
  SendRequestValidator();
  ~SendRequestValidator();
  SendRequestValidator(const SendRequestValidator&) = delete;
  SendRequestValidator& operator=(const SendRequestValidator&) = delete;

  std::variant<SendRequest, MetaError> validate(std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The wa_id Meta reports for `to`: its digits (a group id is returned as sent).
std::string wa_id_for(std::string_view to, std::string_view recipient_type = "individual");

// {"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],"messages":[{"id"}]}
std::string render_send_success(std::string_view input, std::string_view wa_id,
                                std::string_view wamid);

struct Pricing {
  bool billable = true;
  std::string pricing_model = "PMP";
  std::string type;      // "regular" | "free_customer_service"
  std::string category;  // "utility" | "service" | ...
};

struct Conversation {
  std::string id;
  std::int64_t expiration_timestamp = 0;  // unix seconds
  std::string origin_type;                // same vocabulary as pricing.category
};

struct StatusUpdate {
  std::string wamid;
  std::string status;          // "sent" | "delivered" | "read"
  std::int64_t timestamp = 0;  // unix seconds; rendered as a string
  std::string recipient_id;
  std::optional<std::string> biz_opaque_callback_data;
  std::optional<Conversation> conversation;
  std::optional<Pricing> pricing;
  std::optional<MetaError> error;  // "failed": rendered as errors[0] (no type/fbtrace_id)
};

struct BusinessAccount {
  std::string waba_id;
  std::string display_phone_number;
  std::string phone_number_id;
};

// Meta's status webhook: {"object":"whatsapp_business_account","entry":[{"id":<WABA id>,
// "changes":[{"value":{messaging_product, metadata, statuses:[...]},"field":"messages"}]}]}.
std::string render_status_webhook(const BusinessAccount& account, const StatusUpdate& update);
// Several statuses in one POST (Meta batches up to 1,000 updates): one entry for the WABA, one
// change per phone number id (in order of first appearance), its statuses in the given order.
struct NumberStatus {
  std::string phone_number_id;
  StatusUpdate update;
};
std::string render_status_batch(std::string_view waba_id, std::string_view display_phone_number,
                                const std::vector<NumberStatus>& statuses);

// Pricing the simulator reports: templates are billable utility messages; anything else is a
// free service message inside the customer-service window (free-form needs an open window).
Pricing pricing_for(std::string_view message_type);
// Meta sends pricing (and conversation) with `sent` and one of delivered/read: we pick delivered.
bool status_carries_pricing(std::string_view status);
// The conversation object is omitted from v24.0 on (except free-entry-point conversations).
bool api_includes_conversation(int api_major);

// Characters in `text` as Meta counts length limits: Unicode code points (bytes that do not
// continue a UTF-8 sequence).
std::size_t utf8_length(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters (for query values).
std::string percent_encode(std::string_view text);

}  // namespace disparo::sandbox
