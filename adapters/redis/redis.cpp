// Client: hiredis' async context driven from Asio coroutines.
//
// hiredis calls back into C functions; a coroutine waits on a steady_timer that doubles as the
// deadline and the wake-up: the callback stores the result and cancels the timer, the deadline
// expiring first means timeout. No completion handler is ever invoked from inside hiredis, so
// hiredis is never re-entered from a resumed coroutine while it runs a callback.
#include "adapters/redis/redis.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <climits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "adapters/redis/redis_asio_adapter.hpp"

namespace disparo::redis {
namespace {

struct AsyncContextFree {
  void operator()(redisAsyncContext* context) const noexcept { redisAsyncFree(context); }
};
// Ours until hiredis frees the context itself: after a failed connect or a disconnect it frees it
// when our callback returns, and the callback release()s this pointer.
using AsyncContextPtr = std::unique_ptr<redisAsyncContext, AsyncContextFree>;

constexpr auto kAwait = asio::experimental::as_tuple(asio::use_awaitable);

Error unavailable(std::string message) {
  return make_error(ErrorKind::unavailable, std::move(message));
}

// Copies a reply out of hiredis, which frees it as soon as the callback returns.
Reply to_reply(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = r.type == REDIS_REPLY_STRING   ? Reply::Type::string
                 : r.type == REDIS_REPLY_STATUS ? Reply::Type::status
                                                : Reply::Type::error;
      if (r.str != nullptr) out.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(to_reply(*r.element[i]));
      break;
    default:  // REDIS_REPLY_NIL, also for null arrays
      break;
  }
  return out;
}

// One connect (and AUTH) attempt, shared by every caller of connect() while it runs.
struct ConnectAttempt {
  explicit ConnectAttempt(asio::io_context& io)
      : done(io, asio::steady_timer::time_point::max()), deadline(io), resolver(io) {}
  asio::steady_timer done;  // never expires: cancelled when `result` is set, to wake the waiters
  asio::steady_timer deadline;
  asio::ip::tcp::resolver resolver;
  std::vector<std::string> addresses;  // numeric, tried in order like getaddrinfo's answers
  std::size_t next_address = 0;
  std::string last_failure;
  std::optional<Expected<void>> result;
};

// One command in flight. hiredis holds a reference until it calls back (with the reply, or with
// null when the context goes away), so a reply arriving after the deadline lands here harmlessly.
struct PendingCommand {
  explicit PendingCommand(asio::io_context& io) : deadline(io) {}
  asio::steady_timer deadline;  // cancelled when `result` is set
  std::optional<Expected<Reply>> result;
};

}  // namespace

struct Client::State {
  State(asio::io_context& io_context, Options opts) : io(io_context), options(std::move(opts)) {}
  ~State() {
    // Only reached with a live context if the Client was never closed; keep callbacks off us.
    if (context) context->data = nullptr;
  }

  static asio::awaitable<Expected<void>> connect(std::shared_ptr<State> self, bool reopen);
  static asio::awaitable<Expected<Reply>> command(std::shared_ptr<State> self,
                                                  std::vector<std::string> argv);
  void close();

  void start_attempt(const std::shared_ptr<State>& self, const std::shared_ptr<ConnectAttempt>& a);
  void connect_next(const std::shared_ptr<ConnectAttempt>& a);
  std::string open_context(const std::shared_ptr<ConnectAttempt>& a, const std::string& address);
  void finish(std::shared_ptr<ConnectAttempt> a, Expected<void> result);
  void drop_context();

  // hiredis callbacks; `ac` is the context calling back, maybe not the current one.
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_auth_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_command_reply(redisAsyncContext* ac, void* reply, void* privdata);

  asio::io_context& io;
  const Options options;
  AsyncContextPtr context;                  // data points back here
  std::shared_ptr<ConnectAttempt> attempt;  // the attempt running now, if any
  bool ready = false;                       // connected and authenticated
  bool closed = false;                      // close() called: no automatic reconnection
};

asio::awaitable<Expected<void>> Client::State::connect(std::shared_ptr<State> self, bool reopen) {
  if (reopen) {
    self->closed = false;
  } else if (self->closed) {
    co_return unavailable("redis client closed");
  }
  if (self->ready) co_return Expected<void>{};
  std::shared_ptr<ConnectAttempt> a = self->attempt;
  if (!a) {
    a = std::make_shared<ConnectAttempt>(self->io);
    self->attempt = a;
    self->start_attempt(self, a);
  }
  if (!a->result) {
    co_await a->done.async_wait(kAwait);
    // Only our caller's cancellation wakes us without a result; the attempt goes on for others.
    if (!a->result) co_return make_error(ErrorKind::timeout, "redis connect cancelled");
  }
  co_return *a->result;
}

