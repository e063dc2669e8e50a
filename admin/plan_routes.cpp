#include "admin/plan_routes.hpp"

#include "admin/crud_routes.hpp"
#include "admin/plan_store.hpp"

namespace disparo::admin {
namespace {

constexpr std::int64_t kMaxCents = 1'000'000'000'00;
constexpr std::int64_t kMaxGraceDays = 365;

Validated<PlanInput> read_plan(const boost::json::object& body, bool create) {
  InputReader in(body);
  PlanInput out;
  out.name = in.text("name", 1, 200);
  out.cycle = in.one_of("cycle", {"monthly", "bimonthly", "quarterly", "semiannual", "annual"});
  out.price_cents = in.integer("price_cents", 0, kMaxCents);
  out.grace_days = in.integer("grace_days", 0, kMaxGraceDays);
  out.archived = in.boolean("archived");
  if (create) {
    in.required("name", out.name);
    in.required("cycle", out.cycle);
    in.required("price_cents", out.price_cents);
  }
  in.not_null("name", out.name);
  in.not_null("cycle", out.cycle);
  in.not_null("price_cents", out.price_cents);
  in.not_null("grace_days", out.grace_days);
  in.not_null("archived", out.archived);
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

Validated<ChannelInput> read_channel(const boost::json::object& body, bool create) {
  InputReader in(body);
  ChannelInput out;
  out.name = in.text("name", 1, 200);
  out.cost_cents = in.integer("cost_cents", 0, kMaxCents);
  if (create) in.required("name", out.name);
  in.not_null("name", out.name);
  in.not_null("cost_cents", out.cost_cents);
  in.reject_unknown();
  if (!in.ok()) return {std::nullopt, std::move(in.errors())};
  return {std::move(out), {}};
}

}  // namespace

void add_plan_routes(Router& router, ApiContext& ctx) {
  CrudSpec<PlanInput> spec;
  spec.collection = "/v1/plans";
  spec.what = "plan";
  spec.read_action = Action::plans_read;
  spec.write_action = Action::plans_write;
  spec.reader = read_plan;
  spec.read = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const PlanInput*) {
    return read_plans(c, t, id);
  };
  spec.create = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t>, const PlanInput* in) {
    return create_plan(c, t, *in);
  };
  spec.update = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const PlanInput* in) {
    return update_plan(c, t, *id, *in);
  };
  spec.remove = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const PlanInput*) {
    return delete_plan(c, t, *id);
  };
  add_crud_routes(router, ctx, std::move(spec));
}

void add_channel_routes(Router& router, ApiContext& ctx) {
  CrudSpec<ChannelInput> spec;
  spec.collection = "/v1/channels";
  spec.what = "acquisition channel";
  spec.read_action = Action::channels_read;
  spec.write_action = Action::channels_write;
  spec.reader = read_channel;
  spec.read = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const ChannelInput*) {
    return read_channels(c, t, id);
  };
  spec.create = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t>, const ChannelInput* in) {
    return create_channel(c, t, *in);
  };
  spec.update = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const ChannelInput* in) {
    return update_channel(c, t, *id, *in);
  };
  spec.remove = [](pg::Connection& c, std::int64_t t, std::optional<std::int64_t> id, const ChannelInput*) {
    return delete_channel(c, t, *id);
  };
  add_crud_routes(router, ctx, std::move(spec));
}

}  // namespace disparo::admin
