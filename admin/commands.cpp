#include "admin/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string_view>

#include "adapters/postgres/migrate.hpp"
#include "adapters/postgres/pg.hpp"
#include "admin/demo.hpp"
#include "admin/redact.hpp"
#include "admin/serve.hpp"
#include "admin/tenants.hpp"
#include "admin/validation.hpp"
#include "common/log.hpp"

namespace disparo::admin {
namespace {

struct OptionSpec {
  std::string_view name;
  bool required;
};
struct CommandSpec {
  std::string_view name;
  std::vector<OptionSpec> options;  // besides --config, which every command takes
};

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> specs = {
      {"serve", {}},
      {"migrate", {}},
      {"create-tenant", {{"slug", true}, {"name", true}, {"time-zone", false}}},
      {"demo",
       {{"env-file", true}, {"sandbox-url", true}, {"access-token", true}, {"phone-number-id", false}}},
  };
  return specs;
}

Error usage(std::string message) { return make_error(ErrorKind::invalid_argument, std::move(message)); }

// Checks the values a command needs beyond their presence.
Expected<void> check_values(const Invocation& inv) {
  if (inv.command == "create-tenant") {
    NewTenant tenant{inv.options.at("slug"), inv.options.at("name"),
                     inv.options.count("time-zone") ? inv.options.at("time-zone")
                                                    : std::string(kDefaultTimeZone)};
    auto errors = check_new_tenant(tenant);
    if (!errors.empty()) {
      std::string message;
      for (const auto& e : errors) {
        if (!message.empty()) message += "; ";
        message += "--" + (e.field == "time_zone" ? std::string("time-zone") : e.field) + " " + e.message;
      }
      return usage(message);
    }
  }
  if (inv.command == "demo") {
    const auto& url = inv.options.at("sandbox-url");
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return usage("--sandbox-url must be an http:// or https:// URL");
    }
    if (inv.options.at("access-token").empty()) return usage("--access-token must not be empty");
    if (inv.options.at("env-file").empty()) return usage("--env-file must not be empty");
    if (auto id = inv.options.find("phone-number-id"); id != inv.options.end()) {
      const auto& v = id->second;
      if (v.empty() || v.size() > 32 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return usage("--phone-number-id must be digits");
      }
    }
  }
  return {};
}

// Opens a connection and applies pending migrations; messages name the database without its
// password.
Expected<pg::Connection> connect_and_migrate(const config::AdminSettings& settings,
                                             std::vector<int>* applied) {
  auto conn = pg::Connection::open(settings.database.url);
  if (!conn) {
    return make_error(conn.error().kind, "cannot reach database at " +
                                             redact_conninfo(settings.database.url) + ": " +
                                             conn.error().message);
  }
  auto versions = pg::migrate(*conn, pg::embedded_migrations());
  if (!versions) {
    return make_error(versions.error().kind, "cannot apply migrations to " +
                                                 redact_conninfo(settings.database.url) + ": " +
                                                 versions.error().message);
  }
  if (applied) *applied = std::move(*versions);
  return std::move(*conn);
}

std::string four_digits(int version) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d", version);
  return buffer;
}

int run_migrate(const config::AdminSettings& settings, std::ostream& out, std::ostream& err) {
  std::vector<int> applied;
  auto conn = connect_and_migrate(settings, &applied);
  if (!conn) {
    err << "disparo-admin migrate: " << conn.error().message << "\n";
    return kExitRuntime;
  }
  for (int version : applied) {
    std::string name;
    for (const auto& m : pg::embedded_migrations()) {
      if (m.version == version) name = m.name;
    }
    out << "applied migration " << four_digits(version) << " " << name << "\n";
  }
  if (applied.empty()) out << "database schema is up to date\n";
  return kExitOk;
}

int run_create_tenant(const config::AdminSettings& settings, const Invocation& inv,
                      std::ostream& out, std::ostream& err) {
  auto conn = connect_and_migrate(settings, nullptr);
  if (!conn) {
    err << "disparo-admin create-tenant: " << conn.error().message << "\n";
    return kExitRuntime;
  }
  NewTenant input{inv.options.at("slug"), inv.options.at("name"),
                  inv.options.count("time-zone") ? inv.options.at("time-zone")
                                                 : std::string(kDefaultTimeZone)};
  auto created = create_tenant(*conn, input);
  if (!created) {
    err << "disparo-admin create-tenant: " << created.error().message << "\n";
    return kExitRuntime;
  }
  const auto& t = created->tenant;
  out << "tenant: " << t.slug << " (id " << t.id << ", \"" << t.name << "\", " << t.time_zone << ")\n"
      << "role: " << created->role << "\n"
      << "api_key: " << created->api_key << "\n"
      << "Store this API key now: it is shown only once and cannot be recovered.\n";
  return kExitOk;
}

