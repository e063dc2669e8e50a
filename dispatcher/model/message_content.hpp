// MessageContent: what a message says, independent of any provider's wire format.
//
// Stored in messages.content (jsonb) in our own canonical shape and turned into each provider's
// body by its adapter. Pure values; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/expected.hpp"

namespace disparo::dispatch {

struct TextContent {
  std::string body;
  bool preview_url = false;
};

// An approved provider template; body parameters are positional ({{1}}, {{2}}, ...).
struct TemplateContent {
  std::string name;
  std::string language;  // "pt_BR"
  std::vector<std::string> body_params;
};

// Media by link.
struct MediaContent {
  std::string type;  // image | video | document | audio
  std::string url;
  std::string caption;   // not for audio
  std::string filename;  // document only
};

// A contact card (e.g. the support number): a name and phones in E.164.
struct ContactContent {
  std::string name;
  std::vector<std::string> phones;
};

using MessageContent = std::variant<TextContent, TemplateContent, MediaContent, ContactContent>;

// "text" | "template" | "media" | "contact": the messages.kind column.
std::string_view kind_of(const MessageContent& content);

// Canonical JSON stored in messages.content.
std::string content_to_json(const MessageContent& content);
// Reads it back (our own stored JSON); invalid_argument when it does not match `kind`.
Expected<MessageContent> content_from_json(std::string_view kind, std::string_view json);

// Limits shared by validation and the providers (Cloud API: text body 4096, caption 1024).
inline constexpr std::size_t kMaxTextBody = 4096;
inline constexpr std::size_t kMaxCaption = 1024;
inline constexpr std::size_t kMaxTemplateParams = 32;
inline constexpr std::size_t kMaxContactPhones = 5;

}  // namespace disparo::dispatch
