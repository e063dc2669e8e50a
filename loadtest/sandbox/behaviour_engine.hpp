// BehaviourEngine: applies the current Behaviour to sends: the random draws (from one seeded
// generator, so a run with --seed is reproducible), the per-sender token buckets, the pair
// limiter, the 24-hour customer windows, scripted-error counters and the status plan of an
// accepted message. Pure apart from the Clock; use from the io_context's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "loadtest/sandbox/behaviour.hpp"

namespace disparo::sandbox {

enum class TransportFault { none, reset, server_error };

// One status webhook of a message, in emission order.
struct PlannedStatus {
  std::string status;                  // "sent" | "delivered" | "read" | "failed"
  std::chrono::milliseconds delay{0};  // after the previous status of the message was posted
  bool duplicate = false;              // posted a second time
  std::optional<int> error_code;       // "failed": the webhook's errors[0].code
};

class BehaviourEngine {
 public:
  BehaviourEngine(Behaviour defaults, std::uint64_t seed, const Clock& clock);

  const Behaviour& behaviour() const { return behaviour_; }
  const Behaviour& defaults() const { return defaults_; }
  // Replaces the document; throughput buckets, pair history and scripted counters restart,
  // inbound (customer window) times are kept: they are facts, not configuration.
  void replace(Behaviour behaviour);

  // Draws, in this order per send: reset, then 5xx.
  TransportFault transport_fault();
  std::chrono::milliseconds latency();
  // The scripted error code for a send to `to_digits`, counting it; nullopt = none.
  std::optional<int> scripted_error(std::string_view to_digits);
  // True when the sender's bucket is empty; otherwise takes one token.
  bool throughput_exceeded(std::string_view sender);
  // True when the previous accepted send of this pair is more recent than pair_limit_seconds;
  // otherwise remembers this send.
  bool pair_limited(std::string_view sender, std::string_view to_digits);
  bool template_approved(std::string_view name, std::string_view language) const;
  // customer_window is on and `to_digits` sent nothing to `sender` in the last 24 h.
  bool window_closed(std::string_view sender, std::string_view to_digits) const;
  void record_inbound(std::string_view sender, std::string_view from_digits);
  bool unknown_number(std::string_view digits) const;
  // The wa_id / JID user part WhatsApp reports for `digits`.
  std::string wa_id(std::string_view digits) const;
  // Statuses to emit for an accepted message (an unknown number gets one "failed" 131026).
  std::vector<PlannedStatus> plan_statuses(bool unknown_recipient);
  int batch_max() const { return behaviour_.webhooks.batch_max; }
  // The document changed the webhook behaviour from the defaults (else statuses follow the
  // sender's own defaults: sent, delivered, read after --status-delay-ms).
  bool webhooks_customised() const { return !(behaviour_.webhooks == defaults_.webhooks); }

  bool chance(double ratio);

 private:
  struct Bucket {
    double tokens = 0;
    SysTime refreshed{};
  };
  std::chrono::milliseconds pick(const MillisRange& range);
  static bool listed(const std::vector<std::string>& numbers, std::string_view digits);

  Behaviour defaults_;
  Behaviour behaviour_;
  std::mt19937_64 rng_;
  const Clock& clock_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::unordered_map<std::string, SysTime> last_pair_send_;
  std::unordered_map<std::string, SysTime> last_inbound_;
  std::map<std::size_t, int> scripted_used_;  // index in scripted_errors -> sends answered
};

// Canonical key of a person's number: Brazilian mobiles without the ninth digit, so a number
// matches its WhatsApp id either way (reference section 4, "practical key").
std::string identity_key(std::string_view digits);

}  // namespace disparo::sandbox
