// Behaviour: the simulator's fault and timing knobs as one JSON document (the sandbox behaviour
// contract), loaded with --behaviour <file> and replaced by PUT /_sandbox/behaviour.
//
// parse_behaviour() is total: any byte string gives either a complete Behaviour (missing fields
// take `defaults`) or the list of offending fields, never a partial document. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace disparo::sandbox {

struct MillisRange {
  std::int64_t min = 0;
  std::int64_t max = 0;
  bool operator==(const MillisRange&) const = default;
};

struct ApprovedTemplate {
  std::string name;
  std::string language;
  bool operator==(const ApprovedTemplate&) const = default;
};

struct ScriptedError {
  std::string to;    // E.164 as given; matched by digits
  int code = 0;      // a code of the reference's table (meta_error_codes.hpp)
  int times = 0;     // 0 = always; N = the first N sends to `to`
  bool operator==(const ScriptedError&) const = default;
};

struct WebhookBehaviour {
  MillisRange delay_ms{100, 100};  // before each status (after the previous one was posted)
  double duplicate_ratio = 0.0;    // share of status events posted twice
  bool reorder = false;            // statuses of every message in reverse order
  int batch_max = 1;               // Cloud API: up to this many statuses in one POST (1..1000)
  double skip_delivered_ratio = 0.0;
  std::vector<std::string> statuses{"sent", "delivered", "read"};
  bool operator==(const WebhookBehaviour&) const = default;
};

struct Behaviour {
  MillisRange latency_ms;
  double http_5xx_ratio = 0.0;
  double reset_ratio = 0.0;
  std::int64_t throughput_per_second = 0;  // per sender; 0 = off
  double pair_limit_seconds = 0.0;         // same sender -> same recipient; 0 = off
  bool customer_window = false;
  std::optional<std::vector<ApprovedTemplate>> templates;  // nullopt = any template
  std::vector<std::string> unknown_numbers;
  std::vector<std::string> wa_id_without_ninth_digit;
  std::vector<ScriptedError> scripted_errors;
  WebhookBehaviour webhooks;
  bool operator==(const Behaviour&) const = default;
};

struct FieldError {
  std::string field;    // "webhooks.batch_max", "scripted_errors[2].code"
  std::string message;
};

inline constexpr int kMaxBatch = 1000;         // Meta batches up to 1,000 updates (reference 1.12)
inline constexpr std::int64_t kMaxMillis = 600'000;
inline constexpr std::size_t kMaxListItems = 100'000;

// Defaults of the contract, with the webhook delay taken from --status-delay-ms.
Behaviour default_behaviour(std::int64_t status_delay_ms);

using BehaviourResult = std::variant<Behaviour, std::vector<FieldError>>;
BehaviourResult parse_behaviour(std::string_view json, const Behaviour& defaults);

// The document as GET /_sandbox/behaviour returns it (every field present); parsing it back
// with any defaults gives the same Behaviour.
std::string render_behaviour(const Behaviour& behaviour);

// Digits of a phone number ("+55 (11) 98765-4321" -> "5511987654321").
std::string digits_of(std::string_view phone);
// A Brazilian mobile with the ninth digit ("55" + DDD + "9" + 8 digits) without it; other
// numbers unchanged.
std::string without_ninth_digit(std::string_view digits);

}  // namespace disparo::sandbox
