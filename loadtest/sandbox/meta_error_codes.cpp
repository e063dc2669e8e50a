#include "loadtest/sandbox/meta_error_codes.hpp"

namespace disparo::sandbox {
namespace {

struct CodeRow {
  int code;
  int http_status;
  const char* title;
  const char* details;
};

// Reference section 1.6, row by row. Titles are Meta's short titles; details paraphrase the
// meaning column (Meta recommends keying on code + details, never on the title).
constexpr CodeRow kCodes[] = {
    {0, 401, "AuthException", "We were unable to authenticate the app user."},
    {1, 400, "API Unknown", "Invalid request or possible server error."},
    {2, 503, "API Service", "Temporary due to downtime or due to being overloaded."},
    {3, 500, "API Method", "Capability or permissions issue."},
    {4, 400, "API Too Many Calls", "The app has reached its API call rate limit."},
    {10, 403, "Permission denied", "Permission is either not granted or has been removed."},
    {33, 400, "Parameter value is not valid", "The business phone number has been deleted."},
    {100, 400, "Invalid parameter", "The request included one or more unsupported or misspelled parameters."},
    {190, 401, "Access token has expired", "Your access token has expired."},
    {368, 403, "Temporarily blocked for policies violations", "The WhatsApp Business Account is restricted or disabled for violating a platform policy."},
    {80007, 400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."},
    {130429, 400, "Rate limit hit", "Cloud API message throughput has been reached."},
    {130472, 400, "User's number is part of an experiment", "Message was not sent as part of an experiment."},
    {130497, 403, "Business account is restricted from messaging users in this country", "The business is restricted from messaging users in this country."},
    {131000, 500, "Something went wrong", "Message failed to send due to an unknown error."},
    {131005, 403, "Access denied", "Permission is either not granted or has been removed."},
    {131008, 400, "Required parameter is missing", "The request is missing a required parameter."},
    {131009, 400, "Parameter value is not valid", "One or more parameter values are invalid."},
    {131016, 500, "Service unavailable", "A service is temporarily unavailable."},
    {131021, 400, "Recipient cannot be sender", "Sender and recipient phone number is the same."},
    {131026, 400, "Message undeliverable", "Unable to deliver message."},
    {131031, 403, "Account has been locked", "The business account was locked."},
    {131037, 400, "WhatsApp provided number needs display name approval before message can be sent", "The 555 business phone number needs display name approval."},
    {131042, 400, "Business eligibility payment issue", "There was an error related to your payment method."},
    {131045, 500, "Incorrect certificate", "Message failed to send due to a phone number registration error."},
    {131047, 400, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
    {131048, 400, "Spam rate limit hit", "Message failed to send because there are restrictions on how many messages can be sent from this phone number."},
    {131049, 400, "Meta chose not to deliver.", "This message was not delivered to maintain healthy ecosystem engagement."},
    {131050, 400, "User stopped marketing messages", "The user has stopped receiving marketing messages from your business."},
    {131051, 400, "Unsupported message type", "Unsupported message type."},
    {131052, 400, "Media download error", "Unable to download the media sent by the user."},
    {131053, 400, "Media upload error", "Unable to upload the media used in the message."},
    {131056, 400, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."},
    {131057, 500, "Account in maintenance mode", "Business account is in maintenance mode."},
    {132000, 400, "Number of parameters does not match the expected number of params", "The number of variable parameter values does not match the number of variable parameters defined in the template."},
    {132001, 404, "Template does not exist", "The template does not exist in the specified language or the template has not been approved."},
    {132005, 400, "Template Hydrated Text Too Long", "Translated text is too long."},
    {132007, 400, "Template Format Character Policy Violated", "Template content violates a WhatsApp policy."},
    {132012, 400, "Template Parameter Format Mismatch", "Variable parameter values formatted incorrectly."},
    {132015, 400, "Template is Paused", "Template is paused due to low quality so it cannot be sent in a template message."},
    {132016, 400, "Template is Disabled", "Template has been paused too many times due to low quality and is now permanently disabled."},
    {132068, 400, "Flow is in blocked state", "Flow is in blocked state."},
    {132069, 400, "Flow is in throttled state", "Flow is in throttled state and 10 messages using this flow were already sent in the last hour."},
    {133000, 500, "Incomplete Deregistration", "A previous deregistration attempt failed."},
    {133004, 503, "Server Temporarily Unavailable", "Server is temporarily unavailable."},
    {133005, 400, "Two step verification PIN Mismatch", "Two-step verification PIN incorrect."},
    {133010, 400, "Phone number Not Registered", "Phone number is not registered on the WhatsApp Business Platform."},
    {133015, 400, "Please wait a few minutes before attempting to register this phone number", "The phone number you are attempting to register was recently deleted."},
    {133016, 400, "Account register or deregister rate limit exceeded", "Registration or Deregistration failed because there were too many attempts."},
    {134011, 400, "WhatsApp Payments terms of service not accepted", "The business has not accepted the WhatsApp Payments terms of service."},
    {135000, 400, "Generic user error", "Message failed to send because of an unknown error with your request parameters."},
};

}  // namespace

std::optional<MetaError> meta_error_for_code(int code) {
  if (code >= 200 && code <= 299) {
    return MetaError{403, code, "API Permission", "Permission is either not granted or has been removed."};
  }
  if (code >= 133005 && code <= 133009) {
    return MetaError{400, code, "Two step verification PIN error", "Two-step verification PIN error."};
  }
  for (const CodeRow& row : kCodes) {
    if (row.code == code) return MetaError{row.http_status, row.code, row.title, row.details};
  }
  return std::nullopt;
}

}  // namespace disparo::sandbox
