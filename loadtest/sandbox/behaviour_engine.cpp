#include "loadtest/sandbox/behaviour_engine.hpp"

#include <algorithm>

namespace disparo::sandbox {
namespace {

constexpr std::chrono::hours kCustomerWindow{24};

std::string pair_key(std::string_view sender, std::string_view digits) {
  std::string key(sender);
  key += '|';
  key += identity_key(digits);
  return key;
}

}  // namespace

std::string identity_key(std::string_view digits) { return without_ninth_digit(digits); }

BehaviourEngine::BehaviourEngine(Behaviour defaults, std::uint64_t seed, const Clock& clock)
    : defaults_(defaults), behaviour_(std::move(defaults)), rng_(seed), clock_(clock) {}

void BehaviourEngine::replace(Behaviour behaviour) {
  behaviour_ = std::move(behaviour);
  buckets_.clear();
  last_pair_send_.clear();
  scripted_used_.clear();
}

bool BehaviourEngine::chance(double ratio) {
  if (ratio <= 0.0) return false;  // no draw: an all-default run consumes no randomness
  if (ratio >= 1.0) return true;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < ratio;
}

std::chrono::milliseconds BehaviourEngine::pick(const MillisRange& range) {
  if (range.max <= range.min) return std::chrono::milliseconds(range.min);
  return std::chrono::milliseconds(
      std::uniform_int_distribution<std::int64_t>(range.min, range.max)(rng_));
}

TransportFault BehaviourEngine::transport_fault() {
  if (chance(behaviour_.reset_ratio)) return TransportFault::reset;
  if (chance(behaviour_.http_5xx_ratio)) return TransportFault::server_error;
  return TransportFault::none;
}

std::chrono::milliseconds BehaviourEngine::latency() { return pick(behaviour_.latency_ms); }

std::optional<int> BehaviourEngine::scripted_error(std::string_view to_digits) {
  const auto& scripted = behaviour_.scripted_errors;
  for (std::size_t i = 0; i < scripted.size(); ++i) {
    if (digits_of(scripted[i].to) != to_digits) continue;
    int& used = scripted_used_[i];
    if (scripted[i].times != 0 && used >= scripted[i].times) continue;  // spent: next rule
    ++used;
    return scripted[i].code;
  }
  return std::nullopt;
}

bool BehaviourEngine::throughput_exceeded(std::string_view sender) {
  const auto rate = behaviour_.throughput_per_second;
  if (rate <= 0) return false;
  const SysTime now = clock_.now();
  auto [it, inserted] = buckets_.try_emplace(std::string(sender));
  Bucket& b = it->second;
  const double capacity = static_cast<double>(rate);  // one second of burst
  if (inserted) {
    b.tokens = capacity;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.refreshed).count();
    b.tokens = std::min(capacity, b.tokens + std::max(0.0, elapsed) * capacity);
  }
  b.refreshed = now;
  if (b.tokens < 1.0) return true;
  b.tokens -= 1.0;
  return false;
}

bool BehaviourEngine::pair_limited(std::string_view sender, std::string_view to_digits) {
  if (behaviour_.pair_limit_seconds <= 0) return false;
  const SysTime now = clock_.now();
  const auto limit = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::duration<double>(behaviour_.pair_limit_seconds));
  auto [it, inserted] = last_pair_send_.try_emplace(pair_key(sender, to_digits), now);
  if (inserted) return false;
  if (now - it->second < limit) return true;
  it->second = now;
  return false;
}

bool BehaviourEngine::template_approved(std::string_view name, std::string_view language) const {
  if (!behaviour_.templates) return true;
  return std::any_of(behaviour_.templates->begin(), behaviour_.templates->end(),
                     [&](const ApprovedTemplate& t) { return t.name == name && t.language == language; });
}

bool BehaviourEngine::window_closed(std::string_view sender, std::string_view to_digits) const {
  if (!behaviour_.customer_window) return false;
  const auto it = last_inbound_.find(pair_key(sender, to_digits));
  return it == last_inbound_.end() || clock_.now() - it->second >= kCustomerWindow;
}

void BehaviourEngine::record_inbound(std::string_view sender, std::string_view from_digits) {
  last_inbound_[pair_key(sender, from_digits)] = clock_.now();
}

bool BehaviourEngine::listed(const std::vector<std::string>& numbers, std::string_view digits) {
  return std::any_of(numbers.begin(), numbers.end(),
                     [&](const std::string& n) { return std::string_view(n).substr(1) == digits; });
}

bool BehaviourEngine::unknown_number(std::string_view digits) const {
  return listed(behaviour_.unknown_numbers, digits);
}

std::string BehaviourEngine::wa_id(std::string_view digits) const {
  if (listed(behaviour_.wa_id_without_ninth_digit, digits)) return without_ninth_digit(digits);
  return std::string(digits);
}

std::vector<PlannedStatus> BehaviourEngine::plan_statuses(bool unknown_recipient) {
  const WebhookBehaviour& w = behaviour_.webhooks;
  std::vector<PlannedStatus> plan;
  if (unknown_recipient) {
    plan.push_back(PlannedStatus{"failed", pick(w.delay_ms), chance(w.duplicate_ratio), 131026});
    return plan;
  }
  const bool skip_delivered = chance(w.skip_delivered_ratio);
  for (const std::string& status : w.statuses) {
    if (status == "delivered" && skip_delivered) continue;
    plan.push_back(PlannedStatus{status, pick(w.delay_ms), chance(w.duplicate_ratio), std::nullopt});
  }
  if (w.reorder && plan.size() > 1) {
    // Reverse the order of emission but keep the delays where they were: the first webhook
    // still arrives after the first delay.
    std::vector<std::chrono::milliseconds> delays;
    for (const auto& p : plan) delays.push_back(p.delay);
    std::reverse(plan.begin(), plan.end());
    for (std::size_t i = 0; i < plan.size(); ++i) plan[i].delay = delays[i];
  }
  return plan;
}

}  // namespace disparo::sandbox
