// Parsing and rendering of the behaviour document. Every field is checked for its type and
// range; errors name the field with a dotted path so the problem answer points at it.
#include "loadtest/sandbox/behaviour.hpp"

#include <algorithm>
#include <cmath>

#include <simdjson.h>

#include "common/json_writer.hpp"
#include "loadtest/sandbox/meta_error_codes.hpp"

namespace disparo::sandbox {
namespace {

namespace dom = simdjson::dom;
using Errors = std::vector<FieldError>;

constexpr std::string_view kStatusNames[] = {"sent", "delivered", "read"};

void fail(Errors& errors, std::string field, std::string message) {
  errors.push_back(FieldError{std::move(field), std::move(message)});
}

std::string join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

// Rejects members the contract does not define, so a typo never silently means "default".
void reject_unknown(dom::object obj, std::initializer_list<std::string_view> known,
                    std::string_view prefix, Errors& errors) {
  for (auto field : obj) {
    if (std::find(known.begin(), known.end(), field.key) == known.end()) {
      fail(errors, join(prefix, field.key), "unknown field");
    }
  }
}

bool read_ratio(dom::element e, const std::string& field, double& out, Errors& errors) {
  double v = 0;
  if (e.get_double().get(v) != simdjson::SUCCESS || !std::isfinite(v) || v < 0.0 || v > 1.0) {
    fail(errors, field, "must be a number from 0 to 1");
    return false;
  }
  out = v;
  return true;
}

bool read_int(dom::element e, const std::string& field, std::int64_t min, std::int64_t max,
              std::int64_t& out, Errors& errors) {
  std::int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS || v < min || v > max) {
    fail(errors, field, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  out = v;
  return true;
}

bool read_bool(dom::element e, const std::string& field, bool& out, Errors& errors) {
  if (e.get_bool().get(out) != simdjson::SUCCESS) {
    fail(errors, field, "must be true or false");
    return false;
  }
  return true;
}

void read_range(dom::element e, const std::string& field, MillisRange& out, Errors& errors) {
  dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    fail(errors, field, "must be an object {\"min\": ms, \"max\": ms}");
    return;
  }
  reject_unknown(obj, {"min", "max"}, field, errors);
  MillisRange r = out;
  bool ok = true;
  dom::element v;
  if (obj.at_key("min").get(v) == simdjson::SUCCESS) {
    ok = read_int(v, field + ".min", 0, kMaxMillis, r.min, errors) && ok;
  }
  if (obj.at_key("max").get(v) == simdjson::SUCCESS) {
    ok = read_int(v, field + ".max", 0, kMaxMillis, r.max, errors) && ok;
  } else if (obj.at_key("min").get(v) == simdjson::SUCCESS) {
    r.max = std::max(r.max, r.min);  // {"min": 50} alone means a fixed 50 when max was lower
  }
  if (!ok) return;
  if (r.min > r.max) {
    fail(errors, field + ".max", "must not be less than min");
    return;
  }
  out = r;
}

bool is_e164(std::string_view text) {
  if (text.size() < 9 || text.size() > 16 || text.front() != '+') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void read_numbers(dom::element e, const std::string& field, std::vector<std::string>& out,
                  Errors& errors) {
  dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    fail(errors, field, "must be an array of E.164 numbers");
    return;
  }
  if (arr.size() > kMaxListItems) {
    fail(errors, field, "must have at most " + std::to_string(kMaxListItems) + " items");
    return;
  }
  std::vector<std::string> numbers;
  std::size_t i = 0;
  for (dom::element item : arr) {
    std::string_view s;
    const std::string where = field + "[" + std::to_string(i++) + "]";
    if (item.get_string().get(s) != simdjson::SUCCESS || !is_e164(s)) {
      fail(errors, where, "must be an E.164 number such as +5511987654321");
      continue;
    }
    numbers.emplace_back(s);
  }
  out = std::move(numbers);
}

void read_templates(dom::element e, Behaviour& b, Errors& errors) {
  if (e.is_null()) {
    b.templates.reset();
    return;
  }
  dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    fail(errors, "templates", "must be null (any template) or an array of {name, language}");
    return;
  }
  std::vector<ApprovedTemplate> out;
  std::size_t i = 0;
  for (dom::element item : arr) {
    const std::string where = "templates[" + std::to_string(i++) + "]";
    dom::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) {
      fail(errors, where, "must be an object {name, language}");
      continue;
    }
    reject_unknown(obj, {"name", "language"}, where, errors);
    std::string_view name, language;
    if (obj["name"].get_string().get(name) != simdjson::SUCCESS || name.empty()) {
      fail(errors, where + ".name", "must be a non-empty string");
    }
    if (obj["language"].get_string().get(language) != simdjson::SUCCESS || language.empty()) {
      fail(errors, where + ".language", "must be a non-empty string such as pt_BR");
    }
    out.push_back(ApprovedTemplate{std::string(name), std::string(language)});
  }
  b.templates = std::move(out);
}

