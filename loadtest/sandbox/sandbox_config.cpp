#include "loadtest/sandbox/sandbox_config.hpp"

#include <charconv>
#include <map>

#include "adapters/http/client.hpp"

namespace disparo::sandbox {
namespace {

struct Flag {
  std::string_view name;  // without "--"
  std::string_view env;   // suffix after DISPARO_SANDBOX_
  std::string_view help;
};

constexpr Flag kFlags[] = {
    {"listen", "LISTEN", "host:port to listen on (default 127.0.0.1:8090)"},
    {"webhook-url", "WEBHOOK_URL", "http:// URL status webhooks are POSTed to (required)"},
    {"app-secret", "APP_SECRET", "app secret that signs webhooks (required)"},
    {"access-token", "ACCESS_TOKEN", "the Bearer token the API accepts (required)"},
    {"verify-token", "VERIFY_TOKEN", "run Meta's subscription handshake with this token"},
    {"status-delay-ms", "STATUS_DELAY_MS",
     "delay before each of sent/delivered/read (default 100)"},
    {"waba-id", "WABA_ID", "WhatsApp Business Account id in webhooks (default 100000000000000)"},
    {"display-phone-number", "DISPLAY_PHONE_NUMBER",
     "metadata.display_phone_number (default 5511900000000)"},
    {"webhook-retries", "WEBHOOK_RETRIES", "retries of a failed webhook POST (default 4)"},
    {"webhook-retry-ms", "WEBHOOK_RETRY_MS", "first retry backoff, doubling (default 500)"},
    {"log-level", "LOG_LEVEL", "debug | info | warn | error (default info)"},
    {"behaviour", "BEHAVIOUR", "behaviour document (JSON file) applied at start"},
    {"seed", "SEED", "seed of the behaviours' random draws (default: random)"},
    {"evolution-api-key", "EVOLUTION_API_KEY", "the Evolution API apikey accepted"},
    {"evolution-webhook-url", "EVOLUTION_WEBHOOK_URL",
     "default Evolution webhook URL; {instance} is replaced"},
    {"records", "RECORDS",
     "full | lean: lean keeps no headers, bodies or signatures of requests and webhooks (default full)"},
};

Error bad(std::string message) {
  return make_error(ErrorKind::invalid_argument, std::move(message));
}

bool parse_int(std::string_view text, long long min, long long max, long long& out) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size() && out >= min && out <= max;
}

// The sandbox posts webhooks over plain HTTP only (it is a loopback test tool).
bool plain_http(const std::string& url) {
  const auto parsed = http::parse_url(url);
  return parsed && parsed->scheme == "http";
}

bool parse_listen(std::string_view text, SandboxConfig& c) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  long long port = 0;
  if (!parse_int(text.substr(colon + 1), 0, 65535, port)) return false;
  c.listen_host = std::string(text.substr(0, colon));
  c.listen_port = static_cast<unsigned short>(port);
  return true;
}

std::optional<Error> apply(std::string_view name, const std::string& value, SandboxConfig& c) {
  long long n = 0;
  if (name == "listen") {
    if (!parse_listen(value, c)) return bad("--listen must be host:port");
  } else if (name == "webhook-url") {
    if (!plain_http(value)) return bad("--webhook-url must be http://host:port/path");
    c.webhook_url = value;
  } else if (name == "app-secret") {
    c.app_secret = value;
  } else if (name == "access-token") {
    c.access_token = value;
  } else if (name == "verify-token") {
    c.verify_token = value;
  } else if (name == "status-delay-ms") {
    if (!parse_int(value, 0, 3'600'000, n)) return bad("--status-delay-ms must be 0..3600000");
    c.status_delay = std::chrono::milliseconds(n);
  } else if (name == "waba-id") {
    c.waba_id = value;
  } else if (name == "display-phone-number") {
    c.display_phone_number = value;
  } else if (name == "webhook-retries") {
    if (!parse_int(value, 0, 20, n)) return bad("--webhook-retries must be 0..20");
    c.webhook_retries = static_cast<int>(n);
  } else if (name == "webhook-retry-ms") {
    if (!parse_int(value, 0, 600'000, n)) return bad("--webhook-retry-ms must be 0..600000");
    c.webhook_retry = std::chrono::milliseconds(n);
  } else if (name == "behaviour") {
    c.behaviour_file = value;
  } else if (name == "seed") {
    std::uint64_t seed = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), seed);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size())
      return bad("--seed must be an unsigned integer");
    c.seed = seed;
  } else if (name == "evolution-api-key") {
    c.evolution_api_key = value;
  } else if (name == "evolution-webhook-url") {
    std::string probe = value;
    for (auto pos = probe.find("{instance}"); pos != std::string::npos; pos = probe.find("{instance}"))
      probe.replace(pos, 10, "x");
    if (!plain_http(probe)) return bad("--evolution-webhook-url must be http://host:port/path");
    c.evolution_webhook_url = value;
  } else if (name == "records") {
    if (value != "full" && value != "lean") return bad("--records must be full|lean");
    c.lean_records = value == "lean";
  } else if (name == "log-level") {
    if (!log::parse_level(value, c.log_level))
      return bad("--log-level must be debug|info|warn|error");
  }
  return std::nullopt;
}

const Flag* find_flag(std::string_view name) {
  for (const Flag& f : kFlags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

Expected<SandboxConfig> parse_config(const std::vector<std::string>& args, const EnvLookup& env) {
  std::map<std::string_view, std::string> given;  // flag name -> value; flags win over env
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      SandboxConfig c;
      c.help = true;
      return c;
    }
    if (!arg.starts_with("--")) return bad("unexpected argument: " + std::string(arg));
    arg.remove_prefix(2);
    std::string value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return bad("--" + std::string(arg) + " needs a value");
    }
    const Flag* flag = find_flag(arg);
    if (flag == nullptr) return bad("unknown flag: --" + std::string(arg));
    given[flag->name] = std::move(value);
  }

  SandboxConfig config;
  for (const Flag& flag : kFlags) {
    std::optional<std::string> value;
    if (auto it = given.find(flag.name); it != given.end()) {
      value = it->second;
    } else if (env) {
      value = env("DISPARO_SANDBOX_" + std::string(flag.env));
    }
    if (!value) continue;
    if (auto error = apply(flag.name, *value, config)) return *error;
  }
  if (config.webhook_url.empty()) return bad("--webhook-url is required");
  if (config.app_secret.empty()) return bad("--app-secret is required");
  if (config.access_token.empty()) return bad("--access-token is required");
  return config;
}

std::string usage() {
  std::string out =
      "usage: disparo-sandbox --webhook-url URL --app-secret S --access-token T [options]\n"
      "Simulates the Meta WhatsApp Cloud API for load tests and end-to-end tests.\n\n";
  for (const Flag& f : kFlags) {
    out += "  --" + std::string(f.name);
    out.append(f.name.size() < 22 ? 22 - f.name.size() : 1, ' ');
    out += std::string(f.help) + "  [DISPARO_SANDBOX_" + std::string(f.env) + "]\n";
  }
  return out;
}

}  // namespace disparo::sandbox
