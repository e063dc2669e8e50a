// The behaviour document parser (examples and properties: any document is either applied whole
// or rejected naming its fields) and the BehaviourEngine on a fake clock.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "common/json_writer.hpp"
#include "loadtest/sandbox/behaviour.hpp"
#include "loadtest/sandbox/behaviour_engine.hpp"

namespace disparo::sandbox {
namespace {

using namespace std::chrono_literals;

const Behaviour kDefaults = default_behaviour(100);

std::vector<FieldError> errors_of(std::string_view json) {
  auto parsed = parse_behaviour(json, kDefaults);
  if (auto* e = std::get_if<std::vector<FieldError>>(&parsed)) return *e;
  return {};
}

bool names(const std::vector<FieldError>& errors, std::string_view field) {
  return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == field; });
}

TEST(BehaviourParser, EmptyDocumentIsTheDefaults) {
  auto parsed = parse_behaviour("{}", kDefaults);
  ASSERT_TRUE(std::holds_alternative<Behaviour>(parsed));
  EXPECT_EQ(std::get<Behaviour>(parsed), kDefaults);
  EXPECT_EQ(kDefaults.webhooks.delay_ms, (MillisRange{100, 100}));
  EXPECT_EQ(kDefaults.webhooks.statuses, (std::vector<std::string>{"sent", "delivered", "read"}));
  EXPECT_FALSE(kDefaults.templates.has_value());
}

TEST(BehaviourParser, TheContractsExampleParses) {
  auto parsed = parse_behaviour(R"({
    "latency_ms": {"min": 0, "max": 0}, "http_5xx_ratio": 0.0, "reset_ratio": 0.0,
    "throughput_per_second": 0, "pair_limit_seconds": 0, "customer_window": false,
    "templates": null, "unknown_numbers": [], "wa_id_without_ninth_digit": [],
    "scripted_errors": [{"to": "+5511999990001", "code": 131048, "times": 0}],
    "webhooks": {"delay_ms": {"min": 100, "max": 100}, "duplicate_ratio": 0.0, "reorder": false,
                 "batch_max": 1, "skip_delivered_ratio": 0.0, "statuses": ["sent", "delivered", "read"]}})",
                                kDefaults);
  ASSERT_TRUE(std::holds_alternative<Behaviour>(parsed));
  const Behaviour& b = std::get<Behaviour>(parsed);
  ASSERT_EQ(b.scripted_errors.size(), 1u);
  EXPECT_EQ(b.scripted_errors[0].code, 131048);
}

TEST(BehaviourParser, EachBadFieldIsNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"latency_ms": {"min": 10, "max": 5}})", "latency_ms.max"},
      {R"({"latency_ms": 5})", "latency_ms"},
      {R"({"latency_ms": {"min": -1}})", "latency_ms.min"},
      {R"({"http_5xx_ratio": 1.5})", "http_5xx_ratio"},
      {R"({"reset_ratio": "half"})", "reset_ratio"},
      {R"({"throughput_per_second": 2.5})", "throughput_per_second"},
      {R"({"pair_limit_seconds": -6})", "pair_limit_seconds"},
      {R"({"customer_window": 1})", "customer_window"},
      {R"({"templates": {}})", "templates"},
      {R"({"templates": [{"name": "x"}]})", "templates[0].language"},
      {R"({"unknown_numbers": ["5511999990002"]})", "unknown_numbers[0]"},
      {R"({"wa_id_without_ninth_digit": [12]})", "wa_id_without_ninth_digit[0]"},
      {R"({"scripted_errors": [{"to": "+5511999990001"}]})", "scripted_errors[0].code"},
      {R"({"scripted_errors": [{"to": "+5511999990001", "code": 7}]})", "scripted_errors[0].code"},
      {R"({"scripted_errors": [{"to": "x", "code": 131048}]})", "scripted_errors[0].to"},
      {R"({"scripted_errors": [{"to": "+5511999990001", "code": 131048, "times": -1}]})",
       "scripted_errors[0].times"},
      {R"({"webhooks": {"batch_max": 1001}})", "webhooks.batch_max"},
      {R"({"webhooks": {"statuses": ["sent", "played"]}})", "webhooks.statuses[1]"},
      {R"({"webhooks": {"statuses": ["sent", "sent"]}})", "webhooks.statuses[1]"},
      {R"({"webhooks": {"duplicate_ratio": -0.1}})", "webhooks.duplicate_ratio"},
      {R"({"webhooks": {"colour": "blue"}})", "webhooks.colour"},
      {R"({"latency": 5})", "latency"},
      {R"([1, 2])", ""},
      {R"({"a":)", ""},
  };
  for (const auto& [document, field] : cases) {
    SCOPED_TRACE(document);
    const auto errors = errors_of(document);
    ASSERT_FALSE(errors.empty());
    EXPECT_TRUE(names(errors, field)) << "expected an error for '" << field << "'";
  }
}

