// EvolutionApi: the Evolution API v2 side of the simulator (reference section 2): the send
// routes POST /message/{sendText|sendMedia|sendWhatsAppAudio|sendContact|sendButtons}/{instance},
// POST /webhook/set/{instance}, GET /webhook/find/{instance},
// GET /instance/connectionState/{instance}, and the control routes that change an instance's
// connection or post its QR code. Instances exist implicitly (any name), connected ("open").
// Synchronous and socket-free: webhooks go through the StatusScheduler. io_context thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http/message.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "loadtest/sandbox/behaviour_engine.hpp"
#include "loadtest/sandbox/evolution_wire.hpp"
#include "loadtest/sandbox/recorder.hpp"
#include "loadtest/sandbox/sandbox_http.hpp"
#include "loadtest/sandbox/webhook_sender.hpp"

namespace disparo::sandbox {

struct EvolutionOptions {
  std::string api_key;      // the global apikey; empty = every Evolution call answers 401
  std::string webhook_url;  // default webhook URL, "{instance}" replaced; empty = none
  std::string server_url = "http://127.0.0.1:8090";  // envelope "server_url"
  std::string owner_number = "5511900000000";       // envelope "sender" (user part of the JID)
};

class EvolutionApi {
 public:
  EvolutionApi(EvolutionOptions options, BehaviourEngine& engine, StatusScheduler& scheduler,
               const Clock& clock, log::Logger& logger);

  // /message/..., /webhook/..., /instance/...
  static bool owns(std::string_view path);
  Answer handle(const http::Request& request, RecordedRequest& record);

  // POST /_sandbox/evolution/connection and /_sandbox/evolution/qrcode.
  http::Response connection_route(const http::Request& request);
  http::Response qrcode_route(const http::Request& request);
  // POST /_sandbox/inbound for an instance: a messages.upsert webhook.
  http::Response inbound(std::string_view instance, std::string_view from_digits,
                         std::string_view text);

 private:
  struct WebhookConfig {
    bool enabled = true;
    std::string url;
    http::Headers headers;
    bool by_events = false;
    bool base64 = false;
    std::vector<std::string> events;  // upper-case names; empty = all
    std::int64_t updated_us = 0;
  };
  struct Instance {
    std::string state = "open";
    int status_reason = 200;
    std::optional<WebhookConfig> webhook;
  };

  Answer send(const http::Request& request, std::string_view action, std::string_view instance,
              RecordedRequest& record);
  http::Response set_webhook(const http::Request& request, std::string_view instance);
  http::Response find_webhook(std::string_view instance);
  bool authorized(const http::Request& request) const;
  Instance& instance(std::string_view name);
  // Where `event` of `instance` goes; nullopt when the instance has no URL or filters it out.
  std::optional<EvolutionTarget> target_for(std::string_view instance, std::string_view event);
  void post(std::string_view instance, std::string_view event, std::string_view data_json,
            std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  std::string next_key_id();
  std::int64_t now_us() const { return clock_.now().time_since_epoch().count(); }

  EvolutionOptions options_;
  BehaviourEngine& engine_;
  StatusScheduler& scheduler_;
  const Clock& clock_;
  log::Logger& logger_;
  EvolutionSendParser parser_;
  std::map<std::string, Instance, std::less<>> instances_;
  std::uint64_t sequence_ = 0;
};

// A stable UUID-shaped id for an instance name (data.instanceId).
std::string instance_id_for(std::string_view instance);

}  // namespace disparo::sandbox
