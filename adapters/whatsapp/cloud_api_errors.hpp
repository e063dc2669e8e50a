// Cloud API error codes -> our OutcomeClass, keyed on error.code, never on HTTP status
// (reference/whatsapp-providers.md §1.6 and §7: Meta sends most throttling and policy errors
// as HTTP 400). Pure; table-driven.
#pragma once

#include "dispatcher/model/send_outcome.hpp"

namespace disparo::whatsapp {

dispatch::OutcomeClass classify_cloud_api_error(long code);

}  // namespace disparo::whatsapp