void read_scripted(dom::element e, Behaviour& b, Errors& errors) {
  dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    fail(errors, "scripted_errors", "must be an array of {to, code, times}");
    return;
  }
  std::vector<ScriptedError> out;
  std::size_t i = 0;
  for (dom::element item : arr) {
    const std::string where = "scripted_errors[" + std::to_string(i++) + "]";
    dom::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) {
      fail(errors, where, "must be an object {to, code, times}");
      continue;
    }
    reject_unknown(obj, {"to", "code", "times"}, where, errors);
    ScriptedError s;
    std::string_view to;
    if (obj["to"].get_string().get(to) != simdjson::SUCCESS || !is_e164(to)) {
      fail(errors, where + ".to", "must be an E.164 number such as +5511987654321");
    }
    s.to = std::string(to);
    dom::element v;
    std::int64_t n = 0;
    if (obj.at_key("code").get(v) != simdjson::SUCCESS) {
      fail(errors, where + ".code", "is required");
    } else if (read_int(v, where + ".code", 0, 999'999, n, errors)) {
      if (!meta_error_for_code(static_cast<int>(n))) {
        fail(errors, where + ".code", "is not a code of Meta's error table");
      }
      s.code = static_cast<int>(n);
    }
    if (obj.at_key("times").get(v) == simdjson::SUCCESS &&
        read_int(v, where + ".times", 0, 1'000'000'000, n, errors)) {
      s.times = static_cast<int>(n);
    }
    out.push_back(std::move(s));
  }
  b.scripted_errors = std::move(out);
}

void read_webhooks(dom::element e, WebhookBehaviour& w, Errors& errors) {
  dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    fail(errors, "webhooks", "must be an object");
    return;
  }
  reject_unknown(obj,
                 {"delay_ms", "duplicate_ratio", "reorder", "batch_max", "skip_delivered_ratio",
                  "statuses"},
                 "webhooks", errors);
  dom::element v;
  if (obj.at_key("delay_ms").get(v) == simdjson::SUCCESS)
    read_range(v, "webhooks.delay_ms", w.delay_ms, errors);
  if (obj.at_key("duplicate_ratio").get(v) == simdjson::SUCCESS)
    read_ratio(v, "webhooks.duplicate_ratio", w.duplicate_ratio, errors);
  if (obj.at_key("reorder").get(v) == simdjson::SUCCESS)
    read_bool(v, "webhooks.reorder", w.reorder, errors);
  std::int64_t n = 0;
  if (obj.at_key("batch_max").get(v) == simdjson::SUCCESS &&
      read_int(v, "webhooks.batch_max", 1, kMaxBatch, n, errors)) {
    w.batch_max = static_cast<int>(n);
  }
  if (obj.at_key("skip_delivered_ratio").get(v) == simdjson::SUCCESS)
    read_ratio(v, "webhooks.skip_delivered_ratio", w.skip_delivered_ratio, errors);
  if (obj.at_key("statuses").get(v) == simdjson::SUCCESS) {
    dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) {
      fail(errors, "webhooks.statuses", "must be an array of \"sent\", \"delivered\", \"read\"");
      return;
    }
    std::vector<std::string> statuses;
    std::size_t i = 0;
    for (dom::element item : arr) {
      const std::string where = "webhooks.statuses[" + std::to_string(i++) + "]";
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS ||
          std::find(std::begin(kStatusNames), std::end(kStatusNames), s) == std::end(kStatusNames)) {
        fail(errors, where, "must be \"sent\", \"delivered\" or \"read\"");
        continue;
      }
      if (std::find(statuses.begin(), statuses.end(), s) != statuses.end()) {
        fail(errors, where, "is listed twice");
        continue;
      }
      statuses.emplace_back(s);
    }
    // Emitted in lifecycle order whatever order the document lists them in.
    std::vector<std::string> ordered;
    for (auto name : kStatusNames) {
      if (std::find(statuses.begin(), statuses.end(), name) != statuses.end()) ordered.emplace_back(name);
    }
    w.statuses = std::move(ordered);
  }
}

