#include "admin/redact.hpp"

#include <algorithm>

namespace disparo::admin {
namespace {

bool starts_with_uri_scheme(std::string_view s) {
  return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

std::string redact_uri(std::string_view uri) {
  const auto scheme_end = uri.find("://") + 3;
  std::string out(uri.substr(0, scheme_end));
  std::string_view rest = uri.substr(scheme_end);

  // userinfo ends at the last '@' before the path/query: "user:pass@host".
  const auto authority_end = rest.find_first_of("/?");
  const auto authority = rest.substr(0, authority_end);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    out += userinfo.substr(0, userinfo.find(':'));
    out += authority.substr(at);
  } else {
    out += authority;
  }
  if (authority_end == std::string_view::npos) return out;
  rest = rest.substr(authority_end);

  // Drop password=... from the query string.
  const auto query_start = rest.find('?');
  out += rest.substr(0, query_start);
  if (query_start == std::string_view::npos) return out;
  std::string_view query = rest.substr(query_start + 1);
  std::string kept;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    if (!param.starts_with("password=")) {
      if (!kept.empty()) kept += '&';
      kept += param;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!kept.empty()) out += "?" + kept;
  return out;
}

std::string redact_keywords(std::string_view conninfo) {
  std::string out;
  std::size_t i = 0;
  while (i < conninfo.size()) {
    const auto key_at = conninfo.find("password", i);
    if (key_at == std::string_view::npos) break;
    // Only the keyword itself (at the start or after a space), followed by optional spaces and '='.
    std::size_t j = key_at + 8;
    while (j < conninfo.size() && conninfo[j] == ' ') ++j;
    const bool keyword = (key_at == 0 || conninfo[key_at - 1] == ' ') && j < conninfo.size() &&
                         conninfo[j] == '=';
    if (!keyword) {
      out += conninfo.substr(i, j - i);
      i = j;
      continue;
    }
    ++j;
    while (j < conninfo.size() && conninfo[j] == ' ') ++j;
    out += conninfo.substr(i, key_at - i);
    out += "password=***";
    // Skip the value: quoted ('...' with \' escapes) or up to the next space.
    if (j < conninfo.size() && conninfo[j] == '\'') {
      ++j;
      while (j < conninfo.size() && conninfo[j] != '\'') j += conninfo[j] == '\\' ? 2 : 1;
      ++j;
    } else {
      while (j < conninfo.size() && conninfo[j] != ' ') ++j;
    }
    i = std::min(j, conninfo.size());
  }
  out += conninfo.substr(i);
  return out;
}

}  // namespace

std::string redact_conninfo(std::string_view conninfo) {
  return starts_with_uri_scheme(conninfo) ? redact_uri(conninfo) : redact_keywords(conninfo);
}

}  // namespace disparo::admin
