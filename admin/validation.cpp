#include "admin/validation.hpp"

#include <exception>

#include <date/tz.h>

#include "admin/json.hpp"

namespace disparo::admin {
namespace {

bool slug_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::optional<std::string> check_slug(std::string_view slug) {
  // Same rule as the CHECK constraint on tenants.slug, so the database never has to reject it.
  if (slug.size() < 2 || slug.size() > 63) return "must have 2 to 63 characters";
  if (!slug_char(slug.front())) return "must start with a lowercase letter or a digit";
  for (char c : slug) {
    if (!slug_char(c) && c != '-') return "may contain only lowercase letters, digits and '-'";
  }
  return std::nullopt;
}

std::optional<std::string> check_tenant_name(std::string_view name) {
  // Characters as PostgreSQL's length() counts them: UTF-8 code points (the JSON parser has
  // already rejected invalid UTF-8).
  std::size_t characters = 0;
  bool blank = true;
  for (unsigned char c : name) {
    if ((c & 0xC0) != 0x80) ++characters;
    if (c < 0x20 || c == 0x7F) return "must not contain control characters";
    if (c != ' ') blank = false;
  }
  if (characters == 0 || blank) return "must not be empty";
  if (characters > 200) return "must have at most 200 characters";
  return std::nullopt;
}

std::optional<std::string> check_time_zone(std::string_view zone) {
  if (zone.empty() || zone.size() > 64) return "must be an IANA time zone such as America/Sao_Paulo";
  try {
    (void)date::locate_zone(zone);
    return std::nullopt;
  } catch (const std::exception&) {
    return "is not a known IANA time zone (for example America/Sao_Paulo, America/Manaus)";
  }
}

void warm_time_zones() { (void)date::get_tzdb(); }

std::vector<FieldError> check_new_tenant(const NewTenant& tenant) {
  std::vector<FieldError> errors;
  if (auto bad = check_slug(tenant.slug)) errors.push_back({"slug", *bad});
  if (auto bad = check_tenant_name(tenant.name)) errors.push_back({"name", *bad});
  if (auto bad = check_time_zone(tenant.time_zone)) errors.push_back({"time_zone", *bad});
  return errors;
}

Validated<NewTenant> read_new_tenant(const boost::json::object& body) {
  Validated<NewTenant> out;
  FieldReader reader(body);
  auto slug = reader.required_string("slug");
  auto name = reader.required_string("name");
  auto zone = reader.optional_string("time_zone");
  reader.reject_unknown();
  std::vector<FieldError> errors = reader.errors();

  NewTenant tenant{slug.value_or(""), name.value_or(""),
                   zone.value_or(std::string(kDefaultTimeZone))};
  // Check the values that were present and well-typed; the reader already named the others.
  if (slug) {
    if (auto bad = check_slug(*slug)) errors.push_back({"slug", *bad});
  }
  if (name) {
    if (auto bad = check_tenant_name(*name)) errors.push_back({"name", *bad});
  }
  if (zone) {
    if (auto bad = check_time_zone(*zone)) errors.push_back({"time_zone", *bad});
  }
  if (errors.empty()) {
    out.value = std::move(tenant);
  } else {
    out.errors = std::move(errors);
  }
  return out;
}

}  // namespace disparo::admin
