// /v1/scheduled-messages over HTTP: to a client through a template or a text, or to any number;
// send_at bounds; the listing with status, reason, filters and cursor; cancel while queued with
// the same semantics as the dispatcher's DELETE /v1/messages/{id} (status cancelled + event).
#include <ctime>
#include <set>

#include "tests/templates/templates_fixture.hpp"

namespace disparo::admin::test {
namespace {

using boost::beast::http::verb;

std::string utc_in(std::chrono::seconds ahead) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

class ScheduledMessages : public TemplatesPg {};

TEST_F(ScheduledMessages, ToAClientThroughATemplateAtTheChosenTime) {
  auto t = make_tenant("America/Manaus");
  const auto s = session(t, "padrao");
  const auto c = client(t);
  const auto tmpl = text_template(t, "lembrete", "Oi {nome}, hoje {data} às {hora}");
  // 2026-... is in the past; pick a fixed local time ahead: tomorrow 15:00 UTC = 11:00 in Manaus.
  const auto day_ahead = utc_in(std::chrono::hours(24)).substr(0, 10);
  const auto send_at = day_ahead + "T15:00:00Z";
  auto created = call(verb::post, "/v1/scheduled-messages", t.keys.at("support"),
                      R"({"client_id":)" + std::to_string(c) + R"(,"template_id":)" + std::to_string(tmpl) +
                          R"(,"send_at":")" + send_at + R"(","idempotency_key":"k1"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto doc = json(created).as_object();
  EXPECT_EQ(doc.at("status").as_string(), "queued");
  EXPECT_EQ(doc.at("send_at").as_string(), day_ahead + "T15:00:00.000000Z");
  EXPECT_EQ(doc.at("to").as_string(), "+5511987654321");
  EXPECT_EQ(doc.at("session_id").as_int64(), s);
  EXPECT_EQ(doc.at("template_id").as_int64(), tmpl);
  const std::string local = day_ahead.substr(8, 2) + "/" + day_ahead.substr(5, 2) + "/" + day_ahead.substr(0, 4);
  EXPECT_EQ(doc.at("text").as_string(), "Oi Maria, hoje " + local + " às 11:00");
  const auto id = std::to_string(doc.at("id").as_int64());
  EXPECT_EQ(sql("SELECT origin || ' ' || priority FROM messages WHERE id = $1", {id}), "scheduled 0");

  // The same idempotency key returns the original.
  auto again = call(verb::post, "/v1/scheduled-messages", t.owner(),
                    R"({"client_id":)" + std::to_string(c) + R"(,"text":"other","send_at":")" + send_at +
                        R"(","idempotency_key":"k1"})");
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(std::to_string(json(again).at("id").as_int64()), id);
}

TEST_F(ScheduledMessages, ToAnyNumberWithText) {
  auto t = make_tenant();
  session(t, "padrao");
  auto created = call(verb::post, "/v1/scheduled-messages", t.owner(),
                      R"({"to":"(21) 99876-5432","text":"Mensagem da {empresa}","send_at":")" +
                          utc_in(std::chrono::hours(1)) + R"("})");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(json(created).at("to").as_string(), "+5521998765432");
  EXPECT_EQ(json(created).at("client_id"), boost::json::value(nullptr));
  EXPECT_EQ(json(created).at("text").as_string(), "Mensagem da Tenant " + t.slug);

  auto client_placeholder = call(verb::post, "/v1/scheduled-messages", t.owner(),
                                 R"({"to":"+5521998765432","text":"Oi {nome}","send_at":")" +
                                     utc_in(std::chrono::hours(1)) + R"("})");
  EXPECT_EQ(client_placeholder.status, 422u);
  EXPECT_EQ(field_of_first_error(client_placeholder), "text");
}

TEST_F(ScheduledMessages, InvalidRequestsListEveryFieldError) {
  auto t = make_tenant();
  session(t, "padrao");
  auto both = call(verb::post, "/v1/scheduled-messages", t.owner(),
                   R"({"client_id":1,"to":"+5521998765432","template_id":1,"text":"x","send_at":"tomorrow"})");
  ASSERT_EQ(both.status, 422u);
  std::set<std::string> fields;
  const auto both_doc = json(both);
  for (const auto& e : both_doc.at("errors").as_array()) fields.insert(std::string(e.at("field").as_string()));
  EXPECT_TRUE(fields.count("to"));
  EXPECT_TRUE(fields.count("text"));
  EXPECT_TRUE(fields.count("template_id"));
  EXPECT_TRUE(fields.count("send_at"));

  auto none = call(verb::post, "/v1/scheduled-messages", t.owner(), R"({"send_at":")" + utc_in(std::chrono::hours(1)) + R"("})");
  EXPECT_EQ(none.status, 422u);
  auto past = call(verb::post, "/v1/scheduled-messages", t.owner(),
                   R"({"to":"+5521998765432","text":"x","send_at":")" + utc_in(-std::chrono::hours(1)) + R"("})");
  EXPECT_EQ(past.status, 422u);
  EXPECT_EQ(field_of_first_error(past), "send_at");
  auto far = call(verb::post, "/v1/scheduled-messages", t.owner(),
                  R"({"to":"+5521998765432","text":"x","send_at":")" + utc_in(std::chrono::hours(24 * 40)) + R"("})");
  EXPECT_EQ(far.status, 422u);
  auto bad_phone = call(verb::post, "/v1/scheduled-messages", t.owner(),
                        R"({"to":"12","text":"x","send_at":")" + utc_in(std::chrono::hours(1)) + R"("})");
  EXPECT_EQ(field_of_first_error(bad_phone), "to");
}

