// Provider: the interface through which the dispatcher sends one message to a WhatsApp provider.
//
// Declared by the core, implemented in adapters/whatsapp (Cloud API, Evolution API) and
// by test fakes. Called from the dispatcher's io_context thread; send() never throws for
// expected failures: they come back as a SendOutcome.
#pragma once

#include <cstdint>
#include <string>

#include <asio/awaitable.hpp>

#include "dispatcher/model/message_content.hpp"
#include "dispatcher/model/send_outcome.hpp"

namespace disparo::dispatch {

// Where and as whom a session sends. access_token is a secret: never logged.
struct SessionEndpoint {
  std::int64_t session_id = 0;
  std::string provider;         // cloud_api | evolution | sandbox
  std::string base_url;         // "https://graph.facebook.com/v24.0"
  std::string phone_number_id;  // Cloud API sender id
  std::string access_token;     // Cloud API bearer token; Evolution apikey
  std::string instance_name;    // Evolution instance ("" = use phone_number_id)
};

struct OutboundMessage {
  std::int64_t id = 0;      // our message id; echoed as biz_opaque_callback_data
  std::string recipient;    // E.164
  MessageContent content;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual asio::awaitable<SendOutcome> send(const SessionEndpoint& session,
                                            const OutboundMessage& message) = 0;
};

}  // namespace disparo::dispatch
