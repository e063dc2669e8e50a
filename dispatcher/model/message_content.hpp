// MessageContent: what a message says, independent of any provider's wire format.
//
// Stored in messages.content (jsonb) in our own canonical shape and turned into each provider's
// body by its adapter. Pure values; thread-compatible.
#pragma once

#include <optional>
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

// A named body parameter ({{first_name}}): values may come in any order (reference §1.3).
struct NamedParam {
  std::string name;   // lowercase letters, digits and underscores
  std::string value;
  bool operator==(const NamedParam&) const = default;
};

// A template header with media (image, video or document by link).
struct TemplateHeaderMedia {
  std::string type;      // image | video | document
  std::string url;
  std::string filename;  // document only
  bool operator==(const TemplateHeaderMedia&) const = default;
};

// A dynamic template button: the suffix of a URL button, or a quick-reply payload.
struct TemplateButton {
  std::string sub_type;  // url | quick_reply
  int index = 0;         // the button's position in the template (0..9)
  std::string text;      // URL suffix or payload
  bool operator==(const TemplateButton&) const = default;
};

// An approved provider template. Body parameters are either positional ({{1}}, {{2}}, ...,
// body_params, in order of appearance) or named (named_params); never both.
struct TemplateContent {
  std::string name;
  std::string language;  // "pt_BR"
  std::vector<std::string> body_params;
  std::vector<NamedParam> named_params = {};
  std::optional<TemplateHeaderMedia> header_media = std::nullopt;
  std::vector<TemplateButton> buttons = {};
};

// Media by link. An audio with voice=true is a voice note (PTT; OGG/OPUS).
struct MediaContent {
  std::string type;  // image | video | document | audio
  std::string url;
  std::string caption;   // not for audio
  std::string filename;  // document only
  bool voice = false;    // audio only
};

// A contact card (e.g. the support number): a name and phones in E.164.
struct ContactContent {
  std::string name;
  std::vector<std::string> phones;
  std::string organization = {};
  std::string email = {};
};

// One quick-reply button of an interactive message.
struct ReplyButton {
  std::string id;     // up to 256 bytes; comes back in the user's tap
  std::string title;  // up to 20 characters
  bool operator==(const ReplyButton&) const = default;
};

// An interactive message with up to 3 reply buttons (reference §1.3 "Interactive reply buttons").
struct ButtonsContent {
  std::string body;    // up to 1024
  std::string footer;  // up to 60, may be empty
  std::string header;  // text header, may be empty
  std::vector<ReplyButton> buttons;
};

using MessageContent =
    std::variant<TextContent, TemplateContent, MediaContent, ContactContent, ButtonsContent>;

// "text" | "template" | "media" | "contact" | "buttons": the messages.kind column.
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
inline constexpr std::size_t kMaxReplyButtons = 3;
inline constexpr std::size_t kMaxButtonTitle = 20;     // characters (UTF-8 code points)
inline constexpr std::size_t kMaxButtonId = 256;
inline constexpr std::size_t kMaxButtonsBody = 1024;
inline constexpr std::size_t kMaxButtonsFooter = 60;
inline constexpr std::size_t kMaxTemplateButtons = 10;

}  // namespace disparo::dispatch
