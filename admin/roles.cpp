#include "admin/roles.hpp"

#include <cstdint>

namespace disparo::admin {
namespace {

using Mask = std::uint8_t;
constexpr Mask bit(Role r) { return static_cast<Mask>(1u << static_cast<unsigned>(r)); }

constexpr Mask kOwner = bit(Role::owner);
constexpr Mask kManager = bit(Role::manager);
constexpr Mask kFinance = bit(Role::finance);
constexpr Mask kSales = bit(Role::sales);
constexpr Mask kSupport = bit(Role::support);
constexpr Mask kStaff = kOwner | kManager | kFinance | kSales | kSupport;  // never `sender`

struct Row {
  Action action;
  std::string_view name;
  Mask roles;
};

// THE matrix (docs/admin-roles.md mirrors it; roles_test checks the doc against it).
// The reasoning per row: owners run the business and alone hand out keys; managers run the
// operation; finance sees money and prices but not client passwords; sales signs clients up
// (and sends them their access, so reads passwords) and records the first payment; support
// answers clients (resends access, blocks, notes, alerts) but changes no money or prices.
constexpr std::array<Row, kActionCount> kMatrix{{
    {Action::keys_manage, "keys.manage", kOwner},
    {Action::servers_read, "servers.read", kStaff},
    {Action::servers_write, "servers.write", kOwner | kManager},
    {Action::sessions_read, "sessions.read", kOwner | kManager | kSupport},
    {Action::sessions_write, "sessions.write", kOwner | kManager},
    {Action::plans_read, "plans.read", kStaff},
    {Action::plans_write, "plans.write", kOwner | kManager | kFinance},
    {Action::channels_read, "channels.read", kStaff},
    {Action::channels_write, "channels.write", kOwner | kManager | kFinance},
    {Action::clients_read, "clients.read", kStaff},
    {Action::clients_write, "clients.write", kOwner | kManager | kSales | kSupport},
    {Action::clients_read_password, "clients.read_password", kOwner | kManager | kSales | kSupport},
    {Action::payments_read, "payments.read", kStaff},
    {Action::payments_write, "payments.write", kOwner | kManager | kFinance | kSales},
    {Action::dashboard_read, "dashboard.read", kOwner | kManager | kFinance},
    {Action::exports_run, "exports.run", kOwner | kManager | kFinance},
    {Action::settings_read, "settings.read", kOwner | kManager | kFinance},
    {Action::settings_write, "settings.write", kOwner},
    {Action::campaigns_read, "campaigns.read", kStaff},
    {Action::campaigns_write, "campaigns.write", kOwner | kManager},
    {Action::campaigns_run, "campaigns.run", kOwner | kManager},
    {Action::templates_read, "templates.read", kStaff},
    {Action::templates_write, "templates.write", kOwner | kManager},
    {Action::messages_send, "messages.send", kOwner | kManager | kSales | kSupport},
}};

constexpr bool matrix_in_enum_order() {
  for (std::size_t i = 0; i < kMatrix.size(); ++i) {
    if (static_cast<std::size_t>(kMatrix[i].action) != i) return false;
  }
  return true;
}
static_assert(matrix_in_enum_order(), "kMatrix rows must follow the Action enum order");

constexpr std::array<std::string_view, 6> kRoleNames{"owner", "manager", "finance",
                                                     "sales", "support", "sender"};

}  // namespace

std::string_view to_string(Role role) { return kRoleNames[static_cast<std::size_t>(role)]; }

std::string_view to_string(Action action) { return kMatrix[static_cast<std::size_t>(action)].name; }

std::optional<Role> parse_role(std::string_view text) {
  for (auto role : kAllRoles) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

std::array<Action, kActionCount> all_actions() {
  std::array<Action, kActionCount> out{};
  for (std::size_t i = 0; i < kActionCount; ++i) out[i] = kMatrix[i].action;
  return out;
}

bool allows(Role role, Action action) {
  return (kMatrix[static_cast<std::size_t>(action)].roles & bit(role)) != 0;
}

bool allows(std::string_view role, Action action) {
  auto parsed = parse_role(role);
  return parsed && allows(*parsed, action);
}

std::optional<Problem> require(std::string_view role, Action action) {
  if (allows(role, action)) return std::nullopt;
  if (role == to_string(Role::sender)) {
    return forbidden("Keys with the role 'sender' may only send messages through the dispatcher.");
  }
  std::string detail = "The role '";
  detail += role;
  detail += "' may not do '";
  detail += to_string(action);
  detail += "'.";
  return forbidden(std::move(detail));
}

}  // namespace disparo::admin
