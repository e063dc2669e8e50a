// disparo-dispatcher: the sending daemon.
//
//   disparo-dispatcher [serve] [--config FILE]   migrate, then serve until SIGTERM/SIGINT
//   disparo-dispatcher migrate [--config FILE]   apply database migrations and exit
// Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
#include <cstdio>
#include <cstring>
#include <string>

#include "adapters/postgres/migrate.hpp"
#include "adapters/postgres/pg.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "dispatcher/app.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: disparo-dispatcher [serve|migrate] [--config FILE]\n"
               "  serve    (default) apply migrations, then run the dispatcher\n"
               "  migrate  apply database migrations and exit\n"
               "configuration: TOML file (see config/dispatcher.toml), overridden by\n"
               "DISPARO_<SECTION>_<KEY> environment variables\n");
  return 2;
}

int migrate(const disparo::config::DispatcherSettings& settings, disparo::log::Logger& log) {
  auto conn = disparo::pg::Connection::open(settings.database.url);
  if (!conn) {
    log.error("database_unreachable", {{"error", conn.error().message}});
    return 1;
  }
  auto applied = disparo::pg::migrate(*conn, disparo::pg::embedded_migrations());
  if (!applied) {
    log.error("migration_failed", {{"error", applied.error().message}});
    return 1;
  }
  for (int version : *applied) log.info("migration_applied", {{"version", version}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = "serve";
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "serve" || arg == "migrate") {
      command = arg;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else {
      std::fprintf(stderr, "unknown argument: %s\n", arg.c_str());
      return usage();
    }
  }
  auto settings = disparo::config::load_dispatcher(config_path, disparo::config::process_environment());
  if (!settings) {
    std::fprintf(stderr, "configuration error: %s\n", settings.error().message.c_str());
    return 2;
  }
  disparo::log::Level level = disparo::log::Level::info;
  disparo::log::parse_level(settings->log.level, level);
  disparo::log::Logger log("dispatcher", level);

  if (int status = migrate(*settings, log); status != 0 || command == "migrate") return status;
  try {
    disparo::dispatch::DispatcherApp app(*settings, log);
    app.start();
    app.run();
  } catch (const std::exception& e) {
    log.error("startup_failed", {{"error", e.what()}});
    return 1;
  }
  return 0;
}
