// Every Cloud API error code of reference/whatsapp-providers.md §1.6, sent as Meta sends it
// (the HTTP status from the table's "HTTP" column, the code in the error envelope), must land
// in the class that the table's "Class" column and §7 give it:
// T -> transient, S -> slow_down, R -> recipient_deferred, P -> pause_session,
// F -> permanent, C -> config_error.
#include "adapters/whatsapp/cloud_api_errors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "adapters/whatsapp/cloud_api_wire.hpp"

namespace disparo::whatsapp {
namespace {

using dispatch::OutcomeClass;

struct CodeRow {
  long code;
  int http;                          // the table's HTTP column
  std::set<OutcomeClass> accepted;   // the class(es) the reference allows
  const char* why;
};

constexpr auto T = OutcomeClass::transient;
constexpr auto S = OutcomeClass::slow_down;
constexpr auto R = OutcomeClass::recipient_deferred;
constexpr auto P = OutcomeClass::pause_session;
constexpr auto F = OutcomeClass::permanent;
constexpr auto C = OutcomeClass::config_error;

// Where the table says "F/C", or the table says C while §7.6 lists the code among the
// permanent failures (131008, 131009, 131051, 131053), either class is right: both fail the
// message without a retry.
const std::vector<CodeRow> kTable = {
    {0, 401, {P}, "AuthException"},
    {3, 500, {P}, "API Method"},
    {10, 403, {P}, "Permission denied"},
    {190, 401, {P}, "Access token has expired"},
    {200, 403, {P}, "API Permission (range start)"},
    {250, 403, {P}, "API Permission (range)"},
    {299, 403, {P}, "API Permission (range end)"},
    {4, 400, {S}, "API Too Many Calls"},
    {80007, 400, {S}, "Rate limit issues"},
    {130429, 400, {S}, "Rate limit hit (throughput)"},
    {131048, 400, {P}, "Spam rate limit hit"},
    {131056, 400, {R}, "Pair rate limit hit"},
    {133016, 400, {P}, "Register/deregister rate limit"},
    {368, 403, {P}, "Temporarily blocked for policies violations"},
    {130497, 403, {P}, "Restricted from messaging users in this country"},
    {131031, 403, {P}, "Account has been locked"},
    {1, 400, {T}, "API Unknown"},
    {2, 503, {T}, "API Service"},
    {33, 400, {P}, "Business phone number deleted"},
    {100, 400, {F, C}, "Invalid parameter (F/C)"},
    {130472, 400, {F}, "Number is part of an experiment"},
    {131000, 500, {T}, "Something went wrong"},
    {131005, 403, {P}, "Access denied"},
    {131008, 400, {C, F}, "Required parameter is missing (C; §7.6: permanent)"},
    {131009, 400, {C, F}, "Parameter value is not valid (C; §7.6: permanent)"},
    {131016, 500, {T}, "Service unavailable"},
    {131021, 400, {F}, "Recipient cannot be sender"},
    {131026, 400, {F}, "Message undeliverable"},
    {131037, 400, {P}, "Display name needs approval"},
    {131042, 400, {P}, "Business eligibility payment issue"},
    {131045, 500, {P}, "Incorrect certificate"},
    {131047, 400, {R}, "Re-engagement message"},
    {131049, 400, {R}, "Meta chose not to deliver"},
    {131050, 400, {F}, "User stopped marketing messages"},
    {131051, 400, {C, F}, "Unsupported message type (C; §7.6: permanent)"},
    {131053, 400, {C, F}, "Media upload error (C; §7.6: permanent)"},
    {131057, 500, {T}, "Account in maintenance mode"},
    {132000, 400, {C}, "Template param count mismatch"},
    {132001, 404, {C}, "Template does not exist"},
    {132005, 400, {C}, "Template hydrated text too long"},
    {132007, 400, {C}, "Template format character policy violated"},
    {132012, 400, {C}, "Template parameter format mismatch"},
    {132015, 400, {C}, "Template is paused"},
    {132016, 400, {C}, "Template is disabled"},
    {132068, 400, {C}, "Flow blocked"},
    {132069, 400, {C}, "Flow throttled"},
    {133000, 500, {P}, "Incomplete deregistration"},
    {133004, 503, {T}, "Server temporarily unavailable"},
    {133005, 400, {P}, "2-step PIN (range start)"},
    {133006, 400, {P}, "2-step PIN"},
    {133007, 400, {P}, "2-step PIN"},
    {133008, 400, {P}, "2-step PIN"},
    {133009, 400, {P}, "2-step PIN (range end)"},
    {133010, 400, {P}, "Phone number not registered"},
    {133015, 400, {P}, "Wait before registering"},
    {134011, 400, {P}, "WhatsApp Payments ToS not accepted"},
    {135000, 400, {F, C}, "Generic user error (F/C)"},
};

std::string names(const std::set<OutcomeClass>& classes) {
  std::string out;
  for (auto c : classes) out += std::string(out.empty() ? "" : "|") + dispatch::to_string(c);
  return out;
}

TEST(CloudApiErrors, EveryReferenceCodeMapsToItsClass) {
  for (const auto& row : kTable) {
    const auto got = classify_cloud_api_error(row.code);
    EXPECT_TRUE(row.accepted.contains(got))
        << row.code << " (" << row.why << "): got " << dispatch::to_string(got) << ", want " << names(row.accepted);
  }
}

TEST(CloudApiErrors, EveryReferenceCodeThroughTheWireWithItsHttpStatus) {
  for (const auto& row : kTable) {
    const std::string body = R"({"error":{"message":"(#)" + std::to_string(row.code) + R"() )" + row.why +
                             R"(","type":"OAuthException","code":)" + std::to_string(row.code) +
                             R"(,"error_data":{"messaging_product":"whatsapp","details":"d"},"fbtrace_id":"x"}})";
    const auto outcome = read_cloud_api_response(row.http, body);
    EXPECT_TRUE(row.accepted.contains(outcome.outcome))
        << row.code << " at HTTP " << row.http << ": got " << dispatch::to_string(outcome.outcome);
    EXPECT_EQ(outcome.error_code, std::to_string(row.code));
    EXPECT_EQ(outcome.http_status, row.http);
    EXPECT_EQ(outcome.detail, "d");
  }
}

TEST(CloudApiErrors, NeighboursOfRangesAreNotSwallowed) {
  // 200–299 and 133005–133009 are ranges; their neighbours are unknown codes (bounded retry).
  EXPECT_EQ(classify_cloud_api_error(199), T);
  EXPECT_EQ(classify_cloud_api_error(300), T);
  EXPECT_EQ(classify_cloud_api_error(133011), T);
}

TEST(CloudApiErrors, UnknownCodesAreRetriedBoundedly) {
  for (long code : {5L, 999L, 131999L, 140000L, -1L}) {
    EXPECT_EQ(classify_cloud_api_error(code), T) << code;
  }
}

}  // namespace
}  // namespace disparo::whatsapp
