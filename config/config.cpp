#include "config/config.hpp"

#include <functional>
#include <vector>

#include <unistd.h>  // environ

#include "config/settings_reader.hpp"

namespace disparo::config {
namespace {

// One key of a settings struct: its rule, and how a checked value lands in the struct.
template <class Settings>
struct Binding {
  KeyRule rule;
  std::function<void(Settings&, const Value&)> apply;
};

template <class Settings>
using Bindings = std::vector<Binding<Settings>>;

constexpr std::int64_t kMaxPort = 65535;
constexpr std::int64_t kHourMs = 3'600'000;

KeyRule text(std::string_view section, std::string_view name, std::int64_t min_length = 0,
             bool empty_ok = true) {
  return KeyRule{section, name, ValueType::text, min_length, 0, empty_ok};
}
KeyRule integer(std::string_view section, std::string_view name, std::int64_t min,
                std::int64_t max) {
  return KeyRule{section, name, ValueType::integer, min, max, false};
}

const std::string& as_text(const Value& v) {
  return std::get<std::string>(v);
}
std::int64_t as_int(const Value& v) {
  return std::get<std::int64_t>(v);
}
std::chrono::milliseconds as_ms(const Value& v) {
  return std::chrono::milliseconds(as_int(v));
}

template <class S>
void bind_http(Bindings<S>& b, HttpListen S::*http) {
  b.push_back({text("http", "host", 1, false),
               [http](S& s, const Value& v) { (s.*http).host = as_text(v); }});
  b.push_back({integer("http", "port", 1, kMaxPort), [http](S& s, const Value& v) {
                 (s.*http).port = static_cast<std::uint16_t>(as_int(v));
               }});
  b.push_back(
      {integer("http", "max_body_bytes", 1, std::int64_t{1} << 30), [http](S& s, const Value& v) {
         (s.*http).max_body_bytes = static_cast<std::size_t>(as_int(v));
       }});
  b.push_back({integer("http", "read_timeout_ms", 1, kHourMs),
               [http](S& s, const Value& v) { (s.*http).read_timeout = as_ms(v); }});
}

template <class S>
void bind_database(Bindings<S>& b, Database S::*db) {
  b.push_back({text("database", "url", 1, false),
               [db](S& s, const Value& v) { (s.*db).url = as_text(v); }});
  b.push_back({integer("database", "pool_size", 1, 256), [db](S& s, const Value& v) {
                 (s.*db).pool_size = static_cast<std::size_t>(as_int(v));
               }});
}

template <class S>
void bind_log(Bindings<S>& b, Logging S::*log) {
  b.push_back({KeyRule{"log", "level", ValueType::log_level},
               [log](S& s, const Value& v) { (s.*log).level = as_text(v); }});
}

template <class S>
void bind_metrics(Bindings<S>& b, MetricsSettings S::*metrics) {
  b.push_back({integer("metrics", "dependency_probe_interval_ms", 100, kHourMs),
               [metrics](S& s, const Value& v) { (s.*metrics).dependency_probe_interval = as_ms(v); }});
  b.push_back({integer("metrics", "dependency_probe_timeout_ms", 1, 60'000),
               [metrics](S& s, const Value& v) { (s.*metrics).dependency_probe_timeout = as_ms(v); }});
}

Bindings<DispatcherSettings> dispatcher_bindings() {
  using S = DispatcherSettings;
  Bindings<S> b;
  bind_http(b, &S::http);
  bind_database(b, &S::database);
  b.push_back(
      {text("redis", "host", 1, false), [](S& s, const Value& v) { s.redis.host = as_text(v); }});
  b.push_back({integer("redis", "port", 1, kMaxPort),
               [](S& s, const Value& v) { s.redis.port = static_cast<std::uint16_t>(as_int(v)); }});
  b.push_back(
      {text("redis", "password"), [](S& s, const Value& v) { s.redis.password = as_text(v); }});
  bind_log(b, &S::log);
  bind_metrics(b, &S::metrics);
  b.push_back({text("cloud_api", "app_secret"),
               [](S& s, const Value& v) { s.cloud_api_app_secret = as_text(v); }});
  b.push_back({text("cloud_api", "verify_token"),
               [](S& s, const Value& v) { s.cloud_api_verify_token = as_text(v); }});
  b.push_back({integer("sender", "provider_timeout_ms", 1, 10 * 60'000),
               [](S& s, const Value& v) { s.provider_timeout = as_ms(v); }});
  b.push_back({text("sender", "provider_ca_file"),
               [](S& s, const Value& v) { s.provider_ca_file = as_text(v); }});
  b.push_back({integer("sender", "poll_interval_ms", 1, 60'000),
               [](S& s, const Value& v) { s.poll_interval = as_ms(v); }});
  b.push_back({integer("sender", "claim_ahead_ms", 0, 10'000),
               [](S& s, const Value& v) { s.claim_ahead = as_ms(v); }});
  b.push_back({integer("sender", "max_in_flight", 1, 100'000),
               [](S& s, const Value& v) { s.max_in_flight = static_cast<std::size_t>(as_int(v)); }});
  b.push_back({integer("sender", "max_attempts", 1, 100),
               [](S& s, const Value& v) { s.max_attempts = static_cast<int>(as_int(v)); }});
  constexpr std::int64_t kDayMs = 86'400'000;
  b.push_back({integer("sender", "retry_base_ms", 1, kDayMs), [](S& s, const Value& v) { s.retry_base = as_ms(v); }});
  b.push_back({integer("sender", "retry_max_ms", 1, kDayMs), [](S& s, const Value& v) { s.retry_max = as_ms(v); }});
  b.push_back({integer("sender", "slow_down_ms", 1, kDayMs), [](S& s, const Value& v) { s.slow_down = as_ms(v); }});
  b.push_back({integer("sender", "recipient_defer_ms", 1, kDayMs),
               [](S& s, const Value& v) { s.recipient_defer = as_ms(v); }});
  b.push_back({integer("sender", "unknown_outcome_ms", 1, kDayMs),
               [](S& s, const Value& v) { s.unknown_outcome = as_ms(v); }});
  b.push_back({integer("sender", "lease_ttl_ms", 1'000, 10 * 60'000),
               [](S& s, const Value& v) { s.lease_ttl = as_ms(v); }});
  b.push_back({integer("sender", "shutdown_grace_ms", 0, 10 * 60'000),
               [](S& s, const Value& v) { s.shutdown_grace = as_ms(v); }});
  b.push_back({integer("sender", "max_batch", 1, 10'000),
               [](S& s, const Value& v) { s.max_batch = static_cast<std::size_t>(as_int(v)); }});
  b.push_back({KeyRule{"campaigns", "enabled", ValueType::boolean},
               [](S& s, const Value& v) { s.campaigns_enabled = as_int(v) != 0; }});
  b.push_back({integer("campaigns", "tick_ms", 100, kHourMs),
               [](S& s, const Value& v) { s.campaigns_tick = as_ms(v); }});
  b.push_back({integer("campaigns", "catch_up_minutes", 0, 7 * 24 * 60), [](S& s, const Value& v) {
                 s.campaigns_catch_up = std::chrono::minutes(as_int(v));
               }});
  return b;
}

Bindings<AdminSettings> admin_bindings() {
  using S = AdminSettings;
  Bindings<S> b;
  bind_http(b, &S::http);
  bind_database(b, &S::database);
  bind_log(b, &S::log);
  bind_metrics(b, &S::metrics);
  b.push_back({text("admin", "master_key", kMinMasterKeyLength, true),
               [](S& s, const Value& v) { s.master_key = as_text(v); }});
  return b;
}

template <class Settings>
Expected<Settings> load(const Bindings<Settings>& bindings, const std::string& path,
                        const Environment& env) {
  std::vector<KeyRule> rules;
  rules.reserve(bindings.size());
  for (const auto& binding : bindings) rules.push_back(binding.rule);
  auto values = read_settings(rules, path, env);
  if (!values) return std::move(values).error();
  Settings settings{};
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    if ((*values)[i]) bindings[i].apply(settings, *(*values)[i]);
  }
  return settings;
}

}  // namespace

Expected<DispatcherSettings> load_dispatcher(const std::string& path, const Environment& env) {
  return load(dispatcher_bindings(), path, env);
}

Expected<AdminSettings> load_admin(const std::string& path, const Environment& env) {
  return load(admin_bindings(), path, env);
}

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

}  // namespace disparo::config
