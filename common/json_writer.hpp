// JsonWriter: builds compact JSON text with correct escaping, appending to one string.
//
// Used for API responses, provider request bodies and webhooks, so no code concatenates an
// unescaped user string into JSON. The caller is responsible for balanced begin/end calls;
// commas are inserted automatically. Thread-compatible (one writer per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace disparo {

class JsonWriter {
 public:
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // Object member name; the next call writes its value.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(double number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // Inserts already-valid JSON text (e.g. a jsonb column) as a value.
  JsonWriter& raw(std::string_view json);

  // Shorthands for key + value.
  template <class T>
  JsonWriter& field(std::string_view name, const T& v) { return key(name).value(v); }
  JsonWriter& field_raw(std::string_view name, std::string_view json) { return key(name).raw(json); }
  JsonWriter& field_null(std::string_view name) { return key(name).null(); }

  const std::string& str() const& { return out_; }
  std::string str() && { return std::move(out_); }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void before_value();

  std::string out_;
  std::vector<bool> has_items_;  // per open container: whether a comma is needed
  bool after_key_ = false;
};

// Appends `text` as a JSON string literal body (without quotes); invalid UTF-8 becomes U+FFFD.
void append_json_string_body(std::string& out, std::string_view text);

}  // namespace disparo
