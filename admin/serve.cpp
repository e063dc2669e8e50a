#include "admin/serve.hpp"

#include <csignal>
#include <functional>
#include <ostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "adapters/postgres/migrate.hpp"
#include "adapters/postgres/pg.hpp"
#include "admin/app.hpp"
#include "admin/redact.hpp"
#include "common/log.hpp"

namespace disparo::admin {

int serve(const config::AdminSettings& settings, std::ostream& err) {
  log::Level level = log::Level::info;
  (void)log::parse_level(settings.log.level, level);  // config validated it already
  log::Logger logger("admin", level);

  // Migrations run before the listener opens: a service that answers must have its schema.
  {
    auto conn = pg::Connection::open(settings.database.url);
    if (!conn) {
      err << "disparo-admin serve: cannot reach database at "
          << redact_conninfo(settings.database.url) << ": " << conn.error().message << "\n";
      return 1;
    }
    auto applied = pg::migrate(*conn, pg::embedded_migrations());
    if (!applied) {
      err << "disparo-admin serve: cannot apply migrations to "
          << redact_conninfo(settings.database.url) << ": " << applied.error().message << "\n";
      return 1;
    }
    for (int version : *applied) logger.info("migration_applied", {{"version", version}});
  }

  boost::asio::io_context ioc(1);
  AdminApp app(ioc, settings, logger);
  if (auto started = app.start(); !started) {
    err << "disparo-admin serve: " << started.error().message << "\n";
    return 1;
  }
  logger.info("admin_listening", {{"host", settings.http.host},
                                  {"port", static_cast<unsigned>(app.port())},
                                  {"tenant_routes", !settings.master_key.empty()}});

  // First signal: stop accepting and drain (stage 1). Second signal: close everything now.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  int signals_seen = 0;
  std::function<void()> wait_for_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
      if (ec) return;  // cancelled once drained
      logger.info("signal_received", {{"signal", signal_number}});
      if (++signals_seen == 1) {
        // Re-arm first: shutdown() may drain at once, and on_drained cancels this wait.
        wait_for_signal();
        app.shutdown();
      } else {
        app.close_all();
      }
    });
  };
  app.on_drained([&] {
    boost::system::error_code ignored;
    signals.cancel(ignored);
  });
  wait_for_signal();

  ioc.run();
  logger.info("admin_stopped");
  return 0;
}

}  // namespace disparo::admin
