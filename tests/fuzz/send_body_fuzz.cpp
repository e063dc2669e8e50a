// Fuzzes parse_send_body, the reader of POST /v1/messages bodies from upstream CRMs. Byte 0
// steers the limits (batch size, metadata bytes), byte 1 the clock, byte 2 is unused; the rest
// is the body. Checks that parsing never crashes, is deterministic, refuses or accepts as a
// whole, and that whatever it accepts obeys the validation rules the store relies on.
#include <chrono>
#include <string>
#include <variant>

#include <simdjson.h>

#include "dispatcher/send_request.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/split_input.hpp"

namespace {

using namespace std::chrono_literals;
using disparo::dispatch::ContactContent;
using disparo::dispatch::MediaContent;
using disparo::dispatch::SendRequest;
using disparo::dispatch::TemplateContent;
using disparo::dispatch::TextContent;

bool is_e164(const std::string& text) {
  if (text.size() < 9 || text.size() > 16 || text[0] != '+' || text[1] < '1' || text[1] > '9') return false;
  return text.find_first_not_of("0123456789", 1) == std::string::npos;
}

bool valid_utf8(const std::string& text) { return simdjson::validate_utf8(text.data(), text.size()); }

void check_message(const SendRequest& m, disparo::SysTime now, const disparo::dispatch::SendLimits& limits) {
  DISPARO_FUZZ_CHECK(is_e164(m.to));
  DISPARO_FUZZ_CHECK(m.expires_at > m.send_at);
  DISPARO_FUZZ_CHECK(m.send_at <= now + limits.max_schedule_ahead);
  DISPARO_FUZZ_CHECK(!(m.session_id && m.server_id));
  DISPARO_FUZZ_CHECK(!m.session_id || *m.session_id > 0);
  DISPARO_FUZZ_CHECK(!m.server_id || *m.server_id > 0);
  DISPARO_FUZZ_CHECK(!m.client_id || *m.client_id > 0);
  DISPARO_FUZZ_CHECK(m.idempotency_key.size() <= limits.max_idempotency_key);
  DISPARO_FUZZ_CHECK(valid_utf8(m.idempotency_key));
  DISPARO_FUZZ_CHECK(m.callback_url.empty() || m.callback_url.starts_with("http://") ||
                     m.callback_url.starts_with("https://"));
  DISPARO_FUZZ_CHECK(m.metadata_json.size() <= limits.max_metadata_bytes);
  if (!m.metadata_json.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    DISPARO_FUZZ_CHECK(parser.parse(m.metadata_json).get(object) == simdjson::SUCCESS);
  }
  if (const auto* text = std::get_if<TextContent>(&m.content)) {
    DISPARO_FUZZ_CHECK(!text->body.empty() && text->body.size() <= disparo::dispatch::kMaxTextBody);
    DISPARO_FUZZ_CHECK(valid_utf8(text->body));
  } else if (const auto* tpl = std::get_if<TemplateContent>(&m.content)) {
    DISPARO_FUZZ_CHECK(!tpl->name.empty() && tpl->name.size() <= 512 && !tpl->language.empty());
    DISPARO_FUZZ_CHECK(tpl->body_params.size() <= disparo::dispatch::kMaxTemplateParams);
  } else if (const auto* contact = std::get_if<ContactContent>(&m.content)) {
    DISPARO_FUZZ_CHECK(!contact->name.empty() && contact->name.size() <= 200);
    DISPARO_FUZZ_CHECK(!contact->phones.empty() && contact->phones.size() <= disparo::dispatch::kMaxContactPhones);
    for (const auto& phone : contact->phones) DISPARO_FUZZ_CHECK(is_e164(phone));
  } else {
    const auto& media = std::get<MediaContent>(m.content);
    DISPARO_FUZZ_CHECK(media.type == "image" || media.type == "video" || media.type == "document" ||
                       media.type == "audio");
    DISPARO_FUZZ_CHECK(media.url.starts_with("http://") || media.url.starts_with("https://"));
    DISPARO_FUZZ_CHECK(media.caption.size() <= disparo::dispatch::kMaxCaption);
    DISPARO_FUZZ_CHECK(media.type != "audio" || media.caption.empty());
  }
}

}  // namespace

DISPARO_FUZZ_TARGET(send_body) {
  using disparo::dispatch::parse_send_body;
  const auto in = disparo::fuzz::split_input(data, size);
  disparo::dispatch::SendLimits limits;
  if (in.settings[0] & 0x80) limits.max_batch = 1 + (in.settings[0] & 0x0F);
  if (in.settings[0] & 0x40) limits.max_metadata_bytes = 16;
  // 2026-03-10T12:00:00Z, moved by up to a year.
  const disparo::SysTime now{std::chrono::seconds(1773144000) + std::chrono::days(in.settings[1] * 3 / 2)};

  const auto parsed = parse_send_body(in.whole, now, limits);
  const auto again = parse_send_body(in.whole, now, limits);
  DISPARO_FUZZ_CHECK(parsed.errors.empty() != parsed.messages.empty());  // all or nothing, never silent
  DISPARO_FUZZ_CHECK(parsed.errors.size() == again.errors.size());
  DISPARO_FUZZ_CHECK(parsed.messages.size() == again.messages.size());
  DISPARO_FUZZ_CHECK(parsed.is_batch == again.is_batch);
  DISPARO_FUZZ_CHECK(parsed.is_batch || parsed.messages.size() <= 1);
  DISPARO_FUZZ_CHECK(parsed.messages.size() <= limits.max_batch);
  for (std::size_t i = 0; i < parsed.errors.size(); ++i) {
    DISPARO_FUZZ_CHECK(parsed.errors[i].field == again.errors[i].field);
    DISPARO_FUZZ_CHECK(!parsed.errors[i].message.empty());
    DISPARO_FUZZ_CHECK(valid_utf8(parsed.errors[i].field));
    if (!parsed.is_batch) DISPARO_FUZZ_CHECK(!parsed.errors[i].field.starts_with("messages["));
  }
  for (const auto& m : parsed.messages) check_message(m, now, limits);
  return 0;
}
