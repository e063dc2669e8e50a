#include "loadtest/bench_support/message_batches.hpp"

#include <array>
#include <cstdio>

namespace disparo::bench {

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string recipient_for(std::int64_t index) {
  char phone[32];
  // São Paulo mobiles with the ninth digit: +55 11 9xxxx-xxxx.
  std::snprintf(phone, sizeof phone, "+55119%08lld", static_cast<long long>(10'000'000 + index % 89'999'999));
  return phone;
}

std::string text_for(std::int64_t index) {
  static constexpr std::array<const char*, 4> kPlans = {"Básico", "Premium", "Família", "Ultra HD"};
  char text[256];
  std::snprintf(text, sizeof text,
                "Olá! Sua fatura de R$ %lld,90 do plano %s vence em %02lld/12. Pague pelo PIX e "
                "evite a suspensão do acesso. Ref. %08lld",
                static_cast<long long>(29 + index % 60), kPlans[static_cast<std::size_t>(index % 4)],
                static_cast<long long>(1 + index % 28), static_cast<long long>(index));
  return text;
}

std::string content_json_for(std::int64_t index) {
  return R"({"body": ")" + json_escape(text_for(index)) + R"(", "preview_url": false})";
}

std::string batch_body(const std::vector<MessageSpec>& messages) {
  std::string body;
  body.reserve(messages.size() * 200 + 32);
  body += R"({"messages":[)";
  bool first = true;
  for (const auto& m : messages) {
    if (!first) body += ',';
    first = false;
    body += R"({"to":")" + recipient_for(m.index) + R"(","text":")" + json_escape(text_for(m.index)) + '"';
    if (m.session != 0) body += R"(,"session":)" + std::to_string(m.session);
    if (!m.send_at.empty()) body += R"(,"send_at":")" + m.send_at + '"';
    body += '}';
  }
  body += "]}";
  return body;
}

std::vector<MessageSpec> specs(std::int64_t first_index, std::int64_t count,
                               const std::vector<std::int64_t>& sessions) {
  std::vector<MessageSpec> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    MessageSpec m;
    m.index = first_index + i;
    if (!sessions.empty()) m.session = sessions[static_cast<std::size_t>(m.index) % sessions.size()];
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace disparo::bench