void Client::State::start_attempt(const std::shared_ptr<State>& self,
                                  const std::shared_ptr<ConnectAttempt>& a) {
  // hiredis 0.14.1 has no connect timeout for async contexts; the deadline is ours.
  a->deadline.expires_after(options.connect_timeout);
  a->deadline.async_wait([self, a](const std::error_code& ec) {
    if (ec == asio::error::operation_aborted || a->result) return;
    self->finish(a, make_error(ErrorKind::timeout, "redis connect timed out"));
    self->drop_context();  // the half-open context belongs to this attempt
  });
  // redisAsyncConnect resolves names with a blocking getaddrinfo; give it a numeric address.
  std::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    a->addresses.push_back(address.to_string());
    connect_next(a);
    return;
  }
  a->resolver.async_resolve(
      options.host, std::to_string(options.port),
      [self, a](const std::error_code& error, const asio::ip::tcp::resolver::results_type& found) {
        if (a->result) return;  // timed out or closed meanwhile
        if (error || found.empty()) {
          self->finish(a, unavailable("cannot resolve redis host " + self->options.host + ": " +
                                      (error ? error.message() : "no address")));
          return;
        }
        // "localhost" may give ::1 first while the server listens on 127.0.0.1 only.
        for (const auto& entry : found)
          a->addresses.push_back(entry.endpoint().address().to_string());
        self->connect_next(a);
      });
}

// Opens a context on the next address that does not fail at once; a refusal reported later by
// on_connect comes back here for the following address.
void Client::State::connect_next(const std::shared_ptr<ConnectAttempt>& a) {
  while (a->next_address < a->addresses.size()) {
    std::string failure = open_context(a, a->addresses[a->next_address++]);
    if (failure.empty()) return;
    a->last_failure = std::move(failure);
  }
  finish(a, unavailable("redis connect failed: " +
                        (a->last_failure.empty() ? std::string("no address") : a->last_failure)));
}

// Returns why it failed, or an empty string when the context is connecting.
std::string Client::State::open_context(const std::shared_ptr<ConnectAttempt>& a,
                                        const std::string& address) {
  AsyncContextPtr c(redisAsyncConnect(address.c_str(), options.port));
  if (!c) return "out of memory";
  if (c->err != 0) return c->errstr;
  if (!detail::attach_to_asio(*c, io.get_executor())) return "cannot watch the socket";
  // Dead peers that never close the socket are noticed eventually, not only by a deadline.
  if (redisEnableKeepAlive(&c->c) != REDIS_OK) return c->c.errstr;
  c->data = this;
  redisAsyncSetDisconnectCallback(c.get(), &State::on_disconnect);
  // Arms the first write wait: the socket becoming writable is how hiredis sees the connect end.
  redisAsyncSetConnectCallback(c.get(), &State::on_connect);
  if (!options.password.empty()) {
    // Queued now, sent as soon as the connection is up; its reply ends the attempt.
    const char* argv[] = {"AUTH", options.password.c_str()};
    const std::size_t lengths[] = {4, options.password.size()};
    auto* hold = new std::shared_ptr<ConnectAttempt>(a);  // hiredis keeps it until on_auth_reply
    if (redisAsyncCommandArgv(c.get(), &State::on_auth_reply, hold, 2, argv, lengths) != REDIS_OK) {
      delete hold;
      return "cannot queue AUTH";
    }
  }
  context = std::move(c);
  return {};
}

// Ends an attempt once; the caller frees the context when hiredis is not already doing so.
void Client::State::finish(std::shared_ptr<ConnectAttempt> a, Expected<void> result) {
  if (a->result) return;
  ready = result.has_value();
  a->result = std::move(result);
  a->deadline.cancel();
  a->resolver.cancel();
  a->done.cancel();
  if (attempt == a) attempt.reset();
}

// Frees the context (from a coroutine, a timer or a reply callback, where hiredis defers it):
// commands still pending are called back with a null reply and complete with unavailable.
void Client::State::drop_context() {
  ready = false;
  context.reset();
}

void Client::State::close() {
  closed = true;
  if (attempt) finish(attempt, unavailable("redis client closed"));
  drop_context();
}