int run_demo(const config::AdminSettings& settings, const Invocation& inv, std::ostream& out,
             std::ostream& err) {
  auto conn = connect_and_migrate(settings, nullptr);
  if (!conn) {
    err << "disparo-admin demo: " << conn.error().message << "\n";
    return kExitRuntime;
  }
  DemoOptions options;
  options.env_file = inv.options.at("env-file");
  options.sandbox_url = inv.options.at("sandbox-url");
  options.access_token = inv.options.at("access-token");
  if (auto id = inv.options.find("phone-number-id"); id != inv.options.end()) {
    options.phone_number_id = id->second;
  }
  auto summary = seed_demo(*conn, options);
  if (!summary) {
    err << "disparo-admin demo: " << summary.error().message << "\n";
    return kExitRuntime;
  }
  const auto& s = *summary;
  out << "tenant demo: id " << s.tenant_id << (s.tenant_created ? " (created)" : " (exists)") << "\n"
      << "session principal: id " << s.session_id
      << (s.session_created ? " (created)" : s.session_updated ? " (updated)" : " (unchanged)")
      << ", sandbox " << options.sandbox_url << "\n"
      << "server Servidor 1: id " << s.server_id << "\n"
      << "clients: " << s.clients_total << " (" << s.clients_added << " added)\n"
      << "api key: "
      << (s.key_reused ? "kept the live key in " : "new owner key written to ") << options.env_file
      << "\n";
  return kExitOk;
}

}  // namespace

std::string usage_text() {
  return "usage: disparo-admin <command> [--config FILE] [options]\n"
         "\n"
         "commands:\n"
         "  serve                       run the admin HTTP service (applies migrations first)\n"
         "  migrate                     apply pending database migrations and exit\n"
         "  create-tenant --slug S --name N [--time-zone Z]\n"
         "                              create a tenant and print its first owner API key\n"
         "  demo --env-file PATH --sandbox-url URL --access-token T [--phone-number-id ID]\n"
         "                              create or refresh the demo tenant for the sandbox\n"
         "\n"
         "--config FILE defaults to config/admin.toml when it exists; DISPARO_* environment\n"
         "variables override the file. Exit codes: 0 ok, 1 runtime error, 2 usage error.\n";
}

Expected<Invocation> parse_command_line(const std::vector<std::string>& args) {
  if (args.empty()) return usage("missing command");
  Invocation inv;
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    inv.command = "help";
    return inv;
  }
  const auto& specs = command_specs();
  auto spec = std::find_if(specs.begin(), specs.end(), [&](const CommandSpec& s) { return s.name == args[0]; });
  if (spec == specs.end()) return usage("unknown command '" + args[0] + "'");
  inv.command = args[0];

  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      inv.command = "help";
      return inv;
    }
    if (!arg.starts_with("--") || arg.size() == 2) return usage("unexpected argument '" + args[i] + "'");
    arg.remove_prefix(2);
    std::string name, value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (i + 1 >= args.size()) return usage("option --" + name + " needs a value");
      value = args[++i];
    }
    const bool known = name == "config" ||
                       std::any_of(spec->options.begin(), spec->options.end(),
                                   [&](const OptionSpec& o) { return o.name == name; });
    if (!known) return usage("unknown option --" + name + " for " + inv.command);
    if (name == "config") {
      if (!inv.config_path.empty()) return usage("option --config given twice");
      if (value.empty()) return usage("option --config needs a file");
      inv.config_path = value;
    } else if (!inv.options.emplace(name, value).second) {
      return usage("option --" + name + " given twice");
    }
  }
  for (const auto& option : spec->options) {
    if (option.required && inv.options.count(std::string(option.name)) == 0) {
      return usage(inv.command + " needs --" + std::string(option.name));
    }
  }
  if (auto checked = check_values(inv); !checked) return checked.error();
  return inv;
}

int run_admin(const std::vector<std::string>& args, const config::Environment& env,
              std::ostream& out, std::ostream& err) {
  auto parsed = parse_command_line(args);
  if (!parsed) {
    err << "disparo-admin: " << parsed.error().message << "\n\n" << usage_text();
    return kExitUsage;
  }
  Invocation& inv = *parsed;
  if (inv.command == "help") {
    out << usage_text();
    return kExitOk;
  }

  std::string config_path = inv.config_path;
  if (config_path.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(kDefaultConfigPath, ec)) config_path = kDefaultConfigPath;
  }
  auto settings = config::load_admin(config_path, env);
  if (!settings) {
    err << "disparo-admin: configuration" << (config_path.empty() ? "" : " " + config_path) << ": "
        << settings.error().message << "\n";
    return kExitRuntime;
  }

  try {
    // Time-zone checks (create-tenant, POST /v1/tenants) need the OS tz database.
    warm_time_zones();
  } catch (const std::exception& e) {
    err << "disparo-admin: cannot load the time-zone database: " << e.what() << "\n";
    return kExitRuntime;
  }

  if (inv.command == "serve") return serve(*settings, err);
  if (inv.command == "migrate") return run_migrate(*settings, out, err);
  if (inv.command == "create-tenant") return run_create_tenant(*settings, inv, out, err);
  return run_demo(*settings, inv, out, err);
}

}  // namespace disparo::admin
