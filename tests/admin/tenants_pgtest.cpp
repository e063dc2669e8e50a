// Tenants and API keys against a live PostgreSQL (DISPARO_TEST_PG_URL): creation, uniqueness,
// hashed storage, authentication, revocation.
#include "admin/tenants.hpp"

#include <gtest/gtest.h>

#include "admin/auth.hpp"
#include "common/api_key.hpp"
#include "tests/support/test_database.hpp"

namespace disparo::admin {
namespace {

class TenantsPg : public ::testing::Test {
 protected:
  TenantsPg() : db_(disparo::test::TestDatabase::migrated()), conn_(db_.connect()) {}

  std::int64_t count(const std::string& sql, const pg::Params& params = {}) {
    auto rows = conn_.exec(sql, params);
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    return rows ? rows->int64(0, 0) : -1;
  }

  CreatedTenant create(const std::string& slug) {
    auto created = create_tenant(conn_, {slug, "Tenant " + slug, "America/Sao_Paulo"});
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    return created ? std::move(*created) : CreatedTenant{};
  }

  disparo::test::TestDatabase db_;
  pg::Connection conn_;
};

TEST_F(TenantsPg, CreatesTenantWithAnOwnerKey) {
  auto created = create("acme");
  EXPECT_GT(created.tenant.id, 0);
  EXPECT_EQ(created.tenant.slug, "acme");
  EXPECT_EQ(created.tenant.time_zone, "America/Sao_Paulo");
  EXPECT_EQ(created.role, "owner");
  EXPECT_TRUE(looks_like_api_key(created.api_key)) << created.api_key;
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND role = 'owner'",
                  {std::to_string(created.tenant.id)}),
            1);
  // Every tenant gets a callback signing secret.
  EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE id = $1 AND callback_secret LIKE 'whsec_%'",
                  {std::to_string(created.tenant.id)}),
            1);
}

TEST_F(TenantsPg, KeysAreStoredOnlyAsHashAndPrefix) {
  auto created = create("acme");
  const auto& key = created.api_key;
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE key_hash = $1 AND prefix = $2",
                  {api_key_hash(key), key.substr(0, kApiKeyDisplayPrefix)}),
            1);
  // The whole key appears in no column of any row.
  EXPECT_EQ(count("SELECT count(*) FROM api_keys k WHERE position($1 in k::text) > 0", {key}), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tenants t WHERE position($1 in t::text) > 0", {key}), 0);
}

TEST_F(TenantsPg, DuplicateSlugIsAConflict) {
  create("acme");
  auto again = create_tenant(conn_, {"acme", "Other", "America/Manaus"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM api_keys"), 1);  // the rolled-back key is gone too
}

TEST_F(TenantsPg, FindsTenantsByIdAndSlug) {
  auto created = create("acme");
  auto by_id = find_tenant(conn_, created.tenant.id);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->slug, "acme");
  auto by_slug = find_tenant_by_slug(conn_, "acme");
  ASSERT_TRUE(by_slug.has_value());
  EXPECT_EQ(by_slug->id, created.tenant.id);
  EXPECT_EQ(find_tenant(conn_, created.tenant.id + 1000).error().kind, ErrorKind::not_found);
}

TEST_F(TenantsPg, AuthenticateFindsTheKeyAndRecordsItsUse) {
  auto created = create("acme");
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE last_used_at IS NULL"), 1);
  auto caller = authenticate(conn_, created.api_key);
  ASSERT_TRUE(caller.has_value()) << caller.error().message;
  EXPECT_EQ(caller->tenant_id, created.tenant.id);
  EXPECT_EQ(caller->role, "owner");
  EXPECT_EQ(count("SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL"), 1);
}

TEST_F(TenantsPg, RevokedAndUnknownKeysAreUnauthorized) {
  auto created = create("acme");
  auto unknown = authenticate(conn_, mint_api_key().key);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, ErrorKind::unauthorized);

  ASSERT_TRUE(conn_.exec("UPDATE api_keys SET revoked_at = now()").has_value());
  auto revoked = authenticate(conn_, created.api_key);
  ASSERT_FALSE(revoked.has_value());
  EXPECT_EQ(revoked.error().kind, ErrorKind::unauthorized);
}

TEST_F(TenantsPg, AddedKeysBelongToTheirTenant) {
  auto a = create("alpha");
  auto b = create("bravo");
  auto extra = add_api_key(conn_, b.tenant.id, "support", "helpdesk");
  ASSERT_TRUE(extra.has_value());
  auto caller = authenticate(conn_, *extra);
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->tenant_id, b.tenant.id);
  EXPECT_EQ(caller->role, "support");
  EXPECT_NE(caller->tenant_id, a.tenant.id);
}

}  // namespace
}  // namespace disparo::admin