TEST(BehaviourParser, AllErrorsAreReportedAtOnce) {
  const auto errors = errors_of(R"({"http_5xx_ratio": 2, "reset_ratio": 2, "webhooks": {"batch_max": 0}})");
  EXPECT_EQ(errors.size(), 3u);
}

TEST(BehaviourParser, RenderedDocumentParsesBackToTheSameBehaviour) {
  auto parsed = parse_behaviour(
      R"({"latency_ms": {"min": 5, "max": 50}, "templates": [{"name": "a", "language": "pt_BR"}],
          "pair_limit_seconds": 6.5, "scripted_errors": [{"to": "+5511999990001", "code": 131056, "times": 3}],
          "webhooks": {"statuses": ["read"], "batch_max": 100, "duplicate_ratio": 0.25}})",
      kDefaults);
  ASSERT_TRUE(std::holds_alternative<Behaviour>(parsed));
  const Behaviour& b = std::get<Behaviour>(parsed);
  auto again = parse_behaviour(render_behaviour(b), default_behaviour(3));
  ASSERT_TRUE(std::holds_alternative<Behaviour>(again)) << render_behaviour(b);
  EXPECT_EQ(std::get<Behaviour>(again), b);
}

// Random valid documents.
rc::Gen<Behaviour> valid_behaviour() {
  return rc::gen::exec([] {
    Behaviour b = kDefaults;
    const auto min = *rc::gen::inRange<std::int64_t>(0, 1000);
    b.latency_ms = MillisRange{min, min + *rc::gen::inRange<std::int64_t>(0, 1000)};
    b.http_5xx_ratio = *rc::gen::inRange(0, 101) / 100.0;
    b.reset_ratio = *rc::gen::inRange(0, 101) / 100.0;
    b.throughput_per_second = *rc::gen::inRange<std::int64_t>(0, 2000);
    b.pair_limit_seconds = *rc::gen::inRange(0, 600) / 10.0;
    b.customer_window = *rc::gen::arbitrary<bool>();
    if (*rc::gen::arbitrary<bool>()) {
      b.templates = std::vector<ApprovedTemplate>{{"t" + std::to_string(*rc::gen::inRange(0, 99)), "pt_BR"}};
    }
    const int n = *rc::gen::inRange(0, 4);
    for (int i = 0; i < n; ++i) {
      b.unknown_numbers.push_back("+55119" + std::to_string(10000000 + *rc::gen::inRange(0, 89999999)));
      b.scripted_errors.push_back(ScriptedError{
          "+55119" + std::to_string(10000000 + i), *rc::gen::element(131048, 131056, 130429, 2, 132001),
          *rc::gen::inRange(0, 5)});
    }
    b.webhooks.batch_max = *rc::gen::inRange(1, 1001);
    b.webhooks.reorder = *rc::gen::arbitrary<bool>();
    b.webhooks.duplicate_ratio = *rc::gen::inRange(0, 101) / 100.0;
    b.webhooks.skip_delivered_ratio = *rc::gen::inRange(0, 101) / 100.0;
    std::vector<std::string> statuses;
    for (const char* s : {"sent", "delivered", "read"}) {
      if (*rc::gen::arbitrary<bool>()) statuses.emplace_back(s);
    }
    b.webhooks.statuses = statuses;
    return b;
  });
}

RC_GTEST_PROP(BehaviourProperties, RenderThenParseIsTheIdentity, ()) {
  const Behaviour b = *valid_behaviour();
  auto parsed = parse_behaviour(render_behaviour(b), default_behaviour(*rc::gen::inRange(0, 500)));
  RC_ASSERT(std::holds_alternative<Behaviour>(parsed));
  RC_ASSERT(std::get<Behaviour>(parsed) == b);
}

