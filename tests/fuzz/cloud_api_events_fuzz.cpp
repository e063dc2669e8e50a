// Fuzzes the parts of parse_cloud_api_webhook added for issue 4: inbound messages, template
// status updates and phone-number quality updates (cloud_api_webhook_fuzz covers statuses).
// Bytes 0-2 steer the harness (unused). Checks: deterministic, an error returns nothing, every
// string is valid UTF-8 and bounded, each item carries what the store needs, and nothing is
// invented (items <= bytes).
#include <string>

#include <simdjson.h>

#include "dispatcher/cloud_api_webhook.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/split_input.hpp"

namespace {

bool valid_utf8(const std::string& text) { return simdjson::validate_utf8(text.data(), text.size()); }

}  // namespace

DISPARO_FUZZ_TARGET(cloud_api_events) {
  using disparo::dispatch::parse_cloud_api_webhook;
  const auto in = disparo::fuzz::split_input(data, size);
  const auto parsed = parse_cloud_api_webhook(in.whole);
  const auto again = parse_cloud_api_webhook(in.whole);
  DISPARO_FUZZ_CHECK(bool(parsed) == bool(again));
  if (!parsed) {
    DISPARO_FUZZ_CHECK(parsed.error().kind == disparo::ErrorKind::invalid_argument);
    return 0;
  }
  DISPARO_FUZZ_CHECK(parsed->inbound.size() == again->inbound.size());
  DISPARO_FUZZ_CHECK(parsed->templates.size() == again->templates.size());
  DISPARO_FUZZ_CHECK(parsed->quality.size() == again->quality.size());
  DISPARO_FUZZ_CHECK(parsed->statuses.size() + parsed->inbound.size() + parsed->templates.size() +
                         parsed->quality.size() + parsed->other_changes <= in.whole.size());
  for (const auto& m : parsed->inbound) {
    DISPARO_FUZZ_CHECK(!m.from.empty() && m.from.size() <= 100 && m.text.size() <= 1024);
    DISPARO_FUZZ_CHECK(valid_utf8(m.from) && valid_utf8(m.text) && valid_utf8(m.type) && valid_utf8(m.phone_number_id));
    DISPARO_FUZZ_CHECK(m.timestamp >= 0 && m.timestamp <= disparo::fuzz::kLatestUnixSeconds);
  }
  for (const auto& t : parsed->templates) {
    DISPARO_FUZZ_CHECK(!t.event.empty() && !t.name.empty() && !t.language.empty());
    DISPARO_FUZZ_CHECK(t.name.size() <= 512 && t.language.size() <= 20 && t.event.size() <= 40);
    DISPARO_FUZZ_CHECK(valid_utf8(t.name) && valid_utf8(t.language) && valid_utf8(t.event) && valid_utf8(t.waba_id));
  }
  for (const auto& q : parsed->quality) {
    DISPARO_FUZZ_CHECK(!q.event.empty() || !q.quality.empty() || !q.tier.empty());
    DISPARO_FUZZ_CHECK(valid_utf8(q.quality) && valid_utf8(q.tier) && valid_utf8(q.event) && valid_utf8(q.phone_number_id));
    DISPARO_FUZZ_CHECK(q.quality.size() <= 20 && q.tier.size() <= 200);
  }
  return 0;
}
