// Evolution API (v2) wire format: the route and flat JSON body of each send action and the
// reading of its answers (reference/whatsapp-providers.md §2.1–2.4). Pure; thread-safe.
//
// `delay` is never sent: Evolution sleeps `delay` ms inside the request (presence simulation),
// and our own pacing engine already spaces sends per session (reference §7.10).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "dispatcher/model/provider.hpp"
#include "dispatcher/model/send_outcome.hpp"

namespace disparo::whatsapp {

struct EvolutionCall {
  std::string action;  // sendText | sendMedia | sendWhatsAppAudio | sendContact | sendButtons
  std::string body;    // JSON
};

// Error code stored for Evolution's 400 {"exists":false}: the number is not on WhatsApp.
inline constexpr std::string_view kEvolutionNotOnWhatsApp = "not_on_whatsapp";

// The call for one message; a template (Cloud API only) gives a config_error outcome instead.
// `number` is the recipient's digits without "+": Evolution resolves the JID itself (§2.6).
std::variant<EvolutionCall, dispatch::SendOutcome> build_evolution_call(const dispatch::OutboundMessage& message);

// Reads an answer: 201 with key.id / key.remoteJid (kept as the wa_id), or the error envelope
// {"status","error","response":{"message":[...]}} classified onto our outcome classes.
dispatch::SendOutcome read_evolution_response(int http_status, std::string_view body);

}  // namespace disparo::whatsapp
