#include "dispatcher/model/send_outcome.hpp"

namespace disparo::dispatch {

const char* to_string(OutcomeClass outcome) noexcept {
  switch (outcome) {
    case OutcomeClass::accepted: return "accepted";
    case OutcomeClass::transient: return "transient";
    case OutcomeClass::slow_down: return "slow_down";
    case OutcomeClass::recipient_deferred: return "recipient_deferred";
    case OutcomeClass::pause_session: return "pause_session";
    case OutcomeClass::permanent: return "permanent";
    case OutcomeClass::config_error: return "config_error";
    case OutcomeClass::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace disparo::dispatch