RC_GTEST_PROP(BehaviourProperties, ArbitraryBytesAreAppliedWholeOrRejectedWithFields, ()) {
  const std::string bytes = *rc::gen::arbitrary<std::string>();
  auto parsed = parse_behaviour(bytes, kDefaults);
  if (auto* errors = std::get_if<std::vector<FieldError>>(&parsed)) {
    RC_ASSERT(!errors->empty());
  } else {
    // Only a few byte strings are objects at all; whatever parsed must render and parse again.
    RC_ASSERT(parse_behaviour(render_behaviour(std::get<Behaviour>(parsed)), kDefaults).index() == 0u);
  }
}

// One field of a valid document replaced by a value of the wrong kind: rejected, naming it.
RC_GTEST_PROP(BehaviourProperties, AWrongValueIsRejectedNamingItsField, ()) {
  const Behaviour b = *valid_behaviour();
  const std::vector<std::string> fields = {"latency_ms", "http_5xx_ratio", "reset_ratio", "throughput_per_second",
                                "pair_limit_seconds", "customer_window", "unknown_numbers",
                                "wa_id_without_ninth_digit", "scripted_errors", "webhooks"};
  const std::string field = *rc::gen::elementOf(fields);
  const std::string bad = *rc::gen::element<std::string>("\"text\"", "-5", "[{}]", "{\"x\":1}", "7.5e9");
  // Rebuild the document with `field` replaced (the renderer's order is stable).
  std::string doc = render_behaviour(b);
  const std::string key = "\"" + field + "\":";
  const auto at = doc.find(key);
  RC_ASSERT(at != std::string::npos);
  // The value ends where the next top-level key (or the closing brace) starts.
  std::size_t depth = 0, end = at + key.size();
  bool in_string = false;
  for (; end < doc.size(); ++end) {
    const char c = doc[end];
    if (in_string) {
      if (c == '\\') ++end;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) break;
  }
  const std::string mutated = doc.substr(0, at + key.size()) + bad + doc.substr(end);
  // Some replacements are valid for some fields (e.g. "[{}]"... never; "7.5e9" never fits either);
  // customer_window accepts none of them, ratios none, lists need strings or objects with fields.
  auto parsed = parse_behaviour(mutated, kDefaults);
  RC_ASSERT(parsed.index() == 1u);
  const auto& errors = std::get<std::vector<FieldError>>(parsed);
  RC_ASSERT(std::any_of(errors.begin(), errors.end(),
                        [&](const FieldError& e) { return e.field.starts_with(field); }));
}

