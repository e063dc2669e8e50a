// Meta's Cloud API error codes with the HTTP status, title and details the simulator answers for
// each: the table of shared/reference/whatsapp-providers.md section 1.6 (HTTP status as of Nov
// 2025). Used by scripted errors and the built-in behaviours. Pure; any thread.
#pragma once

#include <optional>

#include "loadtest/sandbox/cloud_api_wire.hpp"

namespace disparo::sandbox {

// nullopt for a code the table does not list (200..299 are all "API Permission", HTTP 403).
std::optional<MetaError> meta_error_for_code(int code);

}  // namespace disparo::sandbox
