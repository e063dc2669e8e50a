// The command line of disparo-admin: `serve`, `migrate`, `create-tenant`, `demo`.
//
// parse_command_line() is pure (tested without a database); run_admin() does the work and maps
// outcomes to exit codes: 0 ok, 2 usage error, 1 runtime error (with a message naming what
// failed). Called from main's thread only.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/config.hpp"

namespace disparo::admin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

// The configuration used when --config is not given, if it exists (relative to the cwd).
inline constexpr const char* kDefaultConfigPath = "config/admin.toml";

struct Invocation {
  std::string command;                         // "serve", "migrate", "create-tenant", "demo", "help"
  std::string config_path;                     // --config, or "" when not given
  std::map<std::string, std::string> options;  // the other --name value pairs, without "--"
};

// `args` excludes the program name. `invalid_argument` with a message for people on misuse
// (unknown command or option, missing value, missing required option, bad value).
Expected<Invocation> parse_command_line(const std::vector<std::string>& args);

std::string usage_text();

// Runs the command; writes results to `out` and errors to `err`.
int run_admin(const std::vector<std::string>& args, const config::Environment& env,
              std::ostream& out, std::ostream& err);

}  // namespace disparo::admin