// Never frees the context here: hiredis calls this outside its callback guard and keeps using it.
void Client::State::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<State*>(ac->data);
  if (self == nullptr || self->context.get() != ac) return;
  std::shared_ptr<ConnectAttempt> a = self->attempt;
  if (status != REDIS_OK) {
    static_cast<void>(self->context.release());  // hiredis frees it when we return
    if (a) {
      a->last_failure = ac->c.errstr;
      self->connect_next(a);  // a fresh context; this one is left to hiredis
    }
    return;
  }
  if (a && self->options.password.empty()) self->finish(a, Expected<void>{});
}

void Client::State::on_disconnect(const redisAsyncContext* ac, int /*status*/) {
  auto* self = static_cast<State*>(ac->data);
  if (self == nullptr || self->context.get() != ac) return;  // we are freeing it ourselves
  std::string why = ac->c.err != 0 ? ac->c.errstr : "closed";
  static_cast<void>(self->context.release());  // hiredis frees it when we return
  self->ready = false;
  if (self->attempt) self->finish(self->attempt, unavailable("redis connection lost: " + why));
}

void Client::State::on_auth_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<std::shared_ptr<ConnectAttempt>> hold(
      static_cast<std::shared_ptr<ConnectAttempt>*>(privdata));
  auto* self = static_cast<State*>(ac->data);
  if (self == nullptr) return;
  const auto* r = static_cast<const redisReply*>(reply);
  if (r == nullptr) return self->finish(*hold, unavailable("redis connection lost during AUTH"));
  if (r->type == REDIS_REPLY_ERROR) {
    self->finish(*hold, make_error(ErrorKind::unauthorized,
                                   "redis AUTH refused: " + std::string(r->str, r->len)));
    if (self->context.get() == ac) self->drop_context();
    return;
  }
  self->finish(*hold, Expected<void>{});
}

void Client::State::on_command_reply(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
  std::unique_ptr<std::shared_ptr<PendingCommand>> hold(
      static_cast<std::shared_ptr<PendingCommand>*>(privdata));
  PendingCommand& pending = **hold;
  if (pending.result) return;  // timed out already: this late reply is dropped
  if (reply == nullptr) {
    pending.result = unavailable("redis connection lost before the reply");
  } else {
    pending.result = to_reply(*static_cast<const redisReply*>(reply));
  }
  pending.deadline.cancel();
}

asio::awaitable<Expected<Reply>> Client::State::command(std::shared_ptr<State> self,
                                                        std::vector<std::string> argv) {
  if (argv.empty() || argv.size() > static_cast<std::size_t>(INT_MAX)) {
    co_return make_error(ErrorKind::invalid_argument, "redis command needs 1..INT_MAX arguments");
  }
  if (!self->ready) {
    auto connected = co_await connect(self, false);
    if (!connected) co_return std::move(connected).error();
  }
  // The connection may have dropped between the attempt's end and our resumption.
  if (!self->ready || !self->context) co_return unavailable("redis connection lost");

  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto pending = std::make_shared<PendingCommand>(self->io);
  auto* hold =
      new std::shared_ptr<PendingCommand>(pending);  // hiredis keeps it until on_command_reply
  // hiredis formats the command into its output buffer here; argv may go away afterwards.
  if (redisAsyncCommandArgv(self->context.get(), &State::on_command_reply, hold,
                            static_cast<int>(args.size()), args.data(),
                            lengths.data()) != REDIS_OK) {
    delete hold;
    co_return unavailable("redis connection is closing");
  }
  pending->deadline.expires_after(self->options.command_timeout);
  auto [ec] = co_await pending->deadline.async_wait(kAwait);
  if (!pending->result) {
    pending->result = make_error(ErrorKind::timeout, ec == asio::error::operation_aborted
                                                         ? "redis command cancelled"
                                                         : "redis command timed out");
  }
  co_return std::move(*pending->result);
}

Client::Client(asio::io_context& io, Options options)
    : state_(std::make_shared<State>(io, std::move(options))) {}

Client::~Client() {
  state_->close();
}

asio::awaitable<Expected<void>> Client::connect() {
  return State::connect(state_, true);
}

asio::awaitable<Expected<Reply>> Client::command(std::vector<std::string> argv) {
  return State::command(state_, std::move(argv));
}

bool Client::connected() const {
  return state_->ready;
}

void Client::close() {
  state_->close();
}

}  // namespace disparo::redis
