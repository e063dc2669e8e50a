#include "tests/templates/templates_fixture.hpp"

namespace disparo::admin::test {

using boost::beast::http::verb;

std::int64_t TemplatesPg::session(const MoneyTenant& t, const std::string& name, const std::string& provider,
                                  bool is_default) {
  return sql_int("INSERT INTO whatsapp_sessions (tenant_id, name, provider, base_url, is_default) "
                 "VALUES ($1, $2, $3, 'http://127.0.0.1:1/v24.0', $4) RETURNING id",
                 {std::to_string(t.id), name, provider, is_default ? "true" : "false"});
}

std::int64_t TemplatesPg::server(const MoneyTenant& t, const std::string& name, std::int64_t session_id) {
  return sql_int("INSERT INTO servers (tenant_id, name, session_id) VALUES ($1, $2, $3) RETURNING id",
                 {std::to_string(t.id), name, std::to_string(session_id)});
}

std::int64_t TemplatesPg::client(const MoneyTenant& t, const std::string& name, const std::string& phone) {
  return sql_int("INSERT INTO clients (tenant_id, name, phone, username, password, due_date, amount_cents) "
                 "VALUES ($1, $2, $3, 'maria01', 's3nha', '2026-03-10', 3500) RETURNING id",
                 {std::to_string(t.id), name, phone});
}

std::int64_t TemplatesPg::create_template(const MoneyTenant& t, const std::string& body) {
  auto reply = call(verb::post, "/v1/templates", t.owner(), body);
  EXPECT_EQ(reply.status, 201u) << reply.body;
  if (reply.status != 201u) return 0;
  return json(reply).at("id").as_int64();
}

std::int64_t TemplatesPg::text_template(const MoneyTenant& t, const std::string& name, const std::string& text) {
  boost::json::object body{{"name", name}, {"kind", "text"}, {"body", text}};
  return create_template(t, boost::json::serialize(body));
}

std::string TemplatesPg::field_of_first_error(const HttpReply& reply) {
  auto doc = boost::json::parse(reply.body);
  const auto* errors = doc.as_object().if_contains("errors");
  if (!errors || errors->as_array().empty()) return {};
  return std::string(errors->as_array().at(0).at("field").as_string());
}

}  // namespace disparo::admin::test
