#include "dispatcher/inbound/opt_out.hpp"

#include <cctype>

namespace disparo::dispatch {
namespace {

// Latin-1 Supplement letters (U+00C0..U+00FF) to their base letter, upper case; 0 = keep.
char base_letter(unsigned code) {
  static constexpr const char* kTable =
      "AAAAAAACEEEEIIII"   // C0-CF: À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
      "DNOOOOO\0OUUUUYTS"  // D0-DF: Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
      "AAAAAAACEEEEIIII"   // E0-EF
      "DNOOOOO\0OUUUUYTY";  // F0-FF
  if (code < 0xC0 || code > 0xFF) return 0;
  return kTable[code - 0xC0];
}

bool is_trimmable(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || std::ispunct(static_cast<unsigned char>(c));
}

}  // namespace

std::string fold_keyword(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isspace(c)) {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      } else {
        out.push_back(static_cast<char>(std::toupper(c)));
      }
      continue;
    }
    // Two-byte sequence C3 xx encodes U+00C0..U+00FF.
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if ((next & 0xC0) == 0x80) {
        const unsigned code = 0xC0u + (next & 0x3Fu);
        if (char base = base_letter(code); base != 0) {
          out.push_back(base);
          ++i;
          continue;
        }
      }
    }
    out.push_back(static_cast<char>(c));
  }
  std::size_t begin = 0, end = out.size();
  while (begin < end && is_trimmable(out[begin])) ++begin;
  while (end > begin && is_trimmable(out[end - 1])) --end;
  return out.substr(begin, end - begin);
}

KeywordMatch match_keyword(std::string_view text, const std::vector<std::string>& opt_out_keywords,
                           const std::vector<std::string>& opt_in_keywords) {
  if (text.size() > 200) return {};  // keywords are short; a long text is a conversation
  const std::string folded = fold_keyword(text);
  if (folded.empty()) return {};
  for (const auto& keyword : opt_out_keywords) {
    if (fold_keyword(keyword) == folded) return {KeywordAction::opt_out, folded};
  }
  for (const auto& keyword : opt_in_keywords) {
    if (fold_keyword(keyword) == folded) return {KeywordAction::opt_in, folded};
  }
  return {};
}

}  // namespace disparo::dispatch
