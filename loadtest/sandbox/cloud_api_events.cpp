#include "loadtest/sandbox/cloud_api_events.hpp"

#include "common/json_writer.hpp"

namespace disparo::sandbox {
namespace {

// {"object":"whatsapp_business_account","entry":[{"id","time","changes":[{"value":<value>,
// "field":<field>}]}]}
std::string envelope(std::string_view waba_id, std::int64_t time, std::string_view field,
                     std::string_view value_json) {
  disparo::JsonWriter w;
  w.begin_object();
  w.field("object", "whatsapp_business_account");
  w.key("entry").begin_array().begin_object();
  w.field("id", waba_id);
  w.field("time", time);
  w.key("changes").begin_array().begin_object();
  w.field_raw("value", value_json);
  w.field("field", field);
  w.end_object().end_array();
  w.end_object().end_array();
  w.end_object();
  return std::move(w).str();
}

std::int64_t tier_number(std::string_view tier) {
  if (tier == "TIER_50") return 50;
  if (tier == "TIER_250") return 250;
  if (tier == "TIER_1K") return 1'000;
  if (tier == "TIER_2K") return 2'000;
  if (tier == "TIER_10K") return 10'000;
  if (tier == "TIER_100K") return 100'000;
  return -1;  // TIER_UNLIMITED / TIER_NOT_SET
}

}  // namespace

std::string render_inbound_webhook(const BusinessAccount& account, const InboundText& m) {
  disparo::JsonWriter w;
  w.begin_object();
  w.field("object", "whatsapp_business_account");
  w.key("entry").begin_array().begin_object();
  w.field("id", account.waba_id);
  w.key("changes").begin_array().begin_object();
  w.key("value").begin_object();
  w.field("messaging_product", "whatsapp");
  w.key("metadata").begin_object();
  w.field("display_phone_number", account.display_phone_number);
  w.field("phone_number_id", account.phone_number_id);
  w.end_object();
  w.key("contacts").begin_array().begin_object();
  w.key("profile").begin_object().field("name", m.profile_name).end_object();
  w.field("wa_id", m.from_wa_id);
  w.end_object().end_array();
  w.key("messages").begin_array().begin_object();
  w.field("from", m.from_wa_id);
  w.field("id", m.wamid);
  w.field("timestamp", std::to_string(m.timestamp));
  w.field("type", "text");
  w.key("text").begin_object().field("body", m.text).end_object();
  w.end_object().end_array();
  w.end_object();  // value
  w.field("field", "messages");
  w.end_object().end_array();
  w.end_object().end_array();
  w.end_object();
  return std::move(w).str();
}

std::string render_template_status_webhook(std::string_view waba_id, std::int64_t time,
                                           const TemplateStatus& s) {
  disparo::JsonWriter w;
  w.begin_object();
  w.field("event", s.event);
  w.field("message_template_id", s.template_id);
  w.field("message_template_name", s.name);
  w.field("message_template_language", s.language);
  w.field("reason", s.reason);
  w.field("message_template_category", s.category);
  if (s.event == "PAUSED") {
    w.key("other_info").begin_object();
    w.field("title", "FIRST_PAUSE");
    w.field("description", "Your template has been paused for 3 hours because of low quality.");
    w.end_object();
  } else if (s.event == "DISABLED") {
    w.key("disable_info").begin_object().field("disable_date", time).end_object();
  } else if (s.event == "REJECTED") {
    w.key("rejection_info").begin_object();
    w.field("reason", s.reason);
    w.field("recommendation", "Review the template guidelines and submit again.");
    w.end_object();
  }
  w.end_object();
  return envelope(waba_id, time, "message_template_status_update", w.str());
}

std::string render_quality_webhook(std::string_view waba_id, std::int64_t time,
                                   const QualityChange& c) {
  disparo::JsonWriter w;
  w.begin_object();
  w.field("display_phone_number", c.display_phone_number);
  w.field("phone_number_id", c.phone_number_id);
  w.field("event", c.event);
  w.field("current_limit", c.tier);
  const std::int64_t limit = tier_number(c.tier);
  if (limit > 0) w.field("max_daily_conversations_per_business", limit);
  w.field("quality_rating", c.quality);
  w.end_object();
  return envelope(waba_id, time, "phone_number_quality_update", w.str());
}

}  // namespace disparo::sandbox
