// Internal to the webhook sender (webhook_sender.cpp, webhook_post.cpp): the state its
// coroutines share and the one-POST-with-retries primitive. Not part of the sandbox's interface.
// Use from the io_context's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "loadtest/sandbox/cloud_api_wire.hpp"
#include "loadtest/sandbox/webhook_sender.hpp"

namespace disparo::sandbox {

// One POST as the sender makes it (with retries), and what the recorder keeps of it.
struct Outgoing {
  std::string provider;
  std::string event;
  std::string url_text;
  http::Url url;
  http::Headers headers;  // besides Content-Type
  std::string body;
  bool sign = false;      // Cloud API: X-Hub-Signature-256
  std::string wamid;      // recorded (comma-joined for a batch)
  std::string status;     // recorded (comma-joined for a batch)
};

using SteadyClock = std::chrono::steady_clock;
// A message's remaining statuses. Messages wait in one time-ordered queue under one timer
// rather than one coroutine and one timer each: at tens of thousands of sends per second the
// per-message timers cost more than everything else the sender does.
struct MessageRun {
  AcceptedMessage m;
  std::vector<PlannedStatus> plan;
  std::size_t next = 0;
  std::optional<Conversation> conversation;
};


struct DueStatus {
  SteadyClock::time_point at;
  std::uint64_t sequence = 0;  // ties keep scheduling order
  std::shared_ptr<MessageRun> run;
  bool operator>(const DueStatus& other) const {
    return at != other.at ? at > other.at : sequence > other.sequence;
  }
};

struct WebhookSenderState {
  WebhookSenderState(asio::io_context& i, http::Client& c, Recorder& r, const Clock& k,
                     log::Logger& l, WebhookOptions o, http::Url u)
      : io(i),
        client(c),
        recorder(r),
        clock(k),
        logger(l),
        options(std::move(o)),
        url(std::move(u)) {}

  asio::io_context& io;
  http::Client& client;
  Recorder& recorder;
  const Clock& clock;
  log::Logger& logger;
  WebhookOptions options;
  http::Url url;
  std::size_t in_flight = 0;
  bool flushing = false;
  std::set<asio::steady_timer*> timers;  // waiting now; drain() cancels them
  std::size_t posts_in_flight = 0;
  std::deque<asio::steady_timer*> slot_waiters;  // POSTs waiting for a slot, oldest first
  // Cloud API statuses waiting for the next batch POST.
  std::vector<NumberStatus> batch;
  bool flush_posted = false;  // the linger timer is running for the pending batch
  asio::steady_timer linger{io};
  std::uint64_t linger_generation = 0;
  int batch_max = 1;
  // Messages waiting for their next status, earliest first, under one timer.
  std::priority_queue<DueStatus, std::vector<DueStatus>, std::greater<>> due;
  std::uint64_t due_sequence = 0;
  asio::steady_timer wake{io};
  bool armed = false;
  SteadyClock::time_point armed_at{};
  std::uint64_t wake_generation = 0;
};
namespace webhook_detail {

using State = std::shared_ptr<WebhookSenderState>;

// Webhook POSTs in flight at once (the http::Client keeps 16 idle connections per host).
inline constexpr std::size_t kMaxConcurrentPosts = 16;

inline std::int64_t unix_us(const disparo::Clock& clock) {
  return clock.now().time_since_epoch().count();
}

// Waits `delay`, or not at all once the sender is flushing (drain() cancels the wait).
asio::awaitable<void> pause(State s, std::chrono::milliseconds delay);
// POSTs `out` until a 2xx answer or the retries run out; records every attempt.
asio::awaitable<void> deliver(State s, const Outgoing& out);
// deliver() after `delay`; the caller counted the POST in `in_flight`, this uncounts it.
asio::awaitable<void> deliver_counted(State s, Outgoing out, std::chrono::milliseconds delay);

}  // namespace webhook_detail
}  // namespace disparo::sandbox
