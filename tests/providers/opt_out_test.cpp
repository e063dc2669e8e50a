// Opt-out keywords: case- and accent-insensitive, whole message, surrounding punctuation
// ignored; only an explicit opt-in keyword opts back in (rule in dispatcher/inbound/opt_out.hpp).
#include "dispatcher/inbound/opt_out.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace disparo::dispatch {
namespace {

const std::vector<std::string> kOut{"SAIR", "PARAR", "STOP", "CANCELAR", "DESCADASTRAR"};
const std::vector<std::string> kIn{"VOLTAR"};

TEST(OptOut, KeywordsInAnyCaseAndAccent) {
  for (const char* text : {"SAIR", "sair", "Sair!", "  sair.  ", "Sáir", "PARAR", "parár", "Stop", "cancelar",
                           "Descadastrar", "DESCADASTRAR!!!", "\tstop\n"}) {
    EXPECT_EQ(match_keyword(text, kOut, kIn).action, KeywordAction::opt_out) << text;
  }
  EXPECT_EQ(match_keyword("voltar", kOut, kIn).action, KeywordAction::opt_in);
  EXPECT_EQ(match_keyword("Voltár!", kOut, kIn).action, KeywordAction::opt_in);
}

TEST(OptOut, ConversationIsNotAKeyword) {
  for (const char* text : {"", "oi", "quero sair do plano?", "não vou parar de pagar", "stopped", "SAIRR",
                           "obrigado", "ok"}) {
    EXPECT_EQ(match_keyword(text, kOut, kIn).action, KeywordAction::none) << text;
  }
}

TEST(OptOut, PerTenantListsAndFolding) {
  EXPECT_EQ(match_keyword("não quero", {"NAO QUERO"}, {}).action, KeywordAction::opt_out);
  EXPECT_EQ(match_keyword("sair", {"NAO QUERO"}, {}).action, KeywordAction::none);
  EXPECT_EQ(fold_keyword("  Ação  É  çÃO! "), "ACAO E CAO");
}

RC_GTEST_PROP(OptOut, FoldingIsIdempotentAndNeverThrows, (const std::string& text)) {
  const auto once = fold_keyword(text);
  RC_ASSERT(fold_keyword(once) == once);
  const auto match = match_keyword(text, kOut, kIn);
  RC_ASSERT(match.action == KeywordAction::none || !match.keyword.empty());
}

}  // namespace
}  // namespace disparo::dispatch
