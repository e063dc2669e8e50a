#include "adapters/whatsapp/cloud_api_provider.hpp"

#include "adapters/whatsapp/cloud_api_wire.hpp"

namespace disparo::whatsapp {

using dispatch::OutcomeClass;
using dispatch::SendOutcome;

asio::awaitable<SendOutcome> CloudApiProvider::send(const dispatch::SessionEndpoint& session,
                                                    const dispatch::OutboundMessage& message) {
  std::string base = session.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const auto url = http::parse_url(base + "/" + session.phone_number_id + "/messages");
  if (!url) {
    SendOutcome bad;
    bad.outcome = OutcomeClass::pause_session;
    bad.detail = "session base_url is not a valid URL";
    co_return bad;
  }
  http::Request request;
  request.method = "POST";
  request.target = url->target;
  request.headers = {{"Authorization", "Bearer " + session.access_token},
                     {"Content-Type", "application/json"}};
  request.body = build_cloud_api_body(message);

  auto answer = co_await client_.send(*url, std::move(request));
  if (auto* response = std::get_if<http::Response>(&answer)) {
    co_return read_cloud_api_response(response->status, response->body);
  }
  const auto& failure = std::get<http::ClientError>(answer);
  SendOutcome outcome;
  // Not written: safe to retry. Written but unanswered: the provider may have accepted it.
  outcome.outcome = failure.delivery == http::Delivery::not_sent ? OutcomeClass::transient
                                                                 : OutcomeClass::unknown;
  outcome.detail = failure.error.message;
  co_return outcome;
}

}  // namespace disparo::whatsapp
