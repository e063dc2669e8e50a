#include "admin/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace disparo::admin {
namespace {

// "/a/b" -> {"a", "b"}; "/" -> {}; "/a/" -> {"a", ""}. Empty segments are kept so that a
// trailing or doubled slash never matches a template (no silent normalisation).
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool valid_param_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::string_view PathParams::get(std::string_view name) const {
  for (const auto& [key, value] : values) {
    if (key == name) return value;
  }
  return {};
}

std::string_view path_of(std::string_view target) {
  auto end = target.find_first_of("?#");
  return target.substr(0, end);
}

void Router::add(http::verb method, std::string path_template, Handler handler) {
  if (path_template.empty() || path_template.front() != '/') {
    throw std::invalid_argument("route template must start with '/': " + path_template);
  }
  Entry entry{method, path_template, {}, std::move(handler)};
  for (auto part : split_path(path_template)) {
    if (part.empty()) throw std::invalid_argument("empty segment in route " + path_template);
    if (part.front() == '{') {
      if (part.back() != '}' || !valid_param_name(part.substr(1, part.size() - 2))) {
        throw std::invalid_argument("bad parameter in route " + path_template);
      }
      entry.segments.push_back({std::string(part.substr(1, part.size() - 2)), true});
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("bad literal in route " + path_template);
      }
      entry.segments.push_back({std::string(part), false});
    }
  }
  for (const auto& other : entries_) {
    if (other.method == method && other.path_template == path_template) {
      throw std::invalid_argument("route registered twice: " + path_template);
    }
  }
  entries_.push_back(std::move(entry));
}

Router::Match Router::match(http::verb method, std::string_view target) const {
  const auto parts = split_path(path_of(target));
  Match result;

  // The most specific template that matches the path owns it; the method is checked only
  // against that template, so "DELETE /v1/tenants/me" is a 405 rather than a hit on
  // "/v1/tenants/{id}".
  const Entry* best = nullptr;
  auto more_specific = [](const Entry& a, const Entry& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
    }
    return false;
  };
  for (const auto& entry : entries_) {
    if (entry.segments.size() != parts.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < parts.size() && matches; ++i) {
      const auto& seg = entry.segments[i];
      matches = seg.is_param ? !parts[i].empty() : seg.text == parts[i];
    }
    if (!matches) continue;
    if (best == nullptr || more_specific(entry, *best)) best = &entry;
  }
  if (best == nullptr) return result;

  result.route = best->path_template;
  for (const auto& entry : entries_) {
    if (entry.path_template != best->path_template) continue;
    if (entry.method == method) {
      result.outcome = Outcome::found;
      result.handler = &entry.handler;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (entry.segments[i].is_param) {
          result.params.values.emplace_back(entry.segments[i].text, std::string(parts[i]));
        }
      }
      result.allow.clear();
      return result;
    }
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += std::string(http::to_string(entry.method));
  }
  result.outcome = Outcome::method_not_allowed;
  return result;
}

std::vector<RouteKey> Router::routes() const {
  std::vector<RouteKey> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) out.push_back({entry.path_template, entry.method});
  return out;
}

}  // namespace disparo::admin
