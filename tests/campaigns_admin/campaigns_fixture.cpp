#include "tests/campaigns_admin/campaigns_fixture.hpp"

namespace disparo::admin::test {

CampaignsPg::CampaignsPg() : a_(make_tenant("camp-a")), b_(make_tenant("camp-b")) {
  session_ = create(a_, "/v1/sessions", R"({"name":"main","provider":"sandbox","base_url":"http://127.0.0.1:1/v24.0",
                                          "is_default":true})");
  server_ = create(a_, "/v1/servers", R"({"name":"panel","session_id":)" + std::to_string(session_) + "}");
  plan_ = create(a_, "/v1/plans", R"({"name":"monthly","cycle":"monthly","price_cents":3000})");
  channel_ = create(a_, "/v1/channels", R"({"name":"Facebook"})");
  template_ = make_template(a_, "Lembrete");
  b_template_ = make_template(b_, "Lembrete B");
  b_server_ = create(b_, "/v1/servers", R"({"name":"panel b"})");
}

std::int64_t CampaignsPg::make_template(const TestTenant& t, const std::string& name, bool archived) {
  return scalar("INSERT INTO message_templates (tenant_id, name, kind, body, archived_at) "
                "VALUES ($1, $2, 'text', 'Olá {nome}, seu plano vence em {vencimento}.', "
                "CASE WHEN $3::boolean THEN now() END) RETURNING id",
                {std::to_string(t.id), name, archived ? "true" : "false"});
}

std::string CampaignsPg::campaign_body(const std::string& name, std::int64_t template_id,
                                       const std::string& extra) const {
  return R"({"name":")" + name + R"(","template_id":)" + std::to_string(template_id) +
         (extra.empty() ? "" : "," + extra) + "}";
}

std::int64_t CampaignsPg::make_campaign(const TestTenant& t, const std::string& name, const std::string& extra) {
  const auto tmpl = t.id == a_.id ? template_ : b_template_;
  return create(t, "/v1/campaigns", campaign_body(name, tmpl, extra));
}

std::int64_t CampaignsPg::make_client(const TestTenant& t, const std::string& name, const std::string& phone,
                                      const std::string& extra) {
  return create(t, "/v1/clients",
                R"({"name":")" + name + R"(","phone":")" + phone + R"(")" + (extra.empty() ? "" : "," + extra) + "}");
}

std::int64_t CampaignsPg::insert_run(const TestTenant& t, std::int64_t campaign_id, const std::string& state,
                                     const std::string& trigger, const std::string& slot) {
  return scalar("INSERT INTO campaign_runs (tenant_id, campaign_id, trigger, slot_at, local_day, state, started_at) "
                "VALUES ($1, $2, $3, " + slot + ", ((" + slot + ") AT TIME ZONE 'America/Sao_Paulo')::date, $4, "
                "CASE WHEN $4 <> 'requested' THEN now() END) RETURNING id",
                {std::to_string(t.id), std::to_string(campaign_id), trigger, state});
}

std::int64_t CampaignsPg::insert_message(const TestTenant& t, std::int64_t run_id, std::int64_t client_id,
                                         const std::string& status, const std::string& reason) {
  return scalar("INSERT INTO messages (tenant_id, session_id, client_id, recipient, kind, content, priority, status, "
                "  status_reason, expires_at, origin, campaign_run_id) "
                "SELECT $1, $2, c.id, c.phone, 'text', '{\"text\":\"oi\"}', 1, $4, nullif($5, ''), "
                "  now() + interval '1 day', 'campaign', $6 FROM clients c WHERE c.id = $3 RETURNING id",
                {std::to_string(t.id), std::to_string(session_), std::to_string(client_id), status, reason,
                 std::to_string(run_id)});
}

void CampaignsPg::insert_exclusion(std::int64_t run_id, std::int64_t client_id, const std::string& reason) {
  auto rows = conn_.exec("INSERT INTO campaign_exclusions (run_id, client_id, reason) VALUES ($1, $2, $3)",
                         {std::to_string(run_id), std::to_string(client_id), reason});
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
}

}  // namespace disparo::admin::test
