// Validation of admin API inputs into plain values, with one FieldError per problem.
//
// Pure except that time zones are checked against the OS tz database (date::locate_zone), which
// is loaded once on first use; call warm_time_zones() at start-up so no request pays for it.
// Thread-safe after that.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "admin/problem.hpp"
#include "admin/tenants.hpp"

namespace disparo::admin {

inline constexpr std::string_view kDefaultTimeZone = "America/Sao_Paulo";

// Each returns the message for the caller, or nullopt when the value is fine.
std::optional<std::string> check_slug(std::string_view slug);       // ^[a-z0-9][a-z0-9-]{1,62}$
std::optional<std::string> check_tenant_name(std::string_view name);  // 1..200 characters, no controls
std::optional<std::string> check_time_zone(std::string_view zone);    // an IANA zone known to the OS

// Loads the tz database now (blocking file reads); throws std::runtime_error when the OS has none.
void warm_time_zones();

template <class T>
struct Validated {
  std::optional<T> value;          // set when `errors` is empty
  std::vector<FieldError> errors;
};

// The body of POST /v1/tenants once parsed: {"slug","name","time_zone"?}. Unknown members are
// errors; time_zone defaults to America/Sao_Paulo.
Validated<NewTenant> read_new_tenant(const boost::json::object& body);
// The same checks for values from the command line.
std::vector<FieldError> check_new_tenant(const NewTenant& tenant);

}  // namespace disparo::admin
