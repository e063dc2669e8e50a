// Test helper: parse JSON text with simdjson's DOM and read paths out of it, failing loudly.
// One JsonProbe per parsed document; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace disparo::sandbox::test {

class JsonProbe {
 public:
  explicit JsonProbe(std::string_view text) : text_(text) {
    ok_ = parser_.parse(text_).get(root_) == simdjson::SUCCESS;
  }
  bool ok() const { return ok_; }
  simdjson::dom::element root() const { return root_; }

  // JSON Pointer (RFC 6901), e.g. "/error/code".
  std::optional<std::string> str(std::string_view pointer) const {
    std::string_view out;
    if (!ok_ || root_.at_pointer(pointer).get_string().get(out) != simdjson::SUCCESS)
      return std::nullopt;
    return std::string(out);
  }
  std::optional<std::int64_t> num(std::string_view pointer) const {
    std::int64_t out = 0;
    if (!ok_ || root_.at_pointer(pointer).get_int64().get(out) != simdjson::SUCCESS)
      return std::nullopt;
    return out;
  }
  std::optional<bool> boolean(std::string_view pointer) const {
    bool out = false;
    if (!ok_ || root_.at_pointer(pointer).get_bool().get(out) != simdjson::SUCCESS)
      return std::nullopt;
    return out;
  }
  bool has(std::string_view pointer) const {
    simdjson::dom::element e;
    return ok_ && root_.at_pointer(pointer).get(e) == simdjson::SUCCESS;
  }
  bool is_null(std::string_view pointer) const {
    simdjson::dom::element e;
    return ok_ && root_.at_pointer(pointer).get(e) == simdjson::SUCCESS && e.is_null();
  }
  std::size_t size(std::string_view pointer) const {
    simdjson::dom::array a;
    if (!ok_ || root_.at_pointer(pointer).get_array().get(a) != simdjson::SUCCESS) return 0;
    return a.size();
  }
  std::size_t keys(std::string_view pointer) const {
    simdjson::dom::object o;
    if (!ok_ || root_.at_pointer(pointer).get_object().get(o) != simdjson::SUCCESS) return 0;
    return o.size();
  }

 private:
  simdjson::padded_string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool ok_ = false;
};

}  // namespace disparo::sandbox::test
