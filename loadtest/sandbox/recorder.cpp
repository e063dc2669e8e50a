#include "loadtest/sandbox/recorder.hpp"

#include <algorithm>
#include <cctype>

#include "common/json_writer.hpp"
#include "common/log.hpp"

namespace disparo::sandbox {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <class T>
void push_bounded(std::deque<T>& items, T item, std::size_t capacity, std::uint64_t& dropped) {
  items.push_back(std::move(item));
  while (items.size() > capacity) {
    items.pop_front();
    ++dropped;
  }
}

// Headers as one object keyed by lower-case name; repeated headers join with ", " (RFC 9110).
void write_headers(disparo::JsonWriter& w, const http::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> merged;
  for (const auto& [name, value] : headers) {
    const std::string key = lower(name);
    auto it =
        std::find_if(merged.begin(), merged.end(), [&](const auto& p) { return p.first == key; });
    if (it == merged.end()) {
      merged.emplace_back(key, value);
    } else {
      it->second += ", " + value;
    }
  }
  w.begin_object();
  for (const auto& [name, value] : merged) w.field(name, value);
  w.end_object();
}

}  // namespace

http::Headers mask_headers(const http::Headers& headers) {
  http::Headers out = headers;
  for (auto& [name, value] : out) {
    if (!iequals(name, "authorization")) continue;
    const auto space = value.find(' ');
    if (space == std::string::npos) {
      value = log::mask_secret(value);
    } else {
      value =
          value.substr(0, space + 1) + log::mask_secret(std::string_view(value).substr(space + 1));
    }
  }
  return out;
}

void Recorder::add_request(RecordedRequest request) {
  if (detail_ == RecordDetail::lean) {
    http::Headers().swap(request.headers);
    std::string().swap(request.body);
  }
  push_bounded(requests_, std::move(request), capacity_, dropped_requests_);
}

void Recorder::add_webhook(WebhookAttempt attempt) {
  metrics_.count_webhook(attempt);
  if (detail_ == RecordDetail::lean) {
    http::Headers().swap(attempt.headers);
    std::string().swap(attempt.body);
    std::string().swap(attempt.signature);
  }
  push_bounded(webhooks_, std::move(attempt), capacity_, dropped_webhooks_);
}

void Recorder::add_subscription(SubscriptionAttempt attempt) {
  std::uint64_t ignored = 0;
  push_bounded(subscriptions_, std::move(attempt), capacity_, ignored);
}

void Recorder::clear() {
  requests_.clear();
  webhooks_.clear();
  dropped_requests_ = 0;
  dropped_webhooks_ = 0;
}

std::string Recorder::requests_json() const {
  disparo::JsonWriter w;
  w.begin_object().key("requests").begin_array();
  for (const RecordedRequest& r : requests_) {
    w.begin_object();
    w.field("provider", r.provider);
    w.field("method", r.method);
    w.field("path", std::string_view(r.target).substr(0, r.target.find('?')));
    w.field("target", r.target);
    w.key("headers");
    write_headers(w, r.headers);
    w.field("body", r.body);
    w.field("received_at_us", r.received_at_us);
    w.field("status", std::int64_t{r.status});
    w.key("wamid");
    r.wamid ? w.value(*r.wamid) : w.null();
    w.key("error_code");
    r.error_code ? w.value(*r.error_code) : w.null();
    w.key("fault");
    r.fault ? w.value(*r.fault) : w.null();
    w.key("biz_opaque_callback_data");
    r.biz_opaque_callback_data ? w.value(*r.biz_opaque_callback_data) : w.null();
    w.end_object();
  }
  w.end_array();
  w.field("dropped", static_cast<std::int64_t>(dropped_requests_));
  w.end_object();
  return std::move(w).str();
}

std::string Recorder::webhooks_json() const {
  disparo::JsonWriter w;
  w.begin_object().key("webhooks").begin_array();
  for (const WebhookAttempt& a : webhooks_) {
    w.begin_object();
    w.field("provider", a.provider);
    w.field("event", a.event);
    w.field("wamid", a.wamid);
    w.field("status", a.status);
    w.field("attempt", std::int64_t{a.attempt});
    w.field("url", a.url);
    w.field("body", a.body);
    w.field("signature", a.signature);
    w.key("headers");
    write_headers(w, a.headers);
    w.key("http_status");
    a.http_status != 0 ? w.value(a.http_status) : w.null();
    w.field("outcome", a.outcome);
    w.field("error", a.error);
    w.field("final", a.final);
    w.field("sent_at_us", a.sent_at_us);
    w.field("duration_us", a.duration_us);
    w.end_object();
  }
  w.end_array();
  w.field("dropped", static_cast<std::int64_t>(dropped_webhooks_));
  w.end_object();
  return std::move(w).str();
}

std::string Recorder::subscriptions_json() const {
  disparo::JsonWriter w;
  w.begin_object().key("subscriptions").begin_array();
  for (const SubscriptionAttempt& s : subscriptions_) {
    w.begin_object();
    w.field("attempt", std::int64_t{s.attempt});
    w.field("url", s.url);
    w.field("challenge", s.challenge);
    w.key("http_status");
    s.http_status != 0 ? w.value(s.http_status) : w.null();
    w.field("ok", s.ok);
    w.field("outcome", s.outcome);
    w.field("at_us", s.at_us);
    w.end_object();
  }
  w.end_array().end_object();
  return std::move(w).str();
}

}  // namespace disparo::sandbox
