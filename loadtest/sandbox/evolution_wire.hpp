// Evolution API (v2.3.6) wire format as the simulator speaks it: validation of the flat v2 send
// bodies, the stored message answered with 201, Evolution's error envelope, and the webhook
// envelope with its `data` payloads (reference section 2). Pure; one EvolutionSendParser per
// thread (it keeps a JSON parser between calls).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "loadtest/sandbox/webhook_sender.hpp"

namespace disparo::sandbox {

// {"status":<status>,"error":"<reason phrase>","response":{"message":<message_json>}}
std::string render_evolution_error(int status, std::string_view message_json);
// `messages` rendered as a JSON array of strings.
std::string render_evolution_error(int status, const std::vector<std::string>& messages);

struct EvolutionSend {
  std::string number;         // digits only (a "...@s.whatsapp.net" suffix is dropped)
  std::int64_t delay_ms = 0;  // honoured before answering
  std::string message_type;   // "conversation", "imageMessage", ...
  std::string message_json;   // the stored message's "message" object
};

struct EvolutionInvalid {
  std::vector<std::string> messages;  // JSON-schema style: `instance requires property "text"`
};

class EvolutionSendParser {
 public:
  EvolutionSendParser();
  ~EvolutionSendParser();
  EvolutionSendParser(const EvolutionSendParser&) = delete;
  EvolutionSendParser& operator=(const EvolutionSendParser&) = delete;

  // `action`: sendText | sendMedia | sendWhatsAppAudio | sendContact | sendButtons.
  std::variant<EvolutionSend, EvolutionInvalid> parse(std::string_view action,
                                                      std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

bool is_evolution_send_action(std::string_view action);

// The stored message (HTTP 201 body and send.message data): key.{remoteJid, fromMe, id},
// pushName, status "PENDING", message, contextInfo, messageType, messageTimestamp, instanceId,
// source.
struct StoredMessage {
  std::string key_id;
  std::string remote_jid;
  bool from_me = true;
  std::string status = "PENDING";
  std::string push_name;
  std::string message_type;
  std::string message_json;
  std::int64_t timestamp = 0;  // unix seconds
  std::string instance_id;
  std::string source = "web";
};
std::string render_stored_message(const StoredMessage& message);

struct EvolutionStatusUpdate {
  std::string key_id;
  std::string remote_jid;
  std::string status;  // SERVER_ACK | DELIVERY_ACK | READ
  std::string instance_id;
};
// messages.update data: keyId, remoteJid, fromMe, participant, status, instanceId, messageId.
std::string render_evolution_status(const EvolutionStatusUpdate& update);
// "sent" -> SERVER_ACK, "delivered" -> DELIVERY_ACK, "read" -> READ, else ERROR.
std::string evolution_status_for(std::string_view cloud_status);

// {"event","instance","data","destination","date_time","sender","server_url","apikey"}.
std::string render_evolution_envelope(const EvolutionTarget& target, std::string_view event,
                                      std::string_view data_json, std::int64_t now_us);

// connection.update data: {"instance","state","statusReason"} (+ wuid, profileName on open).
std::string render_connection_update(std::string_view instance, std::string_view state,
                                     int status_reason, std::string_view owner_jid);
// qrcode.updated data: {"qrcode":{"instance","pairingCode","code","base64"}}.
std::string render_qrcode_updated(std::string_view instance, std::string_view code,
                                  std::string_view pairing_code);

// ISO 8601 UTC with milliseconds: "2026-11-22T21:00:00.123Z".
std::string iso_time_ms(std::int64_t unix_us);

}  // namespace disparo::sandbox