TEST_F(ScheduledMessages, WithoutASessionIsAConflict) {
  auto t = make_tenant();
  auto reply = call(verb::post, "/v1/scheduled-messages", t.owner(),
                    R"({"to":"+5521998765432","text":"x","send_at":")" + utc_in(std::chrono::hours(1)) + R"("})");
  EXPECT_EQ(reply.status, 409u) << reply.body;
}

TEST_F(ScheduledMessages, ListingShowsStatusAndReasonWithFiltersAndCursor) {
  auto t = make_tenant();
  session(t, "padrao");
  const auto c = client(t);
  std::vector<std::int64_t> ids;
  for (int i = 1; i <= 3; ++i) {
    auto reply = call(verb::post, "/v1/scheduled-messages", t.owner(),
                      R"({"client_id":)" + std::to_string(c) + R"(,"text":"n)" + std::to_string(i) +
                          R"(","send_at":")" + utc_in(std::chrono::hours(i)) + R"("})");
    ASSERT_EQ(reply.status, 201u) << reply.body;
    ids.push_back(json(reply).at("id").as_int64());
  }
  // The dispatcher failed one: status and reason come from the messages table.
  sql("UPDATE messages SET status = 'failed', status_reason = 'provider_rejected' WHERE id = $1",
      {std::to_string(ids[0])});
  // A message that is not scheduled never shows up here.
  sql("INSERT INTO messages (tenant_id, session_id, recipient, kind, content, status, expires_at) "
      "SELECT $1, id, '+5511987654321', 'text', '{}', 'queued', now() + interval '1 day' "
      "FROM whatsapp_sessions WHERE tenant_id = $1",
      {std::to_string(t.id)});

  auto first = call(verb::get, "/v1/scheduled-messages?limit=2", t.owner());
  ASSERT_EQ(first.status, 200u) << first.body;
  auto page = json(first).as_object();
  ASSERT_EQ(page.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.at("items").as_array()[0].at("id").as_int64(), ids[2]);  // latest send_at first
  ASSERT_TRUE(page.at("next_cursor").is_string());
  auto second = call(verb::get, "/v1/scheduled-messages?limit=2&cursor=" + std::string(page.at("next_cursor").as_string()),
                     t.owner());
  ASSERT_EQ(second.status, 200u) << second.body;
  const auto rest = json(second).at("items").as_array();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].at("id").as_int64(), ids[0]);
  EXPECT_EQ(rest[0].at("status").as_string(), "failed");
  EXPECT_EQ(rest[0].at("reason").as_string(), "provider_rejected");
  EXPECT_TRUE(json(second).at("next_cursor").is_null());

  auto failed = call(verb::get, "/v1/scheduled-messages?status=failed&client_id=" + std::to_string(c), t.owner());
  EXPECT_EQ(json(failed).at("items").as_array().size(), 1u);
  auto bad = call(verb::get, "/v1/scheduled-messages?status=lost&limit=0&cursor=x&sort=up", t.owner());
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(json(bad).at("errors").as_array().size(), 4u);
}

TEST_F(ScheduledMessages, CancelWhileQueuedRecordsTheEvent) {
  auto t = make_tenant();
  session(t, "padrao");
  auto created = call(verb::post, "/v1/scheduled-messages", t.owner(),
                      R"({"to":"+5521998765432","text":"x","send_at":")" + utc_in(std::chrono::hours(1)) + R"("})");
  ASSERT_EQ(created.status, 201u);
  const auto item = "/v1/scheduled-messages/" + std::to_string(json(created).at("id").as_int64());
  auto cancelled = call(verb::delete_, item, t.keys.at("support"));
  ASSERT_EQ(cancelled.status, 200u) << cancelled.body;
  EXPECT_EQ(json(cancelled).at("status").as_string(), "cancelled");
  EXPECT_EQ(json(cancelled).at("reason").as_string(), "cancelled by operator");
  const auto events = json(cancelled).at("events").as_array();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].at("status").as_string(), "cancelled");

  auto twice = call(verb::delete_, item, t.owner());
  EXPECT_EQ(twice.status, 409u);
  EXPECT_EQ(twice.header("content-type"), "application/problem+json");

  // A message the dispatcher is already sending cannot be cancelled.
  auto other = call(verb::post, "/v1/scheduled-messages", t.owner(),
                    R"({"to":"+5521998765432","text":"y","send_at":")" + utc_in(std::chrono::hours(1)) + R"("})");
  const auto other_id = json(other).at("id").as_int64();
  sql("UPDATE messages SET status = 'sending' WHERE id = $1", {std::to_string(other_id)});
  EXPECT_EQ(call(verb::delete_, "/v1/scheduled-messages/" + std::to_string(other_id), t.owner()).status, 409u);
  EXPECT_EQ(call(verb::delete_, "/v1/scheduled-messages/999999999", t.owner()).status, 404u);
}

}  // namespace
}  // namespace disparo::admin::test
