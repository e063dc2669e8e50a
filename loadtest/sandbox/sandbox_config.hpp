// Command line of disparo-sandbox: flags with DISPARO_SANDBOX_* environment fallbacks, parsed
// once in main into a plain validated struct (STYLE.md rule 11). Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "common/log.hpp"

namespace disparo::sandbox {

struct SandboxConfig {
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8090;
  std::string webhook_url;   // required
  std::string app_secret;    // required: signs webhooks
  std::string access_token;  // required: the accepted Bearer token
  std::string verify_token;  // optional: enables the subscription handshake
  std::chrono::milliseconds status_delay{100};
  std::string waba_id = "100000000000000";
  std::string display_phone_number = "5511900000000";
  int webhook_retries = 4;
  std::chrono::milliseconds webhook_retry{500};
  log::Level log_level = log::Level::info;
  std::string behaviour_file;          // optional: the behaviour document at start
  std::optional<std::uint64_t> seed;   // optional: seeds the behaviours' random draws
  std::string evolution_api_key;       // optional: the Evolution `apikey` accepted
  std::string evolution_webhook_url;   // optional: default Evolution webhook URL ({instance})
  bool lean_records = false;           // --records lean: no headers, bodies or signatures kept
  bool help = false;
};

// Returns the value of an environment variable, nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// `args` excludes the program name. A flag wins over its environment variable
// (--status-delay-ms over DISPARO_SANDBOX_STATUS_DELAY_MS). Accepts "--flag value" and
// "--flag=value". Errors are invalid_argument with a message for the user.
Expected<SandboxConfig> parse_config(const std::vector<std::string>& args, const EnvLookup& env);

std::string usage();

}  // namespace disparo::sandbox
