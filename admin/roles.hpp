// Roles of tenant API keys and what each may do: the permission matrix as data (one table in
// roles.cpp, documented in docs/admin-roles.md), and the one check every route makes.
//
// Pure; any thread. Roles: owner, manager, finance, sales, support; `sender` keys belong to the
// dispatcher's send API and may do nothing here.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "admin/problem.hpp"

namespace disparo::admin {

enum class Role { owner, manager, finance, sales, support, sender };
inline constexpr std::array<Role, 6> kAllRoles{Role::owner,   Role::manager, Role::finance,
                                               Role::sales,   Role::support, Role::sender};

// One thing a caller may want to do. Reads and writes are separate so a role can see a resource
// without changing it.
enum class Action {
  keys_manage,          // list, create, revoke API keys
  servers_read,
  servers_write,
  sessions_read,
  sessions_write,       // includes credentials (write-only) and the default session
  plans_read,
  plans_write,
  channels_read,
  channels_write,
  clients_read,         // without the password
  clients_write,        // create, update, block, archive, tags, alerts
  clients_read_password,
  payments_read,
  payments_write,
  dashboard_read,
  exports_run,
  settings_read,        // tenant settings (payment confirmation, Asaas token)
  settings_write,
  campaigns_read,       // campaigns, their preview, runs, reports, recipients and their exports
  campaigns_write,      // create, update, delete campaigns; preset campaigns (with their template)
  campaigns_run,        // "run now": request a manual run
  templates_read,       // message templates and their preview for a client
  templates_write,      // create, update, archive templates
  messages_send,        // send a template to a client now; scheduled messages (create, list, cancel)
};
inline constexpr std::size_t kActionCount = static_cast<std::size_t>(Action::messages_send) + 1;

std::string_view to_string(Role role);
std::string_view to_string(Action action);
std::optional<Role> parse_role(std::string_view text);
// Every action, in declaration order (for tables and tests).
std::array<Action, kActionCount> all_actions();

// The matrix itself.
bool allows(Role role, Action action);
// The same for the role text stored with a key; unknown text allows nothing.
bool allows(std::string_view role, Action action);

// nullopt when `role` may do `action`; otherwise the 403 problem to answer with. A caller that
// may not read a resource at all still learns nothing about which ids exist: the check runs
// before any lookup.
std::optional<Problem> require(std::string_view role, Action action);

}  // namespace disparo::admin
