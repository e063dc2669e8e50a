-- 0005 admin catalog: plans, acquisition channels, the billing fields of clients (with tags and
-- alerts), the indexes the client listing needs, and the derived client state (status and
-- category), computed by the SQL functions below and mirrored in admin/billing/client_state.cpp.
-- Money is integer cents; times are timestamptz (UTC); dates are the tenant's local dates.

-- Trigram search over name, username and phone (contrib, shipped with the server).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE plans (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  cycle       text NOT NULL CHECK (cycle IN ('monthly', 'bimonthly', 'quarterly', 'semiannual', 'annual')),
  price_cents bigint NOT NULL CHECK (price_cents >= 0),
  grace_days  integer NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
  archived_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE acquisition_channels (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  cost_cents bigint NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

ALTER TABLE clients
  ADD COLUMN username       text,
  ADD COLUMN password       text,                 -- secret: never logged, readable by few roles
  ADD COLUMN email          text,
  ADD COLUMN notes          text,
  ADD COLUMN phone_country  text NOT NULL DEFAULT '55',  -- calling code the phone was read with
  ADD COLUMN plan_id        bigint REFERENCES plans(id) ON DELETE SET NULL,
  ADD COLUMN amount_cents   bigint NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),  -- 0 = plan price
  ADD COLUMN screens        integer NOT NULL DEFAULT 1 CHECK (screens BETWEEN 1 AND 1000),
  ADD COLUMN due_date       date,
  ADD COLUMN due_day        smallint CHECK (due_day BETWEEN 1 AND 31),
  ADD COLUMN channel_id     bigint REFERENCES acquisition_channels(id) ON DELETE SET NULL,
  ADD COLUMN blocked        boolean NOT NULL DEFAULT false,
  ADD COLUMN archived_at    timestamptz,
  ADD COLUMN archive_reason text CHECK (archive_reason IN ('churn', 'lost')),
  ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now(),
  -- When the client last paid (max paid_at of its non-deleted payments), kept by the payments
  -- side (0006) through disparo_refresh_client_last_payment() below; NULL = never paid (a lead).
  -- Stored so that the category filter of the listing is an indexable comparison.
  ADD COLUMN last_payment_at timestamptz,
  -- What the listing's text search matches: lower-cased name, username and phone digits.
  ADD COLUMN search_text text GENERATED ALWAYS AS
    (lower(name || ' ' || coalesce(username, '') || ' ' || phone)) STORED,
  ADD CONSTRAINT clients_archive_reason_needs_archive
    CHECK (archive_reason IS NULL OR archived_at IS NOT NULL);

-- Listing: one index per sort order (keyset pagination walks it), plus the common filters.
CREATE INDEX clients_tenant_name ON clients (tenant_id, name, id);
CREATE INDEX clients_tenant_created ON clients (tenant_id, created_at, id);
CREATE INDEX clients_tenant_due ON clients (tenant_id, (coalesce(due_date, 'infinity'::date)), id);
CREATE INDEX clients_tenant_server ON clients (tenant_id, server_id);
CREATE INDEX clients_tenant_plan ON clients (tenant_id, plan_id);
CREATE INDEX clients_tenant_channel ON clients (tenant_id, channel_id);
CREATE INDEX clients_search_trgm ON clients USING gin (search_text gin_trgm_ops);
-- The foreign keys' ON DELETE SET NULL look clients up by plan, channel and server.
CREATE INDEX clients_plan ON clients (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX clients_channel ON clients (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX clients_server ON clients (server_id) WHERE server_id IS NOT NULL;

CREATE TABLE client_tags (
  client_id bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  tag       text NOT NULL CHECK (length(tag) BETWEEN 1 AND 100),
  PRIMARY KEY (client_id, tag)
);
CREATE INDEX client_tags_tag ON client_tags (tag, client_id);

CREATE TABLE client_alerts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id  bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  text       text NOT NULL DEFAULT '',
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_alerts_client ON client_alerts (client_id, id);

-- Sessions: at most one default per tenant exists already (0001). The admin also records when a
-- session's credentials were last changed (the credentials themselves are never returned).
ALTER TABLE whatsapp_sessions ADD COLUMN credentials_updated_at timestamptz;

-- Derived state, computed in ONE place (the C++ mirror in admin/billing/client_state.cpp is
-- property-tested against these). `today` is the tenant's local date.
-- status: 'active' while not past due (or no due date); 'overdue' once past due, within the
-- plan's grace days; 'suspended' past due beyond them (due Dec 5 with 5 grace days: overdue Dec 6
-- to Dec 10, suspended from Dec 11; with 0 grace days suspended from Dec 6). Blocked and archived
-- are separate flags and do not change the status (the parameters are part of the signature so
-- callers pass the whole state and a later rule can use them without changing every query).
CREATE FUNCTION disparo_client_status(due_date date, grace_days int, blocked bool,
                                      archived_at timestamptz, today date) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE
                 WHEN due_date IS NULL OR today <= due_date THEN 'active'
                 WHEN today <= due_date + greatest(coalesce(grace_days, 0), 0) THEN 'overdue'
                 ELSE 'suspended'
               END $$;

-- category: 'archived' when archived; else 'lead' when never paid; 'active' when the last payment
-- is at most 60 days before today; 'inactive' when it is older.
CREATE FUNCTION disparo_client_category(last_payment date, archived_at timestamptz, today date)
  RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE
                 WHEN archived_at IS NOT NULL THEN 'archived'
                 WHEN last_payment IS NULL THEN 'lead'
                 WHEN last_payment >= today - 60 THEN 'active'
                 ELSE 'inactive'
               END $$;

-- Keeps clients.last_payment_at = max(paid_at) of the client's non-deleted payments. The
-- payments table arrives in 0006, which attaches it:
--   CREATE TRIGGER payments_last_payment AFTER INSERT OR UPDATE OR DELETE ON payments
--     FOR EACH ROW EXECUTE FUNCTION disparo_refresh_client_last_payment();
-- (PL/pgSQL resolves table names when it runs, so this function can exist before the table.)
CREATE FUNCTION disparo_refresh_client_last_payment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected bigint;
BEGIN
  FOREACH affected IN ARRAY ARRAY[
      CASE WHEN TG_OP <> 'INSERT' THEN OLD.client_id END,
      CASE WHEN TG_OP <> 'DELETE' THEN NEW.client_id END] LOOP
    CONTINUE WHEN affected IS NULL;
    UPDATE clients SET last_payment_at =
      (SELECT max(p.paid_at) FROM payments p WHERE p.client_id = affected AND p.deleted_at IS NULL)
    WHERE id = affected;
  END LOOP;
  RETURN NULL;
END $$;