void read_root(dom::object root, Behaviour& b, Errors& errors) {
  reject_unknown(root,
                 {"latency_ms", "http_5xx_ratio", "reset_ratio", "throughput_per_second",
                  "pair_limit_seconds", "customer_window", "templates", "unknown_numbers",
                  "wa_id_without_ninth_digit", "scripted_errors", "webhooks"},
                 "", errors);
  dom::element v;
  if (root.at_key("latency_ms").get(v) == simdjson::SUCCESS) read_range(v, "latency_ms", b.latency_ms, errors);
  if (root.at_key("http_5xx_ratio").get(v) == simdjson::SUCCESS)
    read_ratio(v, "http_5xx_ratio", b.http_5xx_ratio, errors);
  if (root.at_key("reset_ratio").get(v) == simdjson::SUCCESS)
    read_ratio(v, "reset_ratio", b.reset_ratio, errors);
  if (root.at_key("throughput_per_second").get(v) == simdjson::SUCCESS)
    read_int(v, "throughput_per_second", 0, 1'000'000, b.throughput_per_second, errors);
  if (root.at_key("pair_limit_seconds").get(v) == simdjson::SUCCESS) {
    double d = 0;
    if (v.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d) || d < 0 || d > 86'400) {
      fail(errors, "pair_limit_seconds", "must be a number of seconds from 0 to 86400");
    } else {
      b.pair_limit_seconds = d;
    }
  }
  if (root.at_key("customer_window").get(v) == simdjson::SUCCESS)
    read_bool(v, "customer_window", b.customer_window, errors);
  if (root.at_key("templates").get(v) == simdjson::SUCCESS) read_templates(v, b, errors);
  if (root.at_key("unknown_numbers").get(v) == simdjson::SUCCESS)
    read_numbers(v, "unknown_numbers", b.unknown_numbers, errors);
  if (root.at_key("wa_id_without_ninth_digit").get(v) == simdjson::SUCCESS)
    read_numbers(v, "wa_id_without_ninth_digit", b.wa_id_without_ninth_digit, errors);
  if (root.at_key("scripted_errors").get(v) == simdjson::SUCCESS) read_scripted(v, b, errors);
  if (root.at_key("webhooks").get(v) == simdjson::SUCCESS) read_webhooks(v, b.webhooks, errors);
}

void write_range(JsonWriter& w, std::string_view name, const MillisRange& r) {
  w.key(name).begin_object().field("min", r.min).field("max", r.max).end_object();
}

}  // namespace

Behaviour default_behaviour(std::int64_t status_delay_ms) {
  Behaviour b;
  b.webhooks.delay_ms = MillisRange{status_delay_ms, status_delay_ms};
  return b;
}

BehaviourResult parse_behaviour(std::string_view json, const Behaviour& defaults) {
  dom::parser parser;
  dom::element doc;
  if (parser.parse(json.data(), json.size(), true).get(doc) != simdjson::SUCCESS) {
    return Errors{FieldError{"", "the document is not valid JSON"}};
  }
  dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return Errors{FieldError{"", "the document must be a JSON object"}};
  }
  Behaviour b = defaults;
  Errors errors;
  read_root(root, b, errors);
  if (!errors.empty()) return errors;
  return b;
}

std::string render_behaviour(const Behaviour& b) {
  JsonWriter w;
  w.begin_object();
  write_range(w, "latency_ms", b.latency_ms);
  w.field("http_5xx_ratio", b.http_5xx_ratio);
  w.field("reset_ratio", b.reset_ratio);
  w.field("throughput_per_second", b.throughput_per_second);
  w.field("pair_limit_seconds", b.pair_limit_seconds);
  w.field("customer_window", b.customer_window);
  w.key("templates");
  if (b.templates) {
    w.begin_array();
    for (const auto& t : *b.templates) {
      w.begin_object().field("name", t.name).field("language", t.language).end_object();
    }
    w.end_array();
  } else {
    w.null();
  }
  w.key("unknown_numbers").begin_array();
  for (const auto& n : b.unknown_numbers) w.value(n);
  w.end_array();
  w.key("wa_id_without_ninth_digit").begin_array();
  for (const auto& n : b.wa_id_without_ninth_digit) w.value(n);
  w.end_array();
  w.key("scripted_errors").begin_array();
  for (const auto& s : b.scripted_errors) {
    w.begin_object().field("to", s.to).field("code", s.code).field("times", s.times).end_object();
  }
  w.end_array();
  w.key("webhooks").begin_object();
  write_range(w, "delay_ms", b.webhooks.delay_ms);
  w.field("duplicate_ratio", b.webhooks.duplicate_ratio);
  w.field("reorder", b.webhooks.reorder);
  w.field("batch_max", b.webhooks.batch_max);
  w.field("skip_delivered_ratio", b.webhooks.skip_delivered_ratio);
  w.key("statuses").begin_array();
  for (const auto& s : b.webhooks.statuses) w.value(s);
  w.end_array();
  w.end_object();
  w.end_object();
  return std::move(w).str();
}

std::string digits_of(std::string_view phone) {
  std::string out;
  out.reserve(phone.size());
  for (char c : phone) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

std::string without_ninth_digit(std::string_view digits) {
  if (digits.size() == 13 && digits.starts_with("55") && digits[4] == '9') {
    std::string out(digits);
    out.erase(4, 1);
    return out;
  }
  return std::string(digits);
}

}  // namespace disparo::sandbox
