// Fuzzes parse_evolution_webhook, the reader of what an Evolution API server (or anyone who
// knows a session's secret) POSTs to /webhooks/evolution/{session}. Bytes 0-2 steer the harness
// (unused: the body is parsed whole). Checks: never crashes or throws, deterministic, an error
// returns nothing, every string is valid UTF-8 and bounded, statuses carry a key id and one of
// our statuses, and a status written back in Evolution's shape reads the same.
#include <string>

#include <simdjson.h>

#include "common/json_writer.hpp"
#include "dispatcher/inbound/evolution_webhook.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/split_input.hpp"

namespace {

bool valid_utf8(const std::string& text) { return simdjson::validate_utf8(text.data(), text.size()); }

}  // namespace

DISPARO_FUZZ_TARGET(evolution_webhook) {
  using disparo::dispatch::parse_evolution_webhook;
  const auto in = disparo::fuzz::split_input(data, size);
  const auto parsed = parse_evolution_webhook(in.whole);
  const auto again = parse_evolution_webhook(in.whole);
  DISPARO_FUZZ_CHECK(bool(parsed) == bool(again));
  if (!parsed) {
    DISPARO_FUZZ_CHECK(parsed.error().kind == disparo::ErrorKind::invalid_argument);
    return 0;
  }
  DISPARO_FUZZ_CHECK(!parsed->event.empty() && parsed->event.size() <= 60);
  DISPARO_FUZZ_CHECK(parsed->statuses.size() == again->statuses.size());
  DISPARO_FUZZ_CHECK(parsed->inbound.size() == again->inbound.size());
  DISPARO_FUZZ_CHECK(parsed->statuses.size() + parsed->inbound.size() <= in.whole.size());
  for (const auto& s : parsed->statuses) {
    DISPARO_FUZZ_CHECK(!s.key_id.empty() && s.key_id.size() <= 200);
    DISPARO_FUZZ_CHECK(s.status == "sent" || s.status == "delivered" || s.status == "read" || s.status == "failed");
    DISPARO_FUZZ_CHECK(valid_utf8(s.key_id) && valid_utf8(s.remote_jid) && valid_utf8(s.raw_status));
    // Written back as Evolution writes it, it reads the same.
    disparo::JsonWriter json;
    json.begin_object().field("event", "messages.update").key("data").begin_object();
    json.field("keyId", s.key_id).field("remoteJid", s.remote_jid).field("fromMe", true);
    json.field("status", s.raw_status).end_object().end_object();
    const auto reread = parse_evolution_webhook(std::move(json).str());
    DISPARO_FUZZ_CHECK(reread && reread->statuses.size() == 1);
    DISPARO_FUZZ_CHECK(reread->statuses[0].key_id == s.key_id && reread->statuses[0].status == s.status);
  }
  for (const auto& m : parsed->inbound) {
    DISPARO_FUZZ_CHECK(!m.from.empty() && m.from.size() <= 100 && m.text.size() <= 1024);
    DISPARO_FUZZ_CHECK(valid_utf8(m.from) && valid_utf8(m.text) && valid_utf8(m.provider_message_id));
    DISPARO_FUZZ_CHECK(m.timestamp >= 0 && m.timestamp <= disparo::fuzz::kLatestUnixSeconds);
  }
  if (parsed->connection) DISPARO_FUZZ_CHECK(!parsed->connection->state.empty() && valid_utf8(parsed->connection->state));
  if (parsed->qrcode) {
    DISPARO_FUZZ_CHECK(parsed->qrcode->code.size() <= 4096 && parsed->qrcode->pairing_code.size() <= 64);
    DISPARO_FUZZ_CHECK(valid_utf8(parsed->qrcode->code) && valid_utf8(parsed->qrcode->pairing_code));
  }
  return 0;
}
