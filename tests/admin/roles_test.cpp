// The role x action matrix (admin/roles.cpp): the rules the issue states, the 403 problem, and
// docs/admin-roles.md kept identical to the data.
#include "admin/roles.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace disparo::admin {
namespace {

TEST(Roles, OwnerMayDoEverythingAndSenderNothing) {
  for (auto action : all_actions()) {
    EXPECT_TRUE(allows(Role::owner, action)) << to_string(action);
    EXPECT_FALSE(allows(Role::sender, action)) << to_string(action);
  }
}

TEST(Roles, OnlyOwnersManageKeys) {
  for (auto role : kAllRoles) EXPECT_EQ(allows(role, Action::keys_manage), role == Role::owner) << to_string(role);
}

TEST(Roles, PasswordsAreReadOnlyByRolesThatSendAccess) {
  EXPECT_TRUE(allows(Role::manager, Action::clients_read_password));
  EXPECT_TRUE(allows(Role::sales, Action::clients_read_password));
  EXPECT_TRUE(allows(Role::support, Action::clients_read_password));
  EXPECT_FALSE(allows(Role::finance, Action::clients_read_password));
}

TEST(Roles, EveryStaffRoleReadsClientsAndOnlyMoneyRolesSeeTheDashboard) {
  for (auto role : {Role::owner, Role::manager, Role::finance, Role::sales, Role::support}) {
    EXPECT_TRUE(allows(role, Action::clients_read)) << to_string(role);
  }
  EXPECT_FALSE(allows(Role::support, Action::dashboard_read));
  EXPECT_FALSE(allows(Role::sales, Action::dashboard_read));
  EXPECT_FALSE(allows(Role::support, Action::plans_write));
  EXPECT_FALSE(allows(Role::finance, Action::clients_write));
}

TEST(Roles, UnknownRoleTextAllowsNothing) {
  EXPECT_FALSE(allows("root", Action::clients_read));
  EXPECT_FALSE(allows("", Action::servers_read));
  EXPECT_FALSE(allows("Owner", Action::servers_read));
}

TEST(Roles, RequireAnswers403ProblemNamingRoleAndAction) {
  EXPECT_FALSE(require("owner", Action::keys_manage).has_value());
  auto denied = require("support", Action::plans_write);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->status, http::status::forbidden);
  EXPECT_NE(denied->detail.find("support"), std::string::npos);
  EXPECT_NE(denied->detail.find("plans.write"), std::string::npos);
  auto sender = require("sender", Action::clients_read);
  ASSERT_TRUE(sender.has_value());
  EXPECT_NE(sender->detail.find("dispatcher"), std::string::npos);
}

TEST(Roles, RoleNamesRoundTrip) {
  for (auto role : kAllRoles) EXPECT_EQ(parse_role(to_string(role)), role);
  EXPECT_FALSE(parse_role("admin").has_value());
}

// docs/admin-roles.md has one table row per action: "| `clients.read` | yes | yes | ... |" with
// the columns owner, manager, finance, sales, support, sender. It must say what the code does.
TEST(Roles, DocumentedMatrixMatchesTheCode) {
  std::ifstream file(std::string(DISPARO_SOURCE_DIR) + "/docs/admin-roles.md");
  ASSERT_TRUE(file.good()) << "docs/admin-roles.md is missing";
  std::map<std::string, std::vector<bool>> documented;
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) {
      auto first = cell.find_first_not_of(' ');
      auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (cells.size() < 7) continue;
    std::vector<bool> allowed;
    for (std::size_t i = 1; i <= 6; ++i) allowed.push_back(cells[i] == "yes");
    documented[cells[0].substr(1, cells[0].size() - 2)] = allowed;
  }
  for (auto action : all_actions()) {
    auto found = documented.find(std::string(to_string(action)));
    ASSERT_NE(found, documented.end()) << to_string(action) << " is not in docs/admin-roles.md";
    for (std::size_t i = 0; i < kAllRoles.size(); ++i) {
      EXPECT_EQ(found->second[i], allows(kAllRoles[i], action))
          << to_string(action) << " for " << to_string(kAllRoles[i]);
    }
  }
  EXPECT_EQ(documented.size(), all_actions().size()) << "the doc lists actions the code does not have";
}

}  // namespace
}  // namespace disparo::admin
