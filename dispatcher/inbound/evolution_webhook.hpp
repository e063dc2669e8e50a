// Evolution API webhooks: reads the envelope Evolution POSTs to /webhooks/evolution/{session}
// (reference/whatsapp-providers.md §2.4–2.5) into plain values: message status updates mapped
// onto our lifecycle, inbound messages, connection state and QR codes.
//
// Tolerant of unknown events and fields; `data` may be one object or an array of them.
// Untrusted input: pure, never throws; every string returned is valid UTF-8 and bounded. Fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "dispatcher/cloud_api_webhook.hpp"

namespace disparo::dispatch {

// PENDING -> "" (nothing to record: the send answer said so), SERVER_ACK -> sent,
// DELIVERY_ACK -> delivered, READ and PLAYED -> read, ERROR -> failed; anything else
// (DELETED, unknown) -> "". Meta-channel instances forward SENT/DELIVERED/READ/FAILED.
std::string_view lifecycle_of_evolution_status(std::string_view status) noexcept;

struct EvolutionStatus {
  std::string key_id;      // keyId: the id the send answer gave (key.id)
  std::string remote_jid;  // the recipient's JID (may lack the ninth digit)
  std::string status;      // our status: sent | delivered | read | failed
  std::string raw_status;  // as Evolution wrote it
};

struct EvolutionConnection {
  std::string state;       // open | connecting | close | refused
  std::int64_t status_reason = 0;
};

struct EvolutionQrCode {
  std::string code;          // the QR payload
  std::string pairing_code;  // the 8-character pairing code, when given
  std::string base64;        // data:image/png;base64,... (<= 64 KiB), when given
};

struct EvolutionWebhook {
  std::string event;     // messages.update | messages.upsert | connection.update | qrcode.updated | ...
  std::string instance;
  std::vector<EvolutionStatus> statuses;     // messages.update (fromMe only)
  std::vector<InboundMessage> inbound;       // messages.upsert (not fromMe, not groups)
  std::optional<EvolutionConnection> connection;
  std::optional<EvolutionQrCode> qrcode;
};

// invalid_argument when the body is not an Evolution envelope (an object with a string event).
Expected<EvolutionWebhook> parse_evolution_webhook(std::string_view body);

}  // namespace disparo::dispatch
