// CloudApiProvider: sends messages through Meta's Cloud API (or the sandbox, which speaks the
// same wire format) with the project's HTTP client. Use from the io_context's thread.
#pragma once

#include "adapters/http/client.hpp"
#include "dispatcher/model/provider.hpp"

namespace disparo::whatsapp {

class CloudApiProvider final : public dispatch::Provider {
 public:
  explicit CloudApiProvider(http::Client& client) : client_(client) {}

  asio::awaitable<dispatch::SendOutcome> send(const dispatch::SessionEndpoint& session,
                                              const dispatch::OutboundMessage& message) override;

 private:
  http::Client& client_;
};

}  // namespace disparo::whatsapp
