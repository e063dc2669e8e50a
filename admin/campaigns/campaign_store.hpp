// SQL for campaigns: read, create, update, delete (archive when runs exist), "run now" and the
// preset campaigns (a pt-BR template and its campaign in one transaction). Answers are the
// API's JSON. Blocking: call from a worker thread through with_db().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "adapters/postgres/pg.hpp"
#include "admin/campaigns/campaign_input.hpp"

namespace disparo::admin::campaigns {

// A store's answer: the JSON body, or the field errors that make the request invalid (422, all
// of them at once; errors found only with the database, such as a template of another tenant).
struct StoreAnswer {
  boost::json::value body;
  std::vector<FieldError> errors;
};

struct CampaignListFilter {
  std::optional<std::string> kind;
  std::optional<bool> active;
  std::string archived = "false";  // false | true | all
};

Expected<boost::json::value> list_campaigns(pg::Connection& conn, std::int64_t tenant_id,
                                            const CampaignListFilter& filter);
// Archived campaigns too (they keep their runs); not_found for another tenant's id.
Expected<boost::json::value> read_campaign(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

// Creates with `input` over the defaults of CampaignFields. The template must be one of the
// tenant's and not archived; server, plan and channel ids the tenant's.
Expected<StoreAnswer> create_campaign(pg::Connection& conn, std::int64_t tenant_id, const CampaignInput& input);
// The checks and INSERT shared by create_campaign and the presets: `fields` complete, `preset`
// recorded when set. The campaign's JSON, or the field errors.
Expected<StoreAnswer> insert_campaign(pg::Connection& conn, std::int64_t tenant_id, const CampaignFields& fields,
                                      std::optional<std::string> preset = std::nullopt);
// PATCH: merges `input` into the stored row and checks the result; an archived campaign is a
// conflict. Activating it or changing its schedule restarts its slots from now (no back-fill).
Expected<StoreAnswer> update_campaign(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                      const CampaignInput& input);
// Deletes a campaign that never ran; one with runs is archived (inactive, hidden from the
// listing) so that its reports stay.
Expected<boost::json::value> delete_campaign(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id);

// Inserts a manual run, state requested, slot_at = now truncated to the second, local_day = the
// tenant's today; the dispatcher's scheduler expands it. Conflict when the campaign or its
// template is archived, or a manual run of it is still requested. `key_id` names the caller's
// key (its prefix is recorded as requested_by).
Expected<boost::json::value> request_run(pg::Connection& conn, std::int64_t tenant_id, std::int64_t id,
                                         std::int64_t key_id);

// Preset campaigns. Body members (all optional): name, schedule_days, schedule_time, active,
// interval_seconds, server_ids.
struct PresetInput {
  In<std::string> name;
  In<std::int64_t> schedule_days;
  In<std::string> schedule_time;
  In<std::int64_t> interval_seconds;
  In<bool> active;
  In<std::vector<std::int64_t>> server_ids;
};
bool is_preset(std::string_view preset);  // recovery | referral | post_sale
Validated<PresetInput> read_preset_input(const boost::json::object& body);
// The campaign a preset creates before the caller's overrides (template_id left 0), and the
// pt-BR text of its template.
CampaignFields preset_fields(std::string_view preset);
std::string preset_template_text(std::string_view preset);
// {"template": {...}, "campaign": {...}}; a taken name (template or campaign) is a conflict.
Expected<StoreAnswer> create_preset(pg::Connection& conn, std::int64_t tenant_id, std::string_view preset,
                                    const PresetInput& input);

}  // namespace disparo::admin::campaigns
