// `disparo-admin serve`: migrations, then the HTTP service until SIGINT/SIGTERM.
//
// Runs on main's thread, which becomes the io_context's only thread.
#pragma once

#include <iosfwd>

#include "config/config.hpp"

namespace disparo::admin {

// Returns the process exit code (0 after a clean shutdown, 1 when start-up fails).
int serve(const config::AdminSettings& settings, std::ostream& err);

}  // namespace disparo::admin
