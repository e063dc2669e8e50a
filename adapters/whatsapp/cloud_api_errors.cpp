#include "adapters/whatsapp/cloud_api_errors.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace disparo::whatsapp {

using dispatch::OutcomeClass;

namespace {

// Exact codes from Meta's error table (reference §1.6), with the dispatcher class from §7.
constexpr std::array<std::pair<long, OutcomeClass>, 47> kCodes{{
    {0, OutcomeClass::pause_session},        // AuthException
    {1, OutcomeClass::transient},            // API Unknown (few attempts)
    {2, OutcomeClass::transient},            // API Service: temporary downtime
    {3, OutcomeClass::pause_session},        // API Method: capability/permission
    {4, OutcomeClass::slow_down},            // API Too Many Calls
    {10, OutcomeClass::pause_session},       // Permission denied
    {33, OutcomeClass::pause_session},       // business phone number deleted
    {100, OutcomeClass::permanent},          // Invalid parameter
    {190, OutcomeClass::pause_session},      // Access token expired
    {368, OutcomeClass::pause_session},      // Temporarily blocked for policy violations
    {80007, OutcomeClass::slow_down},        // WABA rate limit
    {130429, OutcomeClass::slow_down},       // throughput reached
    {130472, OutcomeClass::permanent},       // number part of an experiment
    {130497, OutcomeClass::pause_session},   // restricted from this country
    {131000, OutcomeClass::transient},       // Something went wrong
    {131005, OutcomeClass::pause_session},   // Access denied
    {131008, OutcomeClass::permanent},       // required parameter missing
    {131009, OutcomeClass::permanent},       // parameter value not valid
    {131016, OutcomeClass::transient},       // service unavailable
    {131021, OutcomeClass::permanent},       // recipient cannot be sender
    {131026, OutcomeClass::permanent},       // undeliverable (not on WhatsApp)
    {131031, OutcomeClass::pause_session},   // account locked
    {131037, OutcomeClass::pause_session},   // display name needs approval
    {131042, OutcomeClass::pause_session},   // payment issue
    {131045, OutcomeClass::pause_session},   // incorrect certificate
    {131047, OutcomeClass::recipient_deferred},  // outside the 24 h window: needs a template
    {131048, OutcomeClass::pause_session},   // spam rate limit
    {131049, OutcomeClass::recipient_deferred},  // Meta chose not to deliver: wait >= 24 h
    {131050, OutcomeClass::permanent},       // user stopped marketing messages
    {131051, OutcomeClass::permanent},       // unsupported message type
    {131053, OutcomeClass::permanent},       // media upload error
    {131056, OutcomeClass::recipient_deferred},  // pair rate limit
    {131057, OutcomeClass::transient},       // maintenance mode (wait >= 60 s)
    {132000, OutcomeClass::config_error},    // template param count mismatch
    {132001, OutcomeClass::config_error},    // template does not exist
    {132005, OutcomeClass::config_error},    // hydrated text too long
    {132007, OutcomeClass::config_error},    // format character policy
    {132012, OutcomeClass::config_error},    // parameter format mismatch
    {132015, OutcomeClass::config_error},    // template paused
    {132016, OutcomeClass::config_error},    // template disabled
    {132068, OutcomeClass::config_error},    // flow blocked
    {132069, OutcomeClass::config_error},    // flow throttled
    {133000, OutcomeClass::pause_session},   // incomplete deregistration
    {133004, OutcomeClass::transient},       // server temporarily unavailable
    {133010, OutcomeClass::pause_session},   // phone number not registered
    {133016, OutcomeClass::pause_session},   // register/deregister rate limit
    {135000, OutcomeClass::permanent},       // generic user error
}};

}  // namespace

OutcomeClass classify_cloud_api_error(long code) {
  const auto* found = std::find_if(kCodes.begin(), kCodes.end(),
                                   [code](const auto& entry) { return entry.first == code; });
  if (found != kCodes.end()) return found->second;
  if (code >= 200 && code <= 299) return OutcomeClass::pause_session;  // API permission range
  if (code >= 133005 && code <= 133009) return OutcomeClass::pause_session;  // 2-step PIN
  if (code == 133015 || code == 134011) return OutcomeClass::pause_session;
  // An unknown code: treat as transient so a few bounded retries happen, then it fails.
  return OutcomeClass::transient;
}

}  // namespace disparo::whatsapp
