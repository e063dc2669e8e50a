// PUT/GET /_sandbox/behaviour through the pure handler, fuzz-style: any document that does not
// parse is refused with 400 problem+json naming fields, and the behaviour in force stays as it was.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>

#include "loadtest/sandbox/sandbox_service.hpp"
#include "tests/sandbox/json_probe.hpp"

namespace disparo::sandbox {
namespace {

using test::JsonProbe;

struct NullScheduler final : StatusScheduler {
  void schedule(AcceptedMessage) override { ++scheduled; }
  int scheduled = 0;
};

struct Handler {
  Handler()
      : sink(std::fopen("/dev/null", "w")),
        clock(SysTime(std::chrono::seconds(1'750'000'000))),
        logger("sandbox-test", log::Level::error, sink),
        engine(default_behaviour(100), 1, clock),
        service(ServiceOptions{"token"}, recorder, scheduler, clock, logger, nullptr, &engine) {}
  ~Handler() { std::fclose(sink); }

  http::Response call(std::string method, std::string body = {}) {
    http::Request r;
    r.method = std::move(method);
    r.target = "/_sandbox/behaviour";
    r.body = std::move(body);
    return service.handle_now(r);
  }

  std::FILE* sink;
  FakeClock clock;
  log::Logger logger;
  Recorder recorder;
  NullScheduler scheduler;
  BehaviourEngine engine;
  SandboxService service;
};

// Documents built from the contract's field names with values of every JSON kind, so the
// generator reaches the field checks instead of stopping at "not JSON".
rc::Gen<std::string> json_value() {
  return rc::gen::element<std::string>("0", "1", "-1", "0.5", "2", "1e9", "true", "false", "null",
                                       "\"x\"", "\"+5511999990001\"", "[]", "{}", "[1]",
                                       "[\"+5511999990001\"]", "{\"min\":5,\"max\":1}",
                                       "{\"min\":1,\"max\":5}", "[{\"to\":\"+5511999990001\",\"code\":131048}]",
                                       "[{\"name\":\"a\",\"language\":\"pt_BR\"}]",
                                       "{\"batch_max\":0}", "{\"statuses\":[\"sent\"]}");
}

rc::Gen<std::string> document() {
  return rc::gen::exec([] {
    const std::vector<std::string> keys = {
        "latency_ms", "http_5xx_ratio", "reset_ratio", "throughput_per_second",
        "pair_limit_seconds", "customer_window", "templates", "unknown_numbers",
        "wa_id_without_ninth_digit", "scripted_errors", "webhooks", "bogus"};
    const int n = *rc::gen::inRange(0, 5);
    std::string doc = "{";
    for (int i = 0; i < n; ++i) {
      if (i > 0) doc += ",";
      doc += "\"" + *rc::gen::elementOf(keys) + "\":" + *json_value();
    }
    doc += "}";
    return doc;
  });
}

RC_GTEST_PROP(BehaviourRoute, RefusedDocumentsNameFieldsAndChangeNothing, ()) {
  Handler h;
  const http::Response first = h.call("PUT", R"({"throughput_per_second": 7})");
  RC_ASSERT(first.status == 200);
  const std::string before = h.call("GET").body;

  const std::string doc = *rc::gen::oneOf(document(), rc::gen::arbitrary<std::string>());
  const http::Response r = h.call("PUT", doc);
  if (r.status == 200) {
    RC_ASSERT(r.body == h.call("GET").body);  // applied whole: the answer is the new document
    return;
  }
  RC_ASSERT(r.status == 400);
  RC_ASSERT(r.header("Content-Type") == std::optional<std::string_view>("application/problem+json"));
  const JsonProbe p(r.body);
  RC_ASSERT(p.num("/status") == std::optional<std::int64_t>(400));
  RC_ASSERT(p.size("/errors") > 0u);
  RC_ASSERT(p.str("/errors/0/field").has_value());
  RC_ASSERT(p.str("/errors/0/message").has_value());
  RC_ASSERT(h.call("GET").body == before);
}

TEST(BehaviourRoute, OnlyGetAndPut) {
  Handler h;
  const http::Response r = h.call("POST", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, PUT");
}

}  // namespace
}  // namespace disparo::sandbox
