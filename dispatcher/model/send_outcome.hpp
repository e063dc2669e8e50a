// SendOutcome: what happened when a provider was asked to send one message, in our own classes.
//
// Adapters map every provider answer (Cloud API error codes, Evolution statuses, transport
// failures) onto OutcomeClass; the dispatcher's retry and pause logic switches only on it
// (STYLE.md rule 4). Pure values.
#pragma once

#include <chrono>
#include <string>

namespace disparo::dispatch {

enum class OutcomeClass {
  accepted,            // the provider took the message; statuses follow by webhook
  transient,           // retry the same message later with backoff (5xx, 131000, connect error)
  slow_down,           // the sender is over its throughput: retry, and slow the session
  recipient_deferred,  // only this recipient must wait (pair limit 131056, 131049)
  pause_session,       // ban, spam, quality, auth, disconnect: stop the session, keep its queue
  permanent,           // this message can never be sent (not on WhatsApp, bad parameter)
  config_error,        // template or campaign configuration is wrong: fail fast
  unknown,             // the request may have reached the provider but no answer came back
};

const char* to_string(OutcomeClass outcome) noexcept;

struct SendOutcome {
  OutcomeClass outcome = OutcomeClass::unknown;
  std::string provider_message_id;  // wamid on success
  std::string wa_id;                // recipient as the provider knows it
  std::string error_code;           // provider code, e.g. "131026"; "" on success
  std::string detail;               // human-readable reason, safe to store and show
  int http_status = 0;              // 0 when no HTTP answer came
};

}  // namespace disparo::dispatch
