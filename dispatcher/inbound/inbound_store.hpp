// InboundStore: the statements behind provider webhooks: the raw webhook inbox ("persist, then
// process"), message statuses applied as one set-based statement per batch, the customer-service
// window and opt-outs from inbound messages, template status, phone-number quality, and the
// Evolution connection state and QR code.
//
// Blocking (libpq); call through Database::run, inside one transaction per webhook.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/postgres/pg.hpp"
#include "common/expected.hpp"
#include "dispatcher/cloud_api_webhook.hpp"
#include "dispatcher/inbound/evolution_webhook.hpp"

namespace disparo::dispatch {

// ---- inbox ----
Expected<std::int64_t> store_webhook(pg::Connection& conn, std::string_view provider,
                                     std::optional<std::int64_t> session_id, std::string_view body);
struct InboxItem {
  std::int64_t id = 0;
  std::string provider;
  std::optional<std::int64_t> session_id;
  std::string body;
};
// Locks those of `ids` still unprocessed (SKIP LOCKED: another worker may hold one). Only locks:
// a webhook's row (its body is kilobytes) is rewritten once, when it is finished.
Expected<std::vector<InboxItem>> lock_inbox_items(pg::Connection& conn, const std::vector<std::int64_t>& ids);
// Ids of unprocessed items received before `older_than_seconds` ago (crash recovery).
Expected<std::vector<std::int64_t>> pending_inbox(pg::Connection& conn, int older_than_seconds, int limit);
// Marks items processed, each with its error ("" for none), and counts the attempt that did it
// (one that failed rolled back with its transaction).
Expected<void> finish_inbox_items(pg::Connection& conn, const std::vector<std::int64_t>& ids,
                                  const std::vector<std::string>& errors);

// ---- statuses ----
struct StatusInput {
  std::string provider_message_id;  // wamid or Evolution key.id
  std::string callback_data;        // biz_opaque_callback_data (our id) or ""
  std::string phone_number_id;      // Cloud API sender, "" for Evolution
  std::optional<std::int64_t> session_id;  // Evolution: the session the webhook came for
  std::string recipient;            // wa_id / JID as reported (kept as the message's wa_id)
  std::string recipient_e164;       // canonical E.164 of it with the ninth digit, or ""
  std::string status;               // sent | delivered | read | failed
  std::int64_t timestamp = 0;
  std::string error_code;
  std::string error_detail;
};
struct StatusApplied {
  bool matched = false;
  bool advanced = false;
  // This report moved its message to delivered: seconds since the provider accepted it (its
  // first "sent" event) until the delivered time (the report's timestamp, else now). nullopt
  // otherwise, or when no earlier "sent" event exists. For disparo_sent_to_delivered_seconds.
  std::optional<double> sent_to_delivered_seconds;
};
// Applies a whole batch in one statement, with apply_status_report's rules (monotonic,
// idempotent, failed only after the provider had the message): per message the furthest status
// of the batch wins and an event is stored for each status passed on the way. A message is
// found by provider id, else by our id in callback_data (Cloud API, that phone_number_id), else
// (Evolution) by the session's message in "sending" to that recipient without a provider id,
// whatever spelling of the ninth digit the provider used.
Expected<std::vector<StatusApplied>> apply_status_batch(pg::Connection& conn, const std::vector<StatusInput>& reports);

StatusInput status_input_of(const ProviderStatusReport& report);
StatusInput status_input_of(const EvolutionStatus& status, std::int64_t session_id);

// ---- inbound messages ----
struct InboundApplied {
  int windows = 0;    // (session, person) windows refreshed
  int opt_outs = 0;
  int opt_ins = 0;
  int unmatched = 0;  // for no known session
};
// Cloud API messages name their number (phone_number_id); Evolution ones come for `session_id`.
Expected<InboundApplied> apply_inbound(pg::Connection& conn, const std::vector<InboundMessage>& messages,
                                       std::optional<std::int64_t> session_id);

// ---- Cloud API account notifications ----
Expected<int> apply_template_updates(pg::Connection& conn, const std::vector<TemplateStatusUpdate>& updates);
Expected<int> apply_quality_updates(pg::Connection& conn, const std::vector<QualityUpdate>& updates);

// ---- Evolution session ----
struct EvolutionSessionAuth {
  std::int64_t tenant_id = 0;
  std::string webhook_secret;  // "" when none is set: webhooks are refused
};
Expected<std::optional<EvolutionSessionAuth>> evolution_session_auth(pg::Connection& conn, std::int64_t session_id);

enum class SessionChange { none, paused, resumed };
// close/refused pause an active session (reason "evolution: connection close (401)"); open
// resumes it only when such a provider event paused it (an operator's pause stays).
Expected<SessionChange> apply_connection(pg::Connection& conn, std::int64_t session_id, const EvolutionConnection& connection);
Expected<void> store_qrcode(pg::Connection& conn, std::int64_t session_id, const EvolutionQrCode& qr);
// {"session","connection_state","qrcode","pairing_code","base64","updated_at"}; not_found for
// another tenant's session, or when no QR code was received yet.
Expected<std::string> qrcode_json(pg::Connection& conn, std::int64_t tenant_id, std::int64_t session_id);


}  // namespace disparo::dispatch