class EngineTest : public ::testing::Test {
 protected:
  FakeClock clock_{SysTime(std::chrono::seconds(1'750'000'000))};
  BehaviourEngine engine_{default_behaviour(100), 42, clock_};

  void apply(std::string_view json) {
    auto parsed = parse_behaviour(json, engine_.defaults());
    ASSERT_TRUE(std::holds_alternative<Behaviour>(parsed)) << json;
    engine_.replace(std::get<Behaviour>(parsed));
  }
};

TEST_F(EngineTest, TokenBucketRefillsWithTime) {
  apply(R"({"throughput_per_second": 80})");
  int accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += engine_.throughput_exceeded("pnid") ? 0 : 1;
  EXPECT_EQ(accepted, 80) << "one second of burst";
  clock_.advance(std::chrono::milliseconds(100));
  accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += engine_.throughput_exceeded("pnid") ? 0 : 1;
  EXPECT_EQ(accepted, 8) << "80/s refills 8 in 100 ms";
  EXPECT_FALSE(engine_.throughput_exceeded("another"));
}

TEST_F(EngineTest, PairLimitCountsFromTheLastAcceptedSend) {
  apply(R"({"pair_limit_seconds": 6})");
  EXPECT_FALSE(engine_.pair_limited("p", "5511987654321"));
  clock_.advance(5s);
  EXPECT_TRUE(engine_.pair_limited("p", "5511987654321"));
  EXPECT_FALSE(engine_.pair_limited("p", "5511987654322"));
  clock_.advance(1s);
  EXPECT_FALSE(engine_.pair_limited("p", "551187654321")) << "6 s later; same person without the 9";
}

TEST_F(EngineTest, CustomerWindowLastsTwentyFourHours) {
  apply(R"({"customer_window": true})");
  EXPECT_TRUE(engine_.window_closed("p", "5511987654321"));
  engine_.record_inbound("p", "551187654321");
  EXPECT_FALSE(engine_.window_closed("p", "5511987654321"));
  EXPECT_TRUE(engine_.window_closed("q", "5511987654321"));
  clock_.advance(std::chrono::hours(24) - 1s);
  EXPECT_FALSE(engine_.window_closed("p", "5511987654321"));
  clock_.advance(1s);
  EXPECT_TRUE(engine_.window_closed("p", "5511987654321"));
  apply(R"({"customer_window": false})");
  EXPECT_FALSE(engine_.window_closed("p", "5511987654321"));
}

TEST_F(EngineTest, ScriptedErrorsCountTimesThenFallThrough) {
  apply(R"({"scripted_errors": [{"to": "+5511999990001", "code": 131048, "times": 1},
                                 {"to": "+5511999990001", "code": 131056, "times": 1}]})");
  EXPECT_EQ(engine_.scripted_error("5511999990001"), 131048);
  EXPECT_EQ(engine_.scripted_error("5511999990001"), 131056);
  EXPECT_EQ(engine_.scripted_error("5511999990001"), std::nullopt);
  EXPECT_EQ(engine_.scripted_error("5511999990002"), std::nullopt);
}

TEST_F(EngineTest, PlansFollowTheWebhookBehaviour) {
  EXPECT_FALSE(engine_.webhooks_customised());
  apply(R"({"webhooks": {"delay_ms": {"min": 10, "max": 20}, "reorder": true, "skip_delivered_ratio": 1}})");
  EXPECT_TRUE(engine_.webhooks_customised());
  const auto plan = engine_.plan_statuses(false);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].status, "read");
  EXPECT_EQ(plan[1].status, "sent");
  for (const auto& p : plan) {
    EXPECT_GE(p.delay, 10ms);
    EXPECT_LE(p.delay, 20ms);
    EXPECT_FALSE(p.duplicate);
  }
  const auto failed = engine_.plan_statuses(true);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status, "failed");
  EXPECT_EQ(failed[0].error_code, 131026);
}

TEST_F(EngineTest, WaIdDropsTheNinthDigitOnlyForListedNumbers) {
  apply(R"({"wa_id_without_ninth_digit": ["+5531987654321"]})");
  EXPECT_EQ(engine_.wa_id("5531987654321"), "553187654321");
  EXPECT_EQ(engine_.wa_id("5531987654320"), "5531987654320");
  EXPECT_EQ(without_ninth_digit("5511387654321"), "5511387654321") << "landline-like: no 9 to drop";
  EXPECT_EQ(without_ninth_digit("14155550100"), "14155550100");
}

TEST(EngineDeterminism, TheSameSeedGivesTheSameDraws) {
  FakeClock clock{SysTime(std::chrono::seconds(1'750'000'000))};
  auto draws = [&](std::uint64_t seed) {
    BehaviourEngine engine(default_behaviour(100), seed, clock);
    auto parsed = parse_behaviour(
        R"({"http_5xx_ratio": 0.3, "reset_ratio": 0.2, "latency_ms": {"min": 0, "max": 1000},
            "webhooks": {"duplicate_ratio": 0.5, "skip_delivered_ratio": 0.5, "delay_ms": {"min": 0, "max": 99}}})",
        engine.defaults());
    engine.replace(std::get<Behaviour>(parsed));
    std::string out;
    for (int i = 0; i < 200; ++i) {
      out += std::to_string(static_cast<int>(engine.transport_fault()));
      out += std::to_string(engine.latency().count()) + ",";
      for (const auto& p : engine.plan_statuses(false)) {
        out += p.status + std::to_string(p.delay.count()) + (p.duplicate ? "d" : "") + ";";
      }
    }
    return out;
  };
  EXPECT_EQ(draws(7), draws(7));
  EXPECT_NE(draws(7), draws(8));
  const std::string d = draws(7);
  EXPECT_NE(d.find("delivered"), std::string::npos);
  EXPECT_NE(d.find("d;"), std::string::npos) << "some statuses are duplicated";
}

}  // namespace
}  // namespace disparo::sandbox
