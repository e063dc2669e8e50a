// disparo-sandbox: a Meta WhatsApp Cloud API and Evolution API simulator for load tests and
// end-to-end tests.
// Wires the pieces together (STYLE.md rule 15) and runs one io_context on the main thread.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <random>
#include <sstream>
#include <variant>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/behaviour.hpp"
#include "loadtest/sandbox/behaviour_engine.hpp"
#include "loadtest/sandbox/recorder.hpp"
#include "loadtest/sandbox/sandbox_config.hpp"
#include "loadtest/sandbox/sandbox_service.hpp"
#include "loadtest/sandbox/subscription_check.hpp"
#include "loadtest/sandbox/webhook_sender.hpp"

namespace {

using namespace disparo;
using namespace disparo::sandbox;

// How long SIGTERM waits for pending status webhooks before exiting anyway.
constexpr std::chrono::milliseconds kFlushBound{2'000};

std::optional<std::string> getenv_value(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

asio::awaitable<void> shut_down(asio::io_context& io, http::Server& server, WebhookSender& sender,
                                http::Client& client, log::Logger& logger) {
  server.stop();  // stage 1: no new requests, in-flight ones finish
  const bool flushed = co_await sender.drain(kFlushBound);
  logger.info("stopped", {{"webhooks_flushed", flushed},
                          {"webhooks_pending", static_cast<std::uint64_t>(sender.in_flight())}});
  client.close_idle();
  io.stop();  // stage 2: whatever is left is abandoned
}

// The behaviour document of --behaviour (defaults when none), or nullopt after logging why not.
std::optional<Behaviour> initial_behaviour(const SandboxConfig& config, const Behaviour& defaults,
                                           log::Logger& logger) {
  if (config.behaviour_file.empty()) return defaults;
  std::ifstream in(config.behaviour_file, std::ios::binary);
  if (!in) {
    logger.error("behaviour_unreadable", {{"file", config.behaviour_file}});
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  BehaviourResult parsed = parse_behaviour(text.str(), defaults);
  if (auto* errors = std::get_if<std::vector<FieldError>>(&parsed)) {
    for (const FieldError& e : *errors) {
      logger.error("behaviour_invalid",
                   {{"file", config.behaviour_file}, {"field", e.field}, {"error", e.message}});
    }
    return std::nullopt;
  }
  return std::get<Behaviour>(parsed);
}

int run(const SandboxConfig& config) {
  log::Logger logger("sandbox", config.log_level);
  asio::io_context io;
  SystemClock clock;
  http::ClientOptions client_options;
  client_options.connect_timeout = std::chrono::milliseconds(2'000);
  client_options.request_timeout = std::chrono::milliseconds(5'000);
  http::Client client(io, client_options);
  Recorder recorder(100'000, config.lean_records ? RecordDetail::lean : RecordDetail::full);

  WebhookOptions webhook;
  webhook.url = config.webhook_url;
  webhook.app_secret = config.app_secret;
  webhook.waba_id = config.waba_id;
  webhook.display_phone_number = config.display_phone_number;
  webhook.status_delay = config.status_delay;
  webhook.max_retries = config.webhook_retries;
  webhook.retry_base = config.webhook_retry;
  WebhookSender sender(io, client, recorder, clock, logger, webhook);

  std::optional<SubscriptionCheck> subscription;
  if (!config.verify_token.empty()) {
    subscription.emplace(io, client, recorder, clock, logger,
                         SubscriptionOptions{config.webhook_url, config.verify_token});
  }
  const Behaviour defaults = default_behaviour(config.status_delay.count());
  std::optional<Behaviour> behaviour = initial_behaviour(config, defaults, logger);
  if (!behaviour) return 2;
  const std::uint64_t seed = config.seed ? *config.seed : std::random_device{}();
  BehaviourEngine engine(defaults, seed, clock);
  engine.replace(std::move(*behaviour));

  ServiceOptions service_options;
  service_options.access_token = config.access_token;
  service_options.waba_id = config.waba_id;
  service_options.display_phone_number = config.display_phone_number;
  service_options.evolution.api_key = config.evolution_api_key;
  service_options.evolution.webhook_url = config.evolution_webhook_url;
  service_options.evolution.server_url =
      "http://" + config.listen_host + ":" + std::to_string(config.listen_port);
  service_options.evolution.owner_number = config.display_phone_number;
  SandboxService service(std::move(service_options), recorder, sender, clock, logger,
                         subscription ? &*subscription : nullptr, &engine);

  http::ServerOptions server_options;
  server_options.host = config.listen_host;
  server_options.port = config.listen_port;
  http::Server server(io, server_options, service.handler());
  try {
    server.start();
  } catch (const std::exception& e) {
    logger.error("listen_failed", {{"host", config.listen_host},
                                   {"port", static_cast<int>(config.listen_port)},
                                   {"error", e.what()}});
    return 1;
  }
  logger.info("listening",
              {{"host", config.listen_host},
               {"port", static_cast<int>(server.port())},
               {"webhook_url", config.webhook_url},
               {"access_token", log::mask_secret(config.access_token)},
               {"status_delay_ms", static_cast<std::int64_t>(config.status_delay.count())},
               {"verify", !config.verify_token.empty()},
               {"seed", seed},
               {"behaviour", config.behaviour_file},
               {"evolution_api_key", log::mask_secret(config.evolution_api_key)},
               {"evolution_webhook_url", config.evolution_webhook_url}});
  if (subscription) subscription->start_background();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code& ec, int signal_number) {
    if (ec) return;
    logger.info("stopping", {{"signal", signal_number}});
    asio::co_spawn(io, shut_down(io, server, sender, client, logger), asio::detached);
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Batched webhook bodies are a few hundred KB each: keep freed memory in the heap instead of
  // returning it to the kernel, so the next body does not page-fault its way in again.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto config = parse_config(args, getenv_value);
  if (!config) {
    std::fprintf(stderr, "disparo-sandbox: %s\n\n%s", config.error().message.c_str(),
                 usage().c_str());
    return 2;
  }
  if (config->help) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  return run(*config);
}
