// Opt-out and opt-in keywords in inbound messages (issue 4). Pure; thread-safe.
//
// Rule: a message whose whole text, trimmed of spaces and punctuation, compared upper-case and
// without accents, equals one of the tenant's opt-out keywords (default SAIR, PARAR, STOP,
// CANCELAR, DESCADASTRAR) opts the person out of marketing; one that equals an opt-in keyword
// (default VOLTAR) opts them back in. Any other message changes nothing: a person answering
// "pode parar de mandar?" or a payment question is not a keyword, and replying to a reminder
// must not silently re-subscribe someone who said SAIR (only an explicit VOLTAR does).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace disparo::dispatch {

// Upper-case, Latin accents removed (á -> A, ç -> C), surrounding spaces and punctuation
// trimmed, inner runs of spaces collapsed. Invalid UTF-8 bytes are kept as they are.
std::string fold_keyword(std::string_view text);

enum class KeywordAction { none, opt_out, opt_in };

struct KeywordMatch {
  KeywordAction action = KeywordAction::none;
  std::string keyword;  // the folded keyword that matched
};

KeywordMatch match_keyword(std::string_view text, const std::vector<std::string>& opt_out_keywords,
                           const std::vector<std::string>& opt_in_keywords);

}  // namespace disparo::dispatch
