#include "adapters/whatsapp/evolution_provider.hpp"

#include "adapters/whatsapp/evolution_wire.hpp"

namespace disparo::whatsapp {

using dispatch::OutcomeClass;
using dispatch::SendOutcome;

asio::awaitable<SendOutcome> EvolutionProvider::send(const dispatch::SessionEndpoint& session,
                                                     const dispatch::OutboundMessage& message) {
  auto call = build_evolution_call(message);
  if (auto* refused = std::get_if<SendOutcome>(&call)) co_return *refused;
  auto& evolution = std::get<EvolutionCall>(call);
  const std::string& instance = session.instance_name.empty() ? session.phone_number_id : session.instance_name;
  std::string base = session.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const auto url = http::parse_url(base + "/message/" + evolution.action + "/" + instance);
  if (!url || instance.empty()) {
    SendOutcome bad;
    bad.outcome = OutcomeClass::pause_session;
    bad.detail = "session base_url or instance name is not valid";
    co_return bad;
  }
  http::Request request;
  request.method = "POST";
  request.target = url->target;
  request.headers = {{"apikey", session.access_token}, {"Content-Type", "application/json"}};
  request.body = std::move(evolution.body);

  auto answer = co_await client_.send(*url, std::move(request));
  if (auto* response = std::get_if<http::Response>(&answer)) {
    co_return read_evolution_response(response->status, response->body);
  }
  const auto& failure = std::get<http::ClientError>(answer);
  SendOutcome outcome;
  // Evolution has no idempotency: after a written request we never resend blindly (§7.7).
  outcome.outcome = failure.delivery == http::Delivery::not_sent ? OutcomeClass::transient : OutcomeClass::unknown;
  outcome.detail = failure.error.message;
  co_return outcome;
}

asio::awaitable<SendOutcome> ProviderSwitch::send(const dispatch::SessionEndpoint& session,
                                                  const dispatch::OutboundMessage& message) {
  dispatch::Provider& target = session.provider == "evolution" ? evolution_ : cloud_api_;
  co_return co_await target.send(session, message);
}

}  // namespace disparo::whatsapp
