// EvolutionProvider: sends messages through an Evolution API server (v2), one instance per
// session: POST {base_url}/message/{action}/{instance} with the `apikey` header. Use from the
// io_context's thread.
#pragma once

#include "adapters/http/client.hpp"
#include "dispatcher/model/provider.hpp"

namespace disparo::whatsapp {

class EvolutionProvider final : public dispatch::Provider {
 public:
  explicit EvolutionProvider(http::Client& client) : client_(client) {}

  asio::awaitable<dispatch::SendOutcome> send(const dispatch::SessionEndpoint& session,
                                              const dispatch::OutboundMessage& message) override;

 private:
  http::Client& client_;
};

// ProviderSwitch: the one Provider the send engine holds; it picks the adapter by the session's
// provider ("cloud_api" and "sandbox" speak the Cloud API wire format, "evolution" Evolution's).
class ProviderSwitch final : public dispatch::Provider {
 public:
  ProviderSwitch(dispatch::Provider& cloud_api, dispatch::Provider& evolution)
      : cloud_api_(cloud_api), evolution_(evolution) {}

  asio::awaitable<dispatch::SendOutcome> send(const dispatch::SessionEndpoint& session,
                                              const dispatch::OutboundMessage& message) override;

 private:
  dispatch::Provider& cloud_api_;
  dispatch::Provider& evolution_;
};

}  // namespace disparo::whatsapp
