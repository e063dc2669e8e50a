#include "tests/admin/http_client.hpp"

#include <cctype>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace disparo::admin::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Runs `coro` on a private io_context; throws when it does not finish within `deadline`.
template <class Coro>
void run_within(asio::io_context& ioc, Coro coro, std::chrono::milliseconds deadline) {
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  ioc.run_for(deadline);
  if (!done) throw std::runtime_error("HTTP call did not finish within the deadline");
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

HttpReply http_call(std::uint16_t port, http::verb method, const std::string& target,
                    const std::string& body, const Headers& headers,
                    std::chrono::milliseconds deadline) {
  asio::io_context ioc;
  HttpReply reply;
  run_within(ioc, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(ioc);
    stream.expires_after(deadline);
    co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::use_awaitable);
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    if (!body.empty() || method == http::verb::post) req.prepare_payload();
    req.keep_alive(false);
    co_await http::async_write(stream, req, asio::use_awaitable);

    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    reply.status = res.result_int();
    for (const auto& field : res) {
      reply.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    }
    reply.body = res.body();
  }(), deadline);
  return reply;
}

std::string raw_call(std::uint16_t port, const std::string& raw, std::chrono::milliseconds deadline) {
  asio::io_context ioc;
  std::string answer;
  run_within(ioc, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(ioc);
    stream.expires_after(deadline);
    co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::use_awaitable);
    // The server may answer and close before reading everything: ignore write errors.
    (void)co_await asio::async_write(stream, asio::buffer(raw), asio::as_tuple(asio::use_awaitable));
    char chunk[4096];
    while (true) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
      answer.append(chunk, n);
      if (ec) break;
    }
  }(), deadline);
  return answer;
}

}  // namespace disparo::admin::test
