// disparo-admin: the admin REST service and its command-line tools. Wiring only; the commands
// live in admin/commands.cpp.
#include <iostream>
#include <string>
#include <vector>

#include "admin/commands.hpp"
#include "config/config.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return disparo::admin::run_admin(args, disparo::config::process_environment(), std::cout,
                                   std::cerr);
}
