#include "admin/session_routes.hpp"

#include "admin/crud_routes.hpp"
#include "admin/session_store.hpp"

namespace disparo::admin {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

Validated<SessionInput> read_session(const boost::json::object& body, bool create) {
  InputReader in(body);
  SessionInput out;
  out.name = in.text("name", 1, 100);
  out.provider = in.one_of("provider", {"cloud_api", "evolution", "sandbox"});
  out.base_url = in.text("base_url", 1, 500);
  out.phone_number_id = in.text("phone_number_id", 1, 64);
  out.instance_name = in.text("instance_name", 1, 100);
  out.waba_id = in.text("waba_id", 1, 64);
  out.access_token = in.text("access_token", 0, 4096);
  out.webhook_secret = in.text("webhook_secret", 16, 255);
  out.min_interval_ms = in.integer("min_interval_ms", 0, kDayMs);
  out.jitter_ms = in.integer("jitter_ms", 0, kDayMs);
  out.burst = in.integer("burst", 1, 1000);
  out.daily_cap = in.integer("daily_cap", 0, 1'000'000);
  out.window_start = in.time_of_day("window_start");
  out.window_end = in.time_of_day("window_end");
  out.warmup_start_cap = in.integer("warmup_start_cap", 0, 1'000'000);
  out.warmup_days = in.integer("warmup_days", 0, 365);
  out.warmup_started_on = in.date("warmup_started_on");
  out.is_default = in.boolean("is_default");
  if (create) {
    in.required("name", out.name);
    in.required("provider", out.provider);
    in.required("base_url", out.base_url);
    if (out.provider.value == std::string("cloud_api")) in.required("phone_number_id", out.phone_number_id);
    if (out.provider.value == std::string("evolution")) in.required("instance_name", out.instance_name);
  }
  for (const auto* key : {"name", "provider", "base_url"}) {
    auto found = body.find(key);
    if (found != body.end() && found->value().is_null()) in.add_error(key, "must not be null");
  }
  in.not_null("min_interval_ms", out.min_interval_ms);
  in.not_null("jitter_ms", out.jitter_ms);
  in.not_null("burst", out.burst);
  in.not_null("daily_cap", out.daily_cap);
  in.not_null("is_default", out.is_default);
  if (out.base_url.value && out.base_url.value->rfind("http://", 0) != 0 &&
      out.base_url.value->rfind("https://", 0) != 0) {
    in.add_error("base_url", "must start with http:// or https://");
  }
  // A window needs both ends (or neither, to clear it).
  if (out.window_start.present != out.window_end.present ||
      out.window_start.is_null() != out.window_end.is_null()) {
    in.add_error("window_end", "window_start and window_end are set (or cleared) together");
  }
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

}  // namespace

void add_session_routes(Router& router, ApiContext& ctx) {
  CrudSpec<SessionInput> spec;
  spec.collection = "/v1/sessions";
  spec.what = "session";
  spec.read_action = Action::sessions_read;
  spec.write_action = Action::sessions_write;
  spec.reader = read_session;
  spec.read = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const SessionInput*) {
    return read_sessions(c, t, id);
  };
  spec.create = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t>, const SessionInput* in) {
    return create_session(c, t, *in);
  };
  spec.update = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const SessionInput* in) {
    return update_session(c, t, *id, *in);
  };
  spec.remove = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const SessionInput*) {
    return delete_session(c, t, *id);
  };
  add_crud_routes(router, ctx, std::move(spec));
}

}  // namespace disparo::admin
