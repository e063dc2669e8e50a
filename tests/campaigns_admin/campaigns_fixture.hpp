// Fixture of the campaign admin tests: the catalog fixture (private migrated database, the real
// admin service on loopback, one key per role) plus a tenant with a default session, a server,
// a plan, a channel and a text template, and helpers that write runs, messages and exclusions
// straight into the database (the dispatcher's part, so reports are tested without it).
// Test thread only.
#pragma once

#include <string>

#include "tests/admin/catalog_fixture.hpp"

namespace disparo::admin::test {

class CampaignsPg : public CatalogPg {
 protected:
  CampaignsPg();

  std::int64_t make_template(const TestTenant& t, const std::string& name, bool archived = false);
  // A minimal valid campaign body with `extra` members appended ("\"kind\":\"billing\"").
  std::string campaign_body(const std::string& name, std::int64_t template_id, const std::string& extra = "") const;
  std::int64_t make_campaign(const TestTenant& t, const std::string& name, const std::string& extra = "");
  std::int64_t make_client(const TestTenant& t, const std::string& name, const std::string& phone,
                           const std::string& extra = "");
  // A run row; `slot` is an SQL timestamptz expression.
  std::int64_t insert_run(const TestTenant& t, std::int64_t campaign_id, const std::string& state,
                          const std::string& trigger = "schedule", const std::string& slot = "now()");
  std::int64_t insert_message(const TestTenant& t, std::int64_t run_id, std::int64_t client_id,
                              const std::string& status, const std::string& reason = "");
  void insert_exclusion(std::int64_t run_id, std::int64_t client_id, const std::string& reason);

  TestTenant a_, b_;
  std::int64_t session_ = 0, server_ = 0, plan_ = 0, channel_ = 0, template_ = 0;
  std::int64_t b_template_ = 0, b_server_ = 0;
};

}  // namespace disparo::admin::test
